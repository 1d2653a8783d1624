// A URL's ssl-mode and ssl-ca: the scheme's default, MySQL's spellings, a CA meaning "check it", and what is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tlsSettings } from './tls-settings.js';

const of = (url: string, fallback: Parameters<typeof tlsSettings>[1] = 'preferred') => tlsSettings(new URL(url), fallback);

test('the default unless the URL says; MySQL\'s VERIFY_IDENTITY spelling is accepted', () => {
  assert.deepEqual(of('mizzle://h/'), { mode: 'preferred' });
  assert.deepEqual(of('mizzle://h/?ssl-mode=disabled'), { mode: 'disabled' });
  assert.deepEqual(of('mizzle://h/?ssl-mode=VERIFY_IDENTITY'), { mode: 'verify-identity' });
  assert.deepEqual(of('https://h/', 'verify-identity'), { mode: 'verify-identity' });
});

test('a CA file without a mode means verify-identity; with verify-ca it stays verify-ca', () => {
  assert.deepEqual(of('mizzle://h/?ssl-ca=/etc/ca.pem'), { mode: 'verify-identity', caFile: '/etc/ca.pem' });
  assert.deepEqual(of('mizzle://h/?ssl-ca=/etc/ca.pem&ssl-mode=verify-ca'), { mode: 'verify-ca', caFile: '/etc/ca.pem' });
});

test('an unknown mode, an empty CA, or a CA with a mode that checks nothing is a usage error', () => {
  assert.throws(() => of('mizzle://h/?ssl-mode=maybe'), /ssl-mode in the URL must be one of/);
  assert.throws(() => of('mizzle://h/?ssl-ca='), /must name a PEM file/);
  for (const m of ['disabled', 'preferred', 'required']) assert.throws(() => of(`mizzle://h/?ssl-ca=/x.pem&ssl-mode=${m}`), /checked only with ssl-mode=verify-ca or verify-identity/);
});
