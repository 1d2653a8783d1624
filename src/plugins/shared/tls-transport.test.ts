// Tests of the shared TLS helpers: certificate names written as MySQL writes them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mysqlDistinguishedName } from './tls-transport.js';

test("a certificate's name as MySQL prints it (X509_NAME_oneline), RFC 2253 escapes undone", () => {
  assert.equal(mysqlDistinguishedName('C=SE\nST=Stockholm\nO=MySQL demo client certificate\nCN=client'), '/C=SE/ST=Stockholm/O=MySQL demo client certificate/CN=client');
  assert.equal(mysqlDistinguishedName('O=Acme\\, Inc.\nCN=a\\+b'), '/O=Acme, Inc./CN=a+b');
  assert.equal(mysqlDistinguishedName(''), '');
});
