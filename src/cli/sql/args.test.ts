// mizzle sql's command line: URLs, the mysql CLI's flags, MIZZLE_URL and ~/.mizzle.cnf, into one URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSqlArgs, SqlUsageError } from './args.js';

const href = (argv: string[], env: NodeJS.ProcessEnv = {}, cnf?: string) => parseSqlArgs(argv, env, cnf).url.href;

test('no arguments: root on 127.0.0.1:3306', () => {
  assert.equal(href([]), 'mysql://root@127.0.0.1:3306/');
});

test('the mysql flags, attached or not; -p takes only an attached value', () => {
  assert.equal(href(['-h', 'db1', '-P3307', '-u', 'app', '-psecret', '-D', 'shop']), 'mysql://app:secret@db1:3307/shop');
  assert.equal(href(['--host=db1', '--port', '3307', '--user=app', '--password=s p', '--database=shop']), 'mysql://app:s%20p@db1:3307/shop');
  const ask = parseSqlArgs(['-p', 'shop'], {});
  assert.equal(ask.askPassword, true);
  assert.equal(ask.url.href, 'mysql://root@127.0.0.1:3306/shop', 'the word after -p is the database, as in mysql');
});

test('--protocol moves the database and the default port to the other wire', () => {
  assert.equal(href(['--protocol=http', '-D', 'shop']), 'http://root@127.0.0.1:8080/?database=shop');
  assert.equal(href(['mysql://u:p@h:3306/shop', '--protocol=http']), 'http://u:p@h:8080/?database=shop');
  assert.equal(href(['--protocol=http', '-P', '9000']), 'http://root@127.0.0.1:9000/');
  assert.throws(() => parseSqlArgs(['--protocol=ftp'], {}), SqlUsageError);
});

test('--ssl-mode and --ssl-ca go into the URL and follow --protocol; mizzles is a protocol', () => {
  assert.equal(href(['--protocol=mizzles', '--ssl-ca=/etc/ca.pem', '-D', 'shop']), 'mizzles://root@127.0.0.1:4406/shop?ssl-ca=%2Fetc%2Fca.pem');
  assert.equal(href(['https://h:8443/', '--ssl-mode', 'verify-ca', '--protocol=https']), 'https://h:8443/?ssl-mode=verify-ca');
  assert.equal(href(['mizzle://h/?ssl-mode=disabled', '--protocol=https']), 'https://h:8443/?ssl-mode=disabled', 'kept for the client library to refuse');
});

test('--get-server-public-key and --server-public-key-path go into the URL, as MySQL names them', () => {
  assert.equal(href(['--get-server-public-key', '--server-public-key-path', '/k.pem']), 'mysql://root@127.0.0.1:3306/?get-server-public-key=true&server-public-key-path=%2Fk.pem');
});

test('a URL argument beats MIZZLE_URL, which beats ~/.mizzle.cnf; flags beat all', () => {
  const env = { MIZZLE_URL: 'mysql://env@e:1/envdb' };
  const cnf = '[client]\nhost = c\nport=2\ndatabase="cnfdb"\n[server]\nport=9\n';
  assert.equal(href([], {}, cnf), 'mysql://root@c:2/cnfdb');
  assert.equal(href([], env, cnf), 'mysql://env@e:1/envdb');
  assert.equal(href(['mysql://arg@a:3/argdb'], env, cnf), 'mysql://arg@a:3/argdb');
  assert.equal(href(['-D', 'flagdb'], env, cnf), 'mysql://env@e:1/flagdb');
});

test('formats and switches', () => {
  assert.equal(parseSqlArgs(['-B'], {}).format, 'tsv');
  assert.equal(parseSqlArgs(['-tN'], {}).format, 'table');
  assert.equal(parseSqlArgs(['-tN'], {}).columnNames, false);
  assert.equal(parseSqlArgs(['--format', 'ndjson', '-f'], {}).force, true);
  assert.equal(parseSqlArgs(['-e', 'SELECT 1'], {}).execute, 'SELECT 1');
  assert.throws(() => parseSqlArgs(['--format=xml'], {}), /unknown format 'xml'/);
  assert.throws(() => parseSqlArgs(['-Z'], {}), /unknown option -Z/);
  assert.throws(() => parseSqlArgs(['-h'], {}), /-h needs a value/);
});
