// Tests for SET, SHOW, DESCRIBE/EXPLAIN, USE, transactions, KILL, admin statements and refused statements.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from './index.js';
import type { SetAssignment, SetStmt, ShowStmt } from './ast.js';

const set = (sql: string): SetAssignment[] => {
  const s = parse(sql);
  assert.equal(s.type, 'set', sql);
  return (s as SetStmt).assignments;
};
const show = (sql: string): ShowStmt => {
  const s = parse(sql);
  assert.equal(s.type, 'show', sql);
  return s as ShowStmt;
};
/** target name, kind, scope and a short rendering of the value. */
function va(a: SetAssignment): unknown[] {
  assert.equal(a.kind, 'variable');
  if (a.kind !== 'variable') return [];
  const v = a.value;
  const val = v.type === 'literal' && 'value' in v ? v.value : v.type;
  return [a.target.kind, a.target.name, a.target.scope, val];
}

test('SET variables: user, system, scopes (sticky), := and bare words', () => {
  assert.deepEqual(set('SET @a = 1, @b := 2').map(va), [['user', 'a', undefined, 1], ['user', 'b', undefined, 2]]);
  assert.deepEqual(set('SET autocommit=1').map(va), [['system', 'autocommit', undefined, 1]]);
  assert.deepEqual(set("SET SESSION sql_mode='STRICT_ALL_TABLES'").map(va), [['system', 'sql_mode', 'session', 'STRICT_ALL_TABLES']]);
  assert.deepEqual(set('SET @@session.x = 1, @@global.y = 2, @@z = 3').map(va), [['system', 'x', 'session', 1], ['system', 'y', 'global', 2], ['system', 'z', undefined, 3]]);
  assert.deepEqual(set('SET GLOBAL a = ON, b = OFF, LOCAL c = DEFAULT').map(va), [['system', 'a', 'global', 'ON'], ['system', 'b', 'global', 'OFF'], ['system', 'c', 'session', 'default']]);
  assert.deepEqual(set('SET sql_mode = TRADITIONAL, autocommit = TRUE').map(va), [['system', 'sql_mode', undefined, 'TRADITIONAL'], ['system', 'autocommit', undefined, true]]);
  assert.deepEqual(set('SET @a = b').map((a) => a.kind === 'variable' && a.value.type), ['column']);
  assert.deepEqual(set('SET PERSIST x = 1').map(va), [['system', 'x', 'global', 1]]);
});

test('SET NAMES, CHARACTER SET, TRANSACTION', () => {
  assert.deepEqual(set('SET NAMES utf8mb4'), [{ kind: 'names', charset: 'utf8mb4' }]);
  assert.deepEqual(set("SET NAMES 'UTF8MB4' COLLATE 'utf8mb4_bin'"), [{ kind: 'names', charset: 'utf8mb4', collation: 'utf8mb4_bin' }]);
  assert.deepEqual(set('SET NAMES DEFAULT'), [{ kind: 'names', charset: 'default', default: true }]);
  assert.deepEqual(set('SET CHARACTER SET latin1'), [{ kind: 'charset', charset: 'latin1' }]);
  assert.deepEqual(set('SET CHARSET utf8'), [{ kind: 'charset', charset: 'utf8' }]);
  assert.deepEqual(set('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE'), [{ kind: 'transaction', isolation: 'SERIALIZABLE' }]);
  assert.deepEqual(set('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED, READ ONLY'), [{ kind: 'transaction', scope: 'session', isolation: 'READ COMMITTED', accessMode: 'read only' }]);
  assert.deepEqual(set('SET GLOBAL TRANSACTION READ WRITE'), [{ kind: 'transaction', scope: 'global', accessMode: 'read write' }]);
  for (const l of ['READ UNCOMMITTED', 'REPEATABLE READ']) assert.deepEqual(set(`SET TRANSACTION ISOLATION LEVEL ${l}`), [{ kind: 'transaction', isolation: l }]);
  assert.deepEqual(set('SET @@transaction_isolation = \'READ-COMMITTED\'').map(va), [['system', 'transaction_isolation', undefined, 'READ-COMMITTED']]);
});

