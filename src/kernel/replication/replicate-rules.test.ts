// The replication filters' rules: database level, then table level in MySQL's order, wildcards, schema changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create } from '@bufbuild/protobuf';
import { pb } from '../../storage/change-log/index.js';
import { NO_RULES, ReplicateRules, ruleList, type ReplicateRuleLists } from './replicate-rules.js';

const rules = (lists: Partial<ReplicateRuleLists>) => new ReplicateRules({ ...NO_RULES, ...lists });

function ddl(statement: string, schema: string, tables: [string, string][], dropped: string[] = []): pb.Ddl {
  return create(pb.DdlSchema, { schema, statement, tables: tables.map(([s, n]) => create(pb.TableDefinitionSchema, { schema: s, name: n })), droppedTables: dropped });
}

test('no filters apply everything', () => {
  const r = rules({});
  assert.equal(r.empty, true);
  assert.equal(r.rowOk('any', 't'), true);
  assert.equal(r.ddlOk(ddl('CREATE DATABASE x', '', [])), true);
});

test('do-db keeps only the named databases; ignore-db is then not consulted', () => {
  const r = rules({ doDb: ['app', 'billing'], ignoreDb: ['app'] });
  assert.equal(r.rowOk('app', 't'), true);
  assert.equal(r.rowOk('billing', 'x'), true);
  assert.equal(r.rowOk('other', 't'), false);
  assert.equal(r.rowOk('App', 't'), false, 'names are case-sensitive, as the catalog');
});

test('ignore-db skips the named databases', () => {
  const r = rules({ ignoreDb: ['scratch'] });
  assert.equal(r.rowOk('scratch', 't'), false);
  assert.equal(r.rowOk('app', 't'), true);
});

test('table level: do-table, then ignore-table, then wild-do, then wild-ignore, then the default', () => {
  const r = rules({ doTable: ['app.users'], ignoreTable: ['app.secrets'], wildDoTable: ['app.log\\_%'], wildIgnoreTable: ['app.%'] });
  assert.equal(r.rowOk('app', 'users'), true);
  assert.equal(r.rowOk('app', 'secrets'), false);
  assert.equal(r.rowOk('app', 'log_2024'), true);
  assert.equal(r.rowOk('app', 'logx2024'), false, '\\_ matches only an underscore; app.% ignores it');
  assert.equal(r.rowOk('other', 'users'), false, 'a do list exists: a table none names is ignored');
});

test('only ignore lists: what none names is applied', () => {
  const r = rules({ ignoreTable: ['app.audit'], wildIgnoreTable: ['tmp%.%'] });
  assert.equal(r.rowOk('app', 'audit'), false);
  assert.equal(r.rowOk('tmp1', 'anything'), false);
  assert.equal(r.rowOk('app', 'users'), true);
});

test('wildcards: % any run, _ one character, the rest literal', () => {
  const r = rules({ wildDoTable: ['db_.t%'] });
  assert.equal(r.rowOk('db1', 't'), true);
  assert.equal(r.rowOk('db1', 'tables'), true);
  assert.equal(r.rowOk('db12', 't'), false);
  assert.equal(r.rowOk('dbx', 'xt'), false);
  const dots = rules({ wildDoTable: ['a.b.c'] });
  assert.equal(dots.rowOk('a', 'b.c'), true, 'the first dot splits database and table');
  assert.equal(dots.rowOk('a', 'bxc'), false, 'a dot is literal');
});

test('database level first: a table the do-table list names is skipped when its database is ignored', () => {
  const r = rules({ ignoreDb: ['app'], doTable: ['app.users'] });
  assert.equal(r.rowOk('app', 'users'), false);
});

test('schema changes: by the database they create or drop, else by their tables', () => {
  const r = rules({ doDb: ['app'], ignoreTable: ['app.secrets'] });
  assert.equal(r.ddlOk(ddl('CREATE DATABASE app', '', [])), true);
  assert.equal(r.ddlOk(ddl('create schema if not exists other', 'app', [])), false, 'the named database, not the default one');
  assert.equal(r.ddlOk(ddl('DROP DATABASE other', 'app', [], ['other.t'])), false);
  assert.equal(r.ddlOk(ddl('CREATE TABLE app.t (id int)', '', [['app', 't']])), true);
  assert.equal(r.ddlOk(ddl('CREATE TABLE other.t (id int)', 'app', [['other', 't']])), false, 'the table\'s database, not the default one');
  assert.equal(r.ddlOk(ddl('CREATE TABLE secrets (id int)', 'app', [['app', 'secrets']])), false);
  assert.equal(r.ddlOk(ddl('DROP TABLE app.secrets', 'app', [], ['app.secrets'])), false);
  assert.equal(r.ddlOk(ddl('CREATE VIEW v AS SELECT 1', 'app', [])), true, 'no table: the default schema');
  assert.equal(r.ddlOk(ddl('CREATE VIEW v AS SELECT 1', 'other', [])), false);
});

test('malformed entries are refused with the option name; lists split on commas', () => {
  assert.throws(() => rules({ doTable: ['users'] }), /--replicate-do-table 'users' is not db_name.table_name/);
  assert.throws(() => rules({ wildIgnoreTable: ['app.'] }), /--replicate-wild-ignore-table/);
  assert.deepEqual(ruleList(' a, b ,,c '), ['a', 'b', 'c']);
  assert.deepEqual(rules({ doDb: ['a', 'b'], wildDoTable: ['x.%'] }).statusColumns(), [
    ['Replicate_Do_DB', 'a,b'], ['Replicate_Ignore_DB', ''], ['Replicate_Do_Table', ''], ['Replicate_Ignore_Table', ''], ['Replicate_Wild_Do_Table', 'x.%'], ['Replicate_Wild_Ignore_Table', ''],
  ]);
});
