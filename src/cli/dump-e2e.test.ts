// mariadb-dump of a mizzle database runs to its end (views, triggers, metadata queries) and its output restores into mizzle.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServerProcess, type ServerProcess } from '../testing/server-process.js';
import { mariadbServerAvailable, startMariadb } from '../testing/mariadb-process.js';

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

/** Foreign keys, a CHECK, a STORED generated column and a view over them, in syntax MySQL 8 and MariaDB both take. */
const CONSTRAINED = `
CREATE DATABASE fksrc;
USE fksrc;
CREATE TABLE customer (id INT PRIMARY KEY, email VARCHAR(40) NOT NULL, UNIQUE KEY u_email (email));
CREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL, qty INT NOT NULL, price DECIMAL(8,2) NOT NULL,
  total DECIMAL(10,2) AS (qty * price) STORED, placed DATETIME, note VARCHAR(20),
  CONSTRAINT fk_customer FOREIGN KEY (customer_id) REFERENCES customer (id) ON DELETE CASCADE,
  CONSTRAINT qty_positive CHECK (qty > 0));
CREATE TABLE line (id INT PRIMARY KEY, order_id INT, sku CHAR(8),
  CONSTRAINT fk_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE SET NULL);
INSERT INTO customer VALUES (1, 'a@x.io'), (2, 'b@x.io');
INSERT INTO orders (customer_id, qty, price, placed, note) VALUES (1, 2, 3.50, '2024-05-06 07:08:09', 'first'), (2, 10, 1.25, NULL, NULL), (1, 1, 99.99, '2025-01-01 00:00:00', 'it''s');
INSERT INTO line VALUES (1, 1, 'SKU-0001'), (2, 3, 'SKU-0002'), (3, NULL, NULL);
CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 10;
`;
const CONSTRAINED_DATA = 'SELECT * FROM customer ORDER BY id; SELECT * FROM orders ORDER BY id; SELECT * FROM line ORDER BY id; SELECT * FROM big_orders ORDER BY id;';
const CONSTRAINED_SCHEMA = 'SHOW CREATE TABLE orders; SHOW CREATE TABLE line;';

function dumpOf(port: number, db: string): string {
  const dump = spawnSync('mariadb-dump', ['-h127.0.0.1', `-P${port}`, '-uroot', '--skip-ssl', '--single-transaction', db], { encoding: 'utf8', timeout: 60000 });
  assert.equal(dump.status, 0, dump.stderr);
  return dump.stdout;
}

/** After a load the constraints hold: a missing parent (1452), a failed CHECK (3819; MariaDB says 4025), a recomputed generated column, a cascade. */
function assertConstraintsHold(port: number, db: string, checkCode = 3819): void {
  const fails = (sql: string, code: number) => {
    const r = spawnSync('mariadb', ['-h127.0.0.1', `-P${port}`, '-uroot', '--skip-ssl', '--batch', db], { input: sql, encoding: 'utf8', timeout: 30000 });
    assert.notEqual(r.status, 0, `${sql} should fail`);
    assert.match(r.stderr, new RegExp(`ERROR ${code} `), r.stderr);
  };
  fails('INSERT INTO orders (customer_id, qty, price) VALUES (9, 1, 1)', 1452);
  fails('INSERT INTO orders (customer_id, qty, price) VALUES (1, 0, 1)', checkCode);
  assert.equal(client(port, 'UPDATE orders SET qty = 3 WHERE id = 1; SELECT total FROM orders WHERE id = 1;', db), 'total\n10.50\n');
  assert.equal(client(port, 'DELETE FROM customer WHERE id = 1; SELECT COUNT(*) FROM orders; SELECT id, order_id FROM line ORDER BY id;', db), 'COUNT(*)\n1\nid\torder_id\n1\tNULL\n2\tNULL\n3\tNULL\n');
}

test('a dump of foreign keys, CHECKs and generated columns restores into mizzle with its schema, data and enforcement', { skip: !available && 'mariadb client tools are not installed' }, () => {
  const port = (server as ServerProcess).port;
  client(port, CONSTRAINED);
  const dump = dumpOf(port, 'fksrc');
  assert.match(dump, /CONSTRAINT `fk_customer` FOREIGN KEY \(`customer_id`\) REFERENCES `customer` \(`id`\) ON DELETE CASCADE/);
  assert.match(dump, /CONSTRAINT `qty_positive` CHECK \(\(`qty` > 0\)\)/);
  // The dump lists generated values in its INSERTs and loads without strict mode: they are ignored (1906), not refused.
  client(port, 'CREATE DATABASE fkdst;');
  client(port, dump, 'fkdst');
  assert.equal(client(port, CONSTRAINED_DATA, 'fkdst'), client(port, CONSTRAINED_DATA, 'fksrc'));
  assert.equal(client(port, CONSTRAINED_SCHEMA, 'fkdst'), client(port, CONSTRAINED_SCHEMA, 'fksrc'));
  assertConstraintsHold(port, 'fkdst');
});