test('SHOW forms', () => {
  const cases: [string, Partial<ShowStmt>][] = [
    ["SHOW DATABASES LIKE 'a%'", { what: 'databases', like: 'a%' }],
    ['SHOW SCHEMAS', { what: 'databases' }],
    ["SHOW FULL TABLES FROM db LIKE 'x'", { what: 'tables', full: true, database: 'db', like: 'x' }],
    ['SHOW TABLES IN db', { what: 'tables', database: 'db' }],
    ['SHOW PROCESSLIST', { what: 'processlist' }],
    ['SHOW FULL PROCESSLIST', { what: 'processlist', full: true }],
    ['SHOW ENGINES', { what: 'engines' }],
    ['SHOW STORAGE ENGINES', { what: 'engines' }],
    ['SHOW PLUGINS', { what: 'plugins' }],
    ["SHOW CHARACTER SET LIKE 'utf8%'", { what: 'charset', like: 'utf8%' }],
    ['SHOW CHARSET', { what: 'charset' }],
    ['SHOW COLLATION', { what: 'collation' }],
    ['SHOW TABLE STATUS FROM db', { what: 'tableStatus', database: 'db' }],
    ['SHOW GRANTS', { what: 'grants' }],
    ['SHOW PRIVILEGES', { what: 'privileges' }],
    ['SHOW MASTER STATUS', { what: 'masterStatus' }],
    ['SHOW BINARY LOGS', { what: 'binaryLogs' }],
    ['SHOW BINARY LOG STATUS', { what: 'masterStatus' }],
    ['SHOW OPEN TABLES', { what: 'openTables' }],
    ['SHOW TRIGGERS', { what: 'triggers' }],
    ['SHOW EVENTS', { what: 'events' }],
    ['SHOW PROCEDURE STATUS', { what: 'procedureStatus' }],
    ['SHOW FUNCTION STATUS', { what: 'functionStatus' }],
    ['SHOW PROFILES', { what: 'profiles' }],
    ['SHOW WARNINGS', { what: 'warnings' }],
    ['SHOW ERRORS', { what: 'errors' }],
    ['SHOW COUNT(*) WARNINGS', { what: 'countWarnings' }],
    ['SHOW COUNT(*) ERRORS', { what: 'countErrors' }],
    ["SHOW VARIABLES LIKE 'x'", { what: 'variables', like: 'x' }],
    ['SHOW GLOBAL VARIABLES', { what: 'variables', global: true }],
    ['SHOW SESSION STATUS', { what: 'status', global: false }],
    ['SHOW STATUS', { what: 'status' }],
    ['SHOW CREATE DATABASE IF NOT EXISTS db', { what: 'createDatabase', name: 'db' }],
    ['SHOW CREATE SCHEMA db', { what: 'createDatabase', name: 'db' }],
  ];
  for (const [sql, want] of cases) {
    const s = show(sql);
    for (const [k, v] of Object.entries(want)) assert.deepEqual(s[k as keyof ShowStmt], v, `${sql}: ${k}`);
  }
  const c = show('SHOW FULL COLUMNS FROM t FROM db WHERE Field = 1');
  assert.deepEqual([c.what, c.full, c.table?.name, c.database, c.where?.type], ['columns', true, 't', 'db', 'binary']);
  assert.equal(show('SHOW FIELDS IN db.t').table?.schema, 'db');
  for (const w of ['INDEX', 'INDEXES', 'KEYS']) assert.equal(show(`SHOW ${w} FROM t`).what, 'index');
  assert.equal(show('SHOW CREATE TABLE db.t').table?.schema, 'db');
  assert.equal(show('SHOW CREATE VIEW v').what, 'createView');
  const w = show('SHOW WARNINGS LIMIT 1, 2');
  assert.ok(w.limit?.offset !== undefined);
  assert.equal(show("SHOW GRANTS FOR 'root'@'%'").name, "'root'@'%'");
});

test('DESCRIBE / DESC / EXPLAIN table and EXPLAIN statement', () => {
  const d = show('DESCRIBE db.t');
  assert.deepEqual([d.what, d.table?.name, d.table?.schema], ['columns', 't', 'db']);
  assert.equal(show('DESC t col').like, 'col');
  assert.equal(show("EXPLAIN t 'c%'").like, 'c%');
  const e = parse('EXPLAIN SELECT 1');
  assert.ok(e.type === 'explain' && e.statement.type === 'select' && e.format === undefined);
  const f = parse('EXPLAIN FORMAT=TREE UPDATE t SET a = 1');
  assert.ok(f.type === 'explain' && f.format === 'tree' && f.statement.type === 'update');
  const a = parse('EXPLAIN ANALYZE SELECT 1');
  assert.ok(a.type === 'explain' && a.analyze === true);
  assert.ok(parse('DESCRIBE SELECT 1').type === 'explain');
  assert.ok(parse("EXPLAIN FORMAT='JSON' DELETE FROM t").type === 'explain');
});

