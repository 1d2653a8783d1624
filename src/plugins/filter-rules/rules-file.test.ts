// Tests of rules files: what is accepted, and that every mistake names the file, position and rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRules, RulesFileError, ClientMatcher, DEFAULT_DENY_CODE, DEFAULT_LIMIT_CODE } from './rules-file.js';
import { RulesFilter } from './filter-rules.js';
import type { FilterRequest } from '../../kernel/plugin.js';
import { silentLogger } from '../../kernel/logger.js';
import { LocalGauges } from '../../kernel/gauges.js';

const gauges = new LocalGauges();
import { parse } from '../../sql/parser/index.js';
import { statementDigest } from '../../sql/lexer/digest.js';
import { statementTables } from '../../sql/analyzer/table-refs.js';

const YAML_RULES = `
rules:
  - id: no-drop
    kind: [dropTable, drop_database]
    action: deny
    message: "DROP is done through the change process"
  - id: app-orders
    user: 'app_.*'
    client: [10.0.0.0/8, 127.0.0.1, "::1"]
    tables: [shop.orders]
    digest: '^SELECT \\* FROM'
    action: warn
  - id: reports
    schema: reporting
    action: limit
    max_concurrent: 2
`;

function fails(text: string, file: string, pattern: RegExp): void {
  assert.throws(() => parseRules(text, file), (e: unknown) => {
    assert.ok(e instanceof RulesFileError, String(e));
    assert.match(e.message, pattern);
    return true;
  });
}

test('a YAML rules file parses with defaults filled in', () => {
  const rules = parseRules(YAML_RULES, 'rules.yaml');
  assert.deepEqual(rules.map((r) => r.id), ['no-drop', 'app-orders', 'reports']);
  assert.equal(rules[0].code, DEFAULT_DENY_CODE);
  assert.equal(rules[0].sqlState, '42000');
  assert.equal(rules[0].message, 'DROP is done through the change process');
  assert.deepEqual([...(rules[0].kinds ?? [])], ['dropTable', 'dropDatabase']);
  assert.equal(rules[0].where, 'rules.yaml:3:5');
  assert.equal(rules[1].mode, 'enforce');
  assert.ok(rules[1].user?.test('app_web'));
  assert.ok(!rules[1].user?.test('xapp_web'), 'user regexes match the whole name');
  assert.equal(rules[2].code, DEFAULT_LIMIT_CODE);
  assert.match(rules[2].message, /Rule 'reports' has exceeded the 'max_concurrent' resource \(current value: 2\)/);
});

test('a JSON rules file parses the same way', () => {
  const rules = parseRules(JSON.stringify({ rules: [{ id: 'r1', text: 'sleep', action: 'deny', code: 1227, sqlstate: '42000' }] }), 'rules.json');
  assert.equal(rules[0].code, 1227);
  assert.ok(rules[0].text?.test('SELECT SLEEP(1)'), 'text regexes are case-insensitive by default');
  const select = parseRules('rules:\n  - id: q\n    kind: SELECT\n    action: warn\n', 'r.yaml');
  assert.deepEqual([...(select[0].kinds ?? [])], ['select', 'setop', 'values', 'with'], 'select covers every query form');
});

