// mariadb-dump of a mizzle database runs to its end (views, triggers, metadata queries) and its output restores into mizzle.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServerProcess, type ServerProcess } from '../testing/server-process.js';

const available = spawnSync('mariadb-dump', ['--version']).status === 0 && spawnSync('mariadb', ['--version']).status === 0;

let server: ServerProcess | undefined;

before(async () => {
  if (available) server = await startServerProcess();
});

after(async () => {
  await server?.stop();
  server?.cleanup();
});

function client(port: number, sql: string, db?: string): string {
  const r = spawnSync('mariadb', ['-h127.0.0.1', `-P${port}`, '-uroot', '--skip-ssl', '--batch', ...(db ? [db] : [])], { input: sql, encoding: 'utf8', timeout: 30000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const SCHEMA = `
CREATE DATABASE dumpsrc;
USE dumpsrc;
CREATE TABLE item (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(20) NOT NULL, price DECIMAL(8,2), note TEXT,
  UNIQUE KEY u_name (name), KEY k_price (price), FULLTEXT KEY ft_note (note));
INSERT INTO item (name, price, note) VALUES ('pen', 1.25, 'blue'), ('ink', 9.99, NULL), ('it''s', NULL, 'quote');
CREATE VIEW cheap AS SELECT id, name FROM item WHERE price < 5;
`;

test('mariadb-dump dumps tables and views of a mizzle database, and the dump restores', { skip: !available && 'mariadb client tools are not installed' }, () => {
  const port = (server as ServerProcess).port;
  client(port, SCHEMA);
  // The defaults dump triggers; --routines and --events ask for the rest of the metadata too.
  const dump = spawnSync('mariadb-dump', ['-h127.0.0.1', `-P${port}`, '-uroot', '--skip-ssl', '--routines', '--events', '--single-transaction', 'dumpsrc'], { encoding: 'utf8', timeout: 60000 });
  assert.equal(dump.status, 0, dump.stderr);
  assert.match(dump.stdout, /CREATE TABLE `item`/);
  assert.match(dump.stdout, /INSERT INTO `item` VALUES/);
  assert.match(dump.stdout, /CREATE VIEW `cheap` AS SELECT\s+NULL AS `id`,\s+NULL AS `name`/, 'the view placeholder comes from SHOW FIELDS of the view');
  assert.match(dump.stdout, /CREATE VIEW `cheap` AS SELECT id, name FROM item WHERE price < 5/);
  assert.match(dump.stdout, /-- Dump completed/);

  client(port, 'CREATE DATABASE dumpdst;');
  client(port, dump.stdout, 'dumpdst');
  const query = 'SELECT id, name, price, note FROM item ORDER BY id; SELECT * FROM cheap ORDER BY id; SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1; SHOW INDEX FROM item;';
  assert.equal(client(port, query, 'dumpdst'), client(port, query, 'dumpsrc'));
});