test('USE, transactions, KILL, DO', () => {
  assert.deepEqual(parse('USE `my db`'), { type: 'use', database: 'my db', pos: 0 });
  assert.deepEqual(parse('BEGIN'), { type: 'transaction', action: 'begin', pos: 0 });
  assert.deepEqual(parse('BEGIN WORK'), { type: 'transaction', action: 'begin', pos: 0 });
  assert.deepEqual(parse('START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT'), { type: 'transaction', action: 'begin', readOnly: true, consistentSnapshot: true, pos: 0 });
  assert.deepEqual(parse('START TRANSACTION READ WRITE'), { type: 'transaction', action: 'begin', readWrite: true, pos: 0 });
  assert.deepEqual(parse('COMMIT'), { type: 'transaction', action: 'commit', pos: 0 });
  assert.deepEqual(parse('COMMIT WORK AND NO CHAIN NO RELEASE'), { type: 'transaction', action: 'commit', chain: false, release: false, pos: 0 });
  assert.deepEqual(parse('ROLLBACK AND CHAIN RELEASE'), { type: 'transaction', action: 'rollback', chain: true, release: true, pos: 0 });
  assert.deepEqual(parse('ROLLBACK WORK TO SAVEPOINT s1'), { type: 'transaction', action: 'rollbackToSavepoint', savepoint: 's1', pos: 0 });
  assert.deepEqual(parse('ROLLBACK TO s1'), { type: 'transaction', action: 'rollbackToSavepoint', savepoint: 's1', pos: 0 });
  assert.deepEqual(parse('SAVEPOINT s1'), { type: 'transaction', action: 'savepoint', savepoint: 's1', pos: 0 });
  assert.deepEqual(parse('RELEASE SAVEPOINT s1'), { type: 'transaction', action: 'releaseSavepoint', savepoint: 's1', pos: 0 });
  const k = parse('KILL QUERY 42');
  assert.ok(k.type === 'kill' && k.target === 'query' && k.id.type === 'literal');
  const k2 = parse('KILL CONNECTION 7');
  assert.ok(k2.type === 'kill' && k2.target === 'connection');
  assert.ok(parse('KILL 7').type === 'kill');
  const d = parse('DO 1, SLEEP(0)');
  assert.ok(d.type === 'do' && d.exprs.length === 2);
});

test('admin statements', () => {
  const l = parse('LOCK TABLES t READ LOCAL, u AS x WRITE, v LOW_PRIORITY WRITE');
  assert.ok(l.type === 'admin' && l.command === 'lockTables' && l.tables.length === 3 && l.tables[1].alias === 'x');
  assert.ok(parse('UNLOCK TABLES').type === 'admin');
  const f = parse('FLUSH TABLES t1, t2 WITH READ LOCK');
  assert.ok(f.type === 'admin' && f.command === 'flush' && f.tables.length === 2 && f.words.join(' ') === 'FLUSH TABLES WITH READ LOCK');
  const fp = parse('FLUSH PRIVILEGES');
  assert.ok(fp.type === 'admin' && fp.words.join(' ') === 'FLUSH PRIVILEGES');
  for (const [w, c] of [['ANALYZE', 'analyzeTable'], ['OPTIMIZE', 'optimizeTable'], ['CHECK', 'checkTable'], ['REPAIR', 'repairTable']]) {
    const s = parse(`${w} TABLE t1, t2`);
    assert.ok(s.type === 'admin' && s.command === c && s.tables.length === 2, w);
  }
  assert.ok(parse('CHECK TABLE t QUICK').type === 'admin');
});