test('malformed files are refused with file, line, column and rule', () => {
  fails('rules:\n  - id: a\n    action: deny\n   bad indent: [', 'r.yaml', /^r\.yaml:\d+:\d+: not valid YAML\/JSON/);
  fails('{"rules": [ {"id": "a", "action": "deny",} ]}', 'r.json', /^r\.json:1:\d+: not valid JSON/);
  fails('{\n  "rules": [\n    {"id": "a",}\n  ]\n}', 'r.json', /^r\.json:3:16: not valid JSON/);
  fails('{"rules": [{"id": "a", "action": "deny"}]', 'r.json', /^r\.json:1:42: not valid JSON/);
  fails('', 'r.yaml', /r\.yaml.*must be a mapping with a 'rules' list/);
  fails('rules: {}', 'r.yaml', /^r\.yaml:1:8: 'rules' must be a list/);
  fails('rule:\n  - id: a\n', 'r.yaml', /^r\.yaml:1:1: unknown key 'rule'/);
  fails('rules:\n  - id: a\n    action: deny\n    usr: bob\n', 'r.yaml', /^r\.yaml:4:5: rule 'a': unknown key 'usr'/);
  fails('rules:\n  - action: deny\n', 'r.yaml', /^r\.yaml:2:5: rule #1: needs an 'id'/);
  fails('rules:\n  - id: a\n    action: drop\n', 'r.yaml', /^r\.yaml:3:5: rule 'a': 'action' must be one of deny, warn, limit, allow/);
  fails('rules:\n  - id: a\n    action: deny\n    text: "(unclosed"\n', 'r.yaml', /^r\.yaml:4:5: rule 'a': 'text' is not a valid regular expression/);
  fails('rules:\n  - id: a\n    action: deny\n    user: 5\n', 'r.yaml', /rule 'a': 'user' must be a string, not number 5/);
  fails('rules:\n  - id: a\n    action: deny\n    kind: [selct]\n', 'r.yaml', /rule 'a': unknown statement kind 'selct'/);
  fails('rules:\n  - id: a\n    action: deny\n    client: 10.0.0.0/40\n', 'r.yaml', /rule 'a': 'client' value '10.0.0.0\/40' is not/);
  fails('rules:\n  - id: a\n    action: limit\n', 'r.yaml', /rule 'a': a 'limit' rule needs 'max_concurrent'/);
  fails('rules:\n  - id: a\n    action: warn\n    max_concurrent: 3\n', 'r.yaml', /'max_concurrent' only applies to action 'limit'/);
  fails('rules:\n  - id: a\n    action: deny\n    sqlstate: 4200\n', 'r.yaml', /'sqlstate' must be five digits or capital letters/);
  fails('rules:\n  - id: a\n    action: deny\n    code: 0\n', 'r.yaml', /'code' must be a MySQL error number/);
  fails('rules:\n  - id: a\n    action: deny\n    mode: dry\n', 'r.yaml', /'mode' must be one of off, detect, enforce/);
  fails('rules:\n  - id: a\n    action: deny\n  - id: a\n    action: warn\n', 'r.yaml', /^r\.yaml:4:5: rule 'a': the id is used by an earlier rule/);
  fails('rules:\n  - id: a\n    action: deny\n    action: warn\n', 'r.yaml', /not valid YAML\/JSON.*[Dd]uplicate|Map keys must be unique/);
  fails('rules:\n  - id: a\n    action: deny\n    tables: [a.b.c]\n', 'r.yaml', /'tables' value 'a\.b\.c' must be schema\.table/);
});

test('client matchers take addresses, CIDR blocks of both families and host names', () => {
  const m = new ClientMatcher();
  for (const v of ['10.0.0.0/8', '192.168.1.7', '::1', 'fd00::/8', 'localhost']) assert.ok(m.add(v), v);
  assert.ok(m.matches('10.1.2.3'));
  assert.ok(m.matches('::ffff:10.9.9.9'), 'IPv4-mapped addresses match as IPv4');
  assert.ok(m.matches('192.168.1.7'));
  assert.ok(!m.matches('192.168.1.8'));
  assert.ok(m.matches('::1'));
  assert.ok(m.matches('fd12::5'));
  assert.ok(m.matches('LOCALHOST'));
  assert.ok(!m.matches('11.0.0.1'));
  assert.ok(!m.add('not an address!'));
});

function request(sql: string, over: Partial<{ user: string; host: string; schema: string | null }> = {}): FilterRequest {
  const statement = parse(sql);
  const schema = over.schema === undefined ? 'shop' : over.schema;
  return {
    sessionId: 1, user: over.user ?? 'app_web', host: over.host ?? '127.0.0.1', schema, text: sql, kind: statement.type, statement,
    tables: () => statementTables(statement, schema), digest: () => statementDigest(sql), plan: () => undefined,
  };
}

test('rules evaluate in order: warn goes on, deny refuses, allow stops, limit holds a slot until done', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rules-'));
  try {
    const file = join(dir, 'rules.yaml');
    writeFileSync(file, `rules:
  - id: admins-free
    user: admin
    action: allow
  - id: warn-orders
    tables: ['shop.ord*']
    action: warn
  - id: no-delete
    kind: delete
    action: deny
    message: no deletes here
    code: 1142
  - id: two-reports
    digest: 'FROM REPORT'
    action: limit
    max_concurrent: 1
`);
    const f = new RulesFilter(file, 'enforce', silentLogger, (name) => gauges.gauge(name));
    assert.deepEqual(f.check(request('SELECT * FROM orders')), { kind: 'admit', note: "rule 'warn-orders' warned", done: undefined });
    const denied = f.check(request('DELETE FROM orders WHERE id = 1'));
    assert.equal(denied?.kind, 'deny');
    assert.ok(denied?.kind === 'deny' && denied.error.code === 1142 && denied.error.sqlState === '42000' && denied.error.message === 'no deletes here');
    assert.equal(f.check(request('DELETE FROM orders', { user: 'admin' })), undefined, 'allow ends the evaluation');
    const first = f.check(request('SELECT * FROM report'));
    assert.ok(first?.kind === 'admit' && first.done);
    const second = f.check(request('select * from report where x = 1'));
    assert.ok(second?.kind === 'deny' && second.error.code === 1226);
    if (first?.kind === 'admit') first.done?.(0);
    assert.equal(f.check(request('SELECT * FROM report'))?.kind, 'admit');
    const counters = Object.fromEntries(f.counters());
    assert.equal(counters.Filter_rules_denied, 1);
    assert.equal(counters.Filter_rules_limited, 1);
    assert.equal(counters.Filter_rules_warned, 2, 'the refused DELETE was warned about first');
    assert.equal(counters.Filter_rules_matched_no_delete, 1);
    assert.equal(counters.Filter_rules_running_two_reports, 1);

    const detect = new RulesFilter(file, 'detect', silentLogger, (name) => gauges.gauge(name));
    const dry = detect.check(request('DELETE FROM orders WHERE id = 1'));
    assert.ok(dry?.kind === 'admit');
    assert.match(dry.note ?? '', /rule 'no-delete' would have denied it \(detect mode\)/);
    assert.equal(Object.fromEntries(detect.counters()).Filter_rules_detected, 1);
    const off = new RulesFilter(file, 'off', silentLogger, (name) => gauges.gauge(name));
    assert.equal(off.check(request('DELETE FROM orders')), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