test('a dump MariaDB made of the same database loads into mizzle with the same data, and its constraints hold', { skip: !(available && mariadbServerAvailable()) && 'MariaDB server or client tools are not installed' }, async () => {
  const port = (server as ServerProcess).port;
  const peer = await startMariadb();
  try {
    client(peer.port, CONSTRAINED.replaceAll('fksrc', 'fkpeer'));
    const dump = dumpOf(peer.port, 'fkpeer');
    client(port, 'CREATE DATABASE frompeer;');
    client(port, dump, 'frompeer');
    assert.equal(client(port, CONSTRAINED_DATA, 'frompeer'), client(peer.port, CONSTRAINED_DATA, 'fkpeer'));
    // The constraints came across: the same names and rules (MariaDB's printed types differ: int(11)).
    const schema = client(port, CONSTRAINED_SCHEMA, 'frompeer');
    assert.match(schema, /CONSTRAINT `fk_customer` FOREIGN KEY \(`customer_id`\) REFERENCES `customer` \(`id`\) ON DELETE CASCADE/);
    assert.match(schema, /CONSTRAINT `fk_order` FOREIGN KEY \(`order_id`\) REFERENCES `orders` \(`id`\) ON DELETE SET NULL/);
    assert.match(schema, /CONSTRAINT `qty_positive` CHECK \(\(`qty` > 0\)\)/);
    assert.match(schema, /`total` decimal\(10,2\) GENERATED ALWAYS AS \(\(`qty` \* `price`\)\) STORED/);
    assertConstraintsHold(port, 'frompeer');
  } finally {
    await peer.stop();
  }
});

/** Columns of every type both servers store alike, for the trip from mizzle to MariaDB. */
const TYPES = `
CREATE TABLE types (a TINYINT, b SMALLINT UNSIGNED, c MEDIUMINT, d BIGINT, e FLOAT, f DOUBLE, g DECIMAL(20,6), h DATE, i TIME(3),
  j DATETIME(6), k TIMESTAMP NULL, l YEAR, m CHAR(3), n VARCHAR(100), o BINARY(4), p VARBINARY(10), q TINYTEXT, r MEDIUMTEXT,
  s LONGTEXT, t BLOB, u ENUM('x','y'), v SET('a','b'), x BIT(8), y BOOLEAN, z VARCHAR(10) COLLATE utf8mb4_bin);
INSERT INTO types VALUES (-1, 65535, 7, -9000000000, 1.5, 2.25, 123.456789, '2024-02-29', '12:34:56.789', '2024-01-02 03:04:05.123456',
  '2024-01-02 03:04:05', 2024, 'abc', 'héllo ✓', x'00010203', x'ff', 't', 'm', 'l', x'deadbeef', 'y', 'a,b', b'10101010', TRUE, 'Bin'),
  (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
`;
/** A rule left unsaid reads NO ACTION in MySQL 8 (and mizzle) and RESTRICT in MariaDB: the same behaviour. */
const sameRule = (column: string) => `IF(${column} = 'NO ACTION', 'RESTRICT', ${column}) AS ${column}`;
/** The schema as both servers describe it in information_schema (MariaDB prints types differently in SHOW CREATE TABLE). */
const SCHEMA_FACTS = `SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, IS_NULLABLE, NUMERIC_PRECISION, NUMERIC_SCALE, CHARACTER_MAXIMUM_LENGTH, COLLATION_NAME = 'utf8mb4_bin' AS bin, EXTRA
  FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION;
SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1, 2, 4;
SELECT CONSTRAINT_NAME, TABLE_NAME, REFERENCED_TABLE_NAME, ${sameRule('UPDATE_RULE')}, ${sameRule('DELETE_RULE')} FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY 1;
SELECT CONSTRAINT_NAME FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY 1;
SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1;`;

test('a mizzle dump made with --compatible=no_table_options loads into MariaDB with the same data, views, keys and constraints', { skip: !(available && mariadbServerAvailable()) && 'MariaDB server or client tools are not installed' }, async () => {
  const port = (server as ServerProcess).port;
  client(port, CONSTRAINED.replaceAll('fksrc', 'tomaria') + TYPES);
  const dump = spawnSync('mariadb-dump', ['-h127.0.0.1', `-P${port}`, '-uroot', '--skip-ssl', '--single-transaction', '--compatible=no_table_options', 'tomaria'], { encoding: 'utf8', timeout: 60000 });
  assert.equal(dump.status, 0, dump.stderr);
  // What MariaDB 10.11 would refuse is not in it: mizzle's engine, MySQL 8's default collation.
  assert.doesNotMatch(dump.stdout, /ENGINE=lmdb|utf8mb4_0900_ai_ci/);
  const peer = await startMariadb();
  try {
    client(peer.port, 'CREATE DATABASE tomaria CHARACTER SET utf8mb4;');
    client(peer.port, dump.stdout, 'tomaria');
    const data = CONSTRAINED_DATA + ' SELECT * FROM types ORDER BY a IS NULL;';
    assert.equal(client(peer.port, data, 'tomaria'), client(port, data, 'tomaria'));
    // MariaDB keeps JSON as LONGTEXT; nothing else differs.
    assert.equal(client(peer.port, SCHEMA_FACTS, 'tomaria'), client(port, SCHEMA_FACTS, 'tomaria'));
    assertConstraintsHold(peer.port, 'tomaria', 4025);
  } finally {
    await peer.stop();
  }
});