test('statements mizzle refuses are recognized by their leading keywords', () => {
  const cases: [string, string][] = [
    ['CALL p(1)', 'CALL'],
    ["PREPARE s FROM 'SELECT 1'", 'PREPARE'],
    ['EXECUTE s USING @a', 'EXECUTE'],
    ['DEALLOCATE PREPARE s', 'DEALLOCATE PREPARE'],
    ['DROP PREPARE s', 'DEALLOCATE PREPARE'],
    ["GRANT ALL ON *.* TO 'u'@'%'", 'GRANT'],
    ['REVOKE ALL ON *.* FROM u', 'REVOKE'],
    ["CREATE USER 'u'@'%' IDENTIFIED BY 'p'", 'CREATE USER'],
    ['DROP USER u', 'DROP USER'],
    ["ALTER USER u IDENTIFIED BY 'x'", 'ALTER USER'],
    ["LOAD DATA INFILE 'x' INTO TABLE t", 'LOAD DATA'],
    ['HANDLER t OPEN', 'HANDLER'],
    ["XA START 'x'", 'XA transactions'],
    ["INSTALL PLUGIN x SONAME 'y'", 'INSTALL PLUGIN'],
    ['CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END', 'CREATE PROCEDURE'],
    ['CREATE DEFINER=root@localhost FUNCTION f() RETURNS INT RETURN 1', 'CREATE FUNCTION'],
    ['CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1', 'CREATE TRIGGER'],
    ['CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO SELECT 1', 'CREATE EVENT'],
    ['DROP TRIGGER tr', 'DROP TRIGGER'],
    ['DROP PROCEDURE IF EXISTS p', 'DROP PROCEDURE'],
    ["SET PASSWORD = 'x'", 'SET PASSWORD'],
    ['START GROUP_REPLICATION', 'START GROUP_REPLICATION'],
    ['START REPLICA IO_THREAD', 'START REPLICA with options'],
    ['SHOW CREATE PROCEDURE p', 'SHOW CREATE PROCEDURE'],
    ['SHOW SLAVE HOSTS', 'SHOW SLAVE'],
    ['SHOW REPLICAS', 'SHOW REPLICAS'],
    ['ALTER USER u IDENTIFIED BY \'x\'', 'ALTER USER'],
  ];
  for (const [sql, feature] of cases) assert.deepEqual(parse(sql), { type: 'unsupported', feature, pos: 0 }, sql);
});

test('replica statements: SHOW REPLICA STATUS, START / STOP REPLICA, and the older SLAVE spelling', () => {
  for (const sql of ['SHOW REPLICA STATUS', 'SHOW SLAVE STATUS', 'show replica status']) assert.deepEqual(parse(sql), { type: 'show', what: 'replicaStatus', pos: 0 }, sql);
  assert.deepEqual(parse('START REPLICA'), { type: 'replicaControl', action: 'start', pos: 0 });
  assert.deepEqual(parse('STOP SLAVE'), { type: 'replicaControl', action: 'stop', pos: 0 });
});

test('CHANGE REPLICATION SOURCE TO (and CHANGE MASTER TO, named SOURCE_*), RESET REPLICA [ALL], PROMOTE', () => {
  assert.deepEqual(parse("CHANGE REPLICATION SOURCE TO SOURCE_HOST = 'db2', SOURCE_PORT = 4407, SOURCE_USER = 'repl', SOURCE_PASSWORD = 'pw'"), {
    type: 'replicaControl', action: 'change', pos: 0,
    options: [{ name: 'SOURCE_HOST', value: 'db2' }, { name: 'SOURCE_PORT', value: 4407 }, { name: 'SOURCE_USER', value: 'repl' }, { name: 'SOURCE_PASSWORD', value: 'pw' }],
  });
  assert.deepEqual(parse("CHANGE MASTER TO MASTER_HOST='db2', master_port=4407"), {
    type: 'replicaControl', action: 'change', pos: 0, options: [{ name: 'SOURCE_HOST', value: 'db2' }, { name: 'SOURCE_PORT', value: 4407 }],
  });
  assert.deepEqual(parse('RESET REPLICA ALL'), { type: 'replicaControl', action: 'reset', all: true, pos: 0 });
  assert.deepEqual(parse('RESET SLAVE'), { type: 'replicaControl', action: 'reset', all: false, pos: 0 });
  assert.deepEqual(parse('PROMOTE'), { type: 'replicaControl', action: 'promote', pos: 0 });
  assert.deepEqual(parse("CHANGE REPLICATION SOURCE TO SOURCE_HOST = 'x' FOR CHANNEL 'c'"), { type: 'unsupported', feature: 'CHANGE REPLICATION SOURCE FOR CHANNEL', pos: 0 });
});
