// Tests for expression parsing: precedence, literals, operators, special function syntax.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, parseExpr, parseWithParams } from './index.js';
import type { Expr } from './ast.js';

/** A compact rendering of an expression tree that makes grouping visible. */
function show(e: Expr): string {
  switch (e.type) {
    case 'binary': return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case 'unary': return `(${e.op} ${show(e.operand)})`;
    case 'literal':
      if (e.kind === 'decimal') return e.text;
      if (e.kind === 'null') return 'NULL';
      if (e.kind === 'string') return `'${e.value}'`;
      if (e.kind === 'hex' || e.kind === 'bit') return `0x${e.value.toString('hex')}`;
      if (e.kind === 'temporal') return `${e.temporal}'${e.value}'`;
      return String(e.value);
    case 'column': return [e.schema, e.table, e.column].filter((x) => x !== undefined).join('.');
    case 'is': return `(${show(e.operand)} IS ${e.not ? 'NOT ' : ''}${e.test})`;
    case 'between': return `(${show(e.operand)} ${e.not ? 'NOT ' : ''}BETWEEN ${show(e.low)} AND ${show(e.high)})`;
    case 'call': return `${e.schema !== undefined ? e.schema + '.' : ''}${e.name}(${e.args.map(show).join(', ')})`;
    case 'variable': return (e.kind === 'user' ? '@' : '@@' + (e.scope ? e.scope + '.' : '')) + e.name;
    case 'like': return `(${show(e.operand)} ${e.not ? 'NOT ' : ''}LIKE ${show(e.pattern)}${e.escape ? ' ESCAPE ' + show(e.escape) : ''})`;
    case 'regexp': return `(${show(e.operand)} ${e.not ? 'NOT ' : ''}REGEXP ${show(e.pattern)})`;
    case 'inList': return `(${show(e.operand)} ${e.not ? 'NOT ' : ''}IN [${e.list.map(show).join(', ')}])`;
    case 'inSubquery': return `(${show(e.operand)} ${e.not ? 'NOT ' : ''}IN subquery)`;
    case 'collate': return `(${show(e.operand)} COLLATE ${e.collation})`;
    case 'interval': return `INTERVAL(${show(e.value)} ${e.unit})`;
    case 'row': return `ROW(${e.items.map(show).join(', ')})`;
    case 'param': return `?${e.index}`;
    case 'default': return e.column !== undefined ? `DEFAULT(${e.column})` : 'DEFAULT';
    default: return e.type;
  }
}
const p = (sql: string): string => show(parseExpr(sql));

test('arithmetic precedence and associativity', () => {
  assert.equal(p('1 + 2 * 3 - 4 / 5'), '((1 + (2 * 3)) - (4 / 5))');
  assert.equal(p('2 - 1 - 1'), '((2 - 1) - 1)');
  assert.equal(p('a % b MOD c DIV d'), '(((a MOD b) MOD c) DIV d)');
  assert.equal(p('a | b & c << d + e * f ^ g'), '(a | (b & (c << (d + (e * (f ^ g))))))');
  assert.equal(p('- a ^ b'), '((- a) ^ b)');
  assert.equal(p('~a + !b'), '((~ a) + (! b))');
});

test('logical precedence: NOT > AND > XOR > OR; && and || are AND/OR', () => {
  assert.equal(p('a OR b AND NOT c'), '(a OR (b AND (NOT c)))');
  assert.equal(p('a XOR b OR c'), '((a XOR b) OR c)');
  assert.equal(p('a || b && c'), '(a OR (b AND c))');
  assert.equal(p('NOT a = b'), '(NOT (a = b))');
  assert.equal(p('!a = b'), '((! a) = b)');
  assert.equal(p('NOT NOT a'), '(NOT (NOT a))');
});

test('comparison, IS, BETWEEN, IN, LIKE, REGEXP', () => {
  assert.equal(p('a = b = c'), '((a = b) = c)');
  assert.equal(p('a <> b != c <=> d'), '(((a != b) != c) <=> d)');
  assert.equal(p('a = b IS NULL'), '((a = b) IS null)');
  assert.equal(p('x IS NOT TRUE'), '(x IS NOT true)');
  assert.equal(p('x IS UNKNOWN AND y IS FALSE'), '((x IS unknown) AND (y IS false))');
  assert.equal(p('NOT a BETWEEN 1 AND 2'), '(NOT (a BETWEEN 1 AND 2))');
  assert.equal(p('a NOT BETWEEN 1 AND 2 AND c'), '((a NOT BETWEEN 1 AND 2) AND c)');
  assert.equal(p('a BETWEEN b + 1 AND c * 2'), '(a BETWEEN (b + 1) AND (c * 2))');
  assert.equal(p('a NOT IN (1, 2) = 0'), '((a NOT IN [1, 2]) = 0)');
  assert.equal(p("a NOT LIKE 'x%' ESCAPE '!'"), "(a NOT LIKE 'x%' ESCAPE '!')");
  assert.equal(p("a RLIKE 'x' OR b NOT REGEXP 'y'"), "((a REGEXP 'x') OR (b NOT REGEXP 'y'))");
  assert.equal(p('(a, b) IN ((1, 2), (3, 4))'), '(ROW(a, b) IN [ROW(1, 2), ROW(3, 4)])');
  assert.equal(p('a IN (SELECT 1)'), '(a IN subquery)');
  assert.equal(p("a SOUNDS LIKE 'x'"), "(SOUNDEX(a) = SOUNDEX('x'))");
  assert.equal(p("a MEMBER OF ('[1]')"), "MEMBER OF(a, '[1]')");
});

test('quantified subqueries, EXISTS, scalar subqueries, rows', () => {
  const q = parseExpr('a > ALL (SELECT b FROM t)');
  assert.equal(q.type, 'quantified');
  if (q.type === 'quantified') assert.deepEqual([q.op, q.quantifier], ['>', 'all']);
  const s = parseExpr('a <> SOME (SELECT 1)');
  assert.ok(s.type === 'quantified' && s.quantifier === 'any' && s.op === '!=');
  assert.equal(parseExpr('EXISTS (SELECT 1)').type, 'exists');
  assert.equal(parseExpr('(SELECT 1)').type, 'subquery');
  assert.equal(p('((SELECT 1) + 1)'), '(subquery + 1)');
  assert.equal(parseExpr('((SELECT 1) UNION (SELECT 2))').type, 'subquery');
  assert.equal(p('ROW(1, 2)'), 'ROW(1, 2)');
  assert.equal(p('(1)'), '1');
});

test('integer literals: number, bigint beyond 2^53, decimal beyond 2^64; negation folds', () => {
  assert.deepEqual(parseExpr('9007199254740991'), { type: 'literal', kind: 'integer', value: 9007199254740991, pos: 0 });
  assert.deepEqual(parseExpr('9007199254740993'), { type: 'literal', kind: 'integer', value: 9007199254740993n, pos: 0 });
  assert.deepEqual(parseExpr('18446744073709551615'), { type: 'literal', kind: 'integer', value: 18446744073709551615n, pos: 0 });
  assert.deepEqual(parseExpr('18446744073709551616'), { type: 'literal', kind: 'decimal', text: '18446744073709551616', pos: 0 });
  assert.deepEqual(parseExpr('-9223372036854775808'), { type: 'literal', kind: 'integer', value: -9223372036854775808n, pos: 0 });
  assert.deepEqual(parseExpr('-9223372036854775809'), { type: 'literal', kind: 'decimal', text: '-9223372036854775809', pos: 0 });
  assert.deepEqual(parseExpr('-5'), { type: 'literal', kind: 'integer', value: -5, pos: 0 });
  assert.equal(p('007'), '7');
  assert.equal(p('1 - -1'), '(1 - -1)');
  assert.equal(p('- - 1'), '1');
});

test('decimal, float, string, hex, bit, boolean, null and temporal literals', () => {
  assert.deepEqual(parseExpr('1.50'), { type: 'literal', kind: 'decimal', text: '1.50', pos: 0 });
  assert.equal(p('-1.50'), '-1.50');
  assert.equal(p('.5'), '.5');
  assert.deepEqual(parseExpr('1e3'), { type: 'literal', kind: 'float', value: 1000, pos: 0 });
  assert.equal(p("'a' 'b' \"c\""), "'abc'");
  assert.equal(p("X'4D'"), '0x4d');
  assert.equal(p('0x4D'), '0x4d');
  assert.equal(p('0xABC'), '0x0abc');
  assert.equal(p("b'101'"), '0x05');
  assert.equal(p('0b100000001'), '0x0101');
  assert.equal(parseExpr("b'101'").type === 'literal' && (parseExpr("b'101'") as { kind: string }).kind, 'bit');
  assert.equal(p('TRUE AND FALSE OR NULL'), '((true AND false) OR NULL)');
  assert.equal(p("DATE '2020-01-02'"), "date'2020-01-02'");
  assert.equal(p("TIME '10:00'"), "time'10:00'");
  assert.equal(p("TIMESTAMP '2020-01-01 00:00:00'"), "timestamp'2020-01-01 00:00:00'");
  assert.deepEqual(parseExpr("_utf8mb4'x'"), { type: 'literal', kind: 'string', value: 'x', introducer: '_utf8mb4', pos: 0 });
  assert.equal(p("_binary X'41'"), '0x41');
  assert.deepEqual(parseExpr("_utf8mb4 0x41"), { type: 'literal', kind: 'string', value: 'A', introducer: '_utf8mb4', pos: 0 });
  assert.equal(p("N'x'"), "'x'");
});

test('columns, qualified names, variables, parameters', () => {
  assert.equal(p('db.t.c + t.c + `select`.`from`'), '((db.t.c + t.c) + select.from)');
  assert.equal(p('t.select'), 't.select');
  assert.equal(p('@a + @@version + @@session.x + @@global.y'), '(((@a + @@version) + @@session.x) + @@global.y)');
  assert.equal(p('@a := 1 + 2'), ':=(@a, (1 + 2))');
  const r = parseWithParams('SELECT ? + ? FROM t WHERE a = ? LIMIT ?');
  assert.equal(r.paramCount, 4);
  assert.equal(show((r.statement as { items: { expr: Expr }[] }).items[0].expr), '(?0 + ?1)');
});

test('CASE, CAST, CONVERT, COLLATE, BINARY', () => {
  const c = parseExpr("CASE a WHEN 1 THEN 'x' WHEN 2 THEN 'y' ELSE 'z' END");
  assert.ok(c.type === 'case' && c.operand !== undefined && c.whens.length === 2 && c.else !== undefined);
  const c2 = parseExpr('CASE WHEN a THEN 1 END');
  assert.ok(c2.type === 'case' && c2.operand === undefined && c2.else === undefined);
  assert.deepEqual(parseExpr('CAST(a AS UNSIGNED)'), { type: 'cast', operand: { type: 'column', column: 'a', pos: 5 }, target: { kind: 'bigint', unsigned: true }, pos: 0 });
  const casts: [string, object][] = [
    ['CAST(a AS SIGNED INTEGER)', { kind: 'bigint' }],
    ['CAST(a AS CHAR(10))', { kind: 'char', length: 10 }],
    ['CAST(a AS BINARY)', { kind: 'binary' }],
    ['CAST(a AS DECIMAL)', { kind: 'decimal', precision: 10, scale: 0 }],
    ['CAST(a AS DECIMAL(5,2))', { kind: 'decimal', precision: 5, scale: 2 }],
    ['CAST(a AS DATETIME(3))', { kind: 'datetime', fsp: 3 }],
    ['CAST(a AS DATE)', { kind: 'date' }],
    ['CAST(a AS TIME)', { kind: 'time' }],
    ['CAST(a AS JSON)', { kind: 'json' }],
    ['CAST(a AS DOUBLE)', { kind: 'double' }],
    ['CAST(a AS FLOAT(30))', { kind: 'double' }],
    ['CONVERT(a, SIGNED)', { kind: 'bigint' }],
  ];
  for (const [sql, target] of casts) {
    const e = parseExpr(sql);
    assert.ok(e.type === 'cast', sql);
    if (e.type === 'cast') assert.deepEqual(e.target, target, sql);
  }
  const u = parseExpr('CONVERT(a USING utf8mb4)');
  assert.ok(u.type === 'cast' && u.charset === 'utf8mb4' && u.target.kind === 'char');
  const cs = parseExpr('CAST(a AS CHAR CHARACTER SET latin1)');
  assert.ok(cs.type === 'cast' && cs.charset === 'latin1');
  assert.equal(p("a COLLATE utf8mb4_bin = b"), '((a COLLATE utf8mb4_bin) = b)');
  assert.equal(p("BINARY a = b"), '((BINARY a) = b)');
  assert.throws(() => parseExpr('CAST(a AS INT)'), { code: 1064 });
});

test('function calls: names upper-cased, reserved-word functions, niladic keywords', () => {
  assert.equal(p('concat(a, b)'), 'CONCAT(a, b)');
  assert.equal(p('db.myfn(1)'), 'db.MYFN(1)');
  assert.equal(p("IF(a, LEFT(b, 1), RIGHT(c, 2))"), 'IF(a, LEFT(b, 1), RIGHT(c, 2))');
  assert.equal(p("REPLACE(a, 'b', 'c') + INSERT(a, 1, 2, 'x') + MOD(5, 2) + REPEAT('a', 2)"),
    "(((REPLACE(a, 'b', 'c') + INSERT(a, 1, 2, 'x')) + MOD(5, 2)) + REPEAT('a', 2))");
  assert.equal(p('DATABASE()'), 'DATABASE()');
  assert.equal(p('CURRENT_TIMESTAMP + CURRENT_TIMESTAMP(3) + NOW() + LOCALTIME + UTC_TIMESTAMP'),
    '((((CURRENT_TIMESTAMP() + CURRENT_TIMESTAMP(3)) + NOW()) + LOCALTIME()) + UTC_TIMESTAMP())');
  assert.equal(p('CURRENT_USER'), 'CURRENT_USER()');
  assert.equal(p('now'), 'now');
  assert.equal(p('VALUES(b)'), 'VALUES(b)');
  assert.equal(p('COUNT ( * )').length > 0, true);
});

test('special argument syntax: TRIM, SUBSTRING, POSITION, EXTRACT, CHAR USING, TIMESTAMPDIFF', () => {
  const t = parseExpr("TRIM(LEADING 'x' FROM s)");
  assert.ok(t.type === 'call' && t.trimSide === 'leading');
  assert.equal(show(t), "TRIM(s, 'x')");
  assert.equal(p("TRIM('x' FROM s)"), "TRIM(s, 'x')");
  assert.equal(p('TRIM(s)'), 'TRIM(s)');
  const b = parseExpr('TRIM(BOTH FROM s)');
  assert.ok(b.type === 'call' && b.trimSide === 'both' && b.args.length === 1);
  assert.equal(p('SUBSTRING(s FROM 2 FOR 3)'), 'SUBSTRING(s, 2, 3)');
  assert.equal(p('SUBSTR(s FROM 2)'), 'SUBSTR(s, 2)');
  assert.equal(p('SUBSTRING(s, 2, 3)'), 'SUBSTRING(s, 2, 3)');
  assert.equal(p("POSITION('a' IN s)"), "LOCATE('a', s)");
  const x = parseExpr('EXTRACT(YEAR_MONTH FROM d)');
  assert.ok(x.type === 'call' && x.unit === 'YEAR_MONTH' && x.args.length === 1);
  const ts = parseExpr('TIMESTAMPDIFF(DAY, a, b)');
  assert.ok(ts.type === 'call' && ts.unit === 'DAY' && ts.args.length === 2);
  const ch = parseExpr('CHAR(77, 78 USING utf8mb4)');
  assert.ok(ch.type === 'cast' && ch.charset === 'utf8mb4' && ch.operand.type === 'call');
  assert.equal(p('CHAR(77)'), 'CHAR(77)');
  assert.equal(p("GET_FORMAT(DATE, 'USA')"), "GET_FORMAT('DATE', 'USA')");
});

test('INTERVAL expressions and the INTERVAL() function', () => {
  assert.equal(p('DATE_ADD(d, INTERVAL 1 DAY)'), 'DATE_ADD(d, INTERVAL(1 DAY))');
  assert.equal(p('d + INTERVAL 1 DAY - INTERVAL 2 HOUR'), '((d + INTERVAL(1 DAY)) - INTERVAL(2 HOUR))');
  assert.equal(p('INTERVAL 1 + 1 MINUTE + d'), '(INTERVAL((1 + 1) MINUTE) + d)');
  assert.equal(p("INTERVAL '1:30' HOUR_MINUTE + d"), "(INTERVAL('1:30' HOUR_MINUTE) + d)");
  assert.equal(p('INTERVAL(5, 1, 10)'), 'INTERVAL(5, 1, 10)');
  assert.equal(p('INTERVAL (1) DAY + d'), '(INTERVAL(1 DAY) + d)');
});

test('aggregates, DISTINCT, COUNT(*), GROUP_CONCAT, OVER', () => {
  const c = parseExpr('COUNT(*)');
  assert.deepEqual(c, { type: 'aggregate', name: 'COUNT', distinct: false, star: true, args: [], pos: 0 });
  const d = parseExpr('count(DISTINCT a, b)');
  assert.ok(d.type === 'aggregate' && d.distinct && d.args.length === 2 && d.name === 'COUNT');
  for (const n of ['SUM', 'AVG', 'MIN', 'MAX', 'BIT_AND', 'BIT_OR', 'BIT_XOR', 'STD', 'STDDEV', 'STDDEV_POP', 'STDDEV_SAMP', 'VARIANCE', 'VAR_POP', 'VAR_SAMP', 'ANY_VALUE']) {
    const e = parseExpr(`${n.toLowerCase()}(x)`);
    assert.ok(e.type === 'aggregate' && e.name === n, n);
  }
  const g = parseExpr("GROUP_CONCAT(DISTINCT a ORDER BY b DESC, c SEPARATOR ';')");
  assert.ok(g.type === 'aggregate' && g.distinct && g.separator === ';' && g.orderBy?.length === 2 && g.orderBy[0].desc);
  const w = parseExpr('SUM(a) OVER (PARTITION BY b ORDER BY c ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)');
  assert.ok(w.type === 'aggregate' && w.over !== undefined && w.over.partitionBy.length === 1 && w.over.orderBy.length === 1);
  assert.deepEqual(w.over.frame, { unit: 'rows', start: { kind: 'unboundedPreceding' }, end: { kind: 'current' } });
  const f = parseExpr('AVG(a) OVER (ORDER BY c RANGE 2 PRECEDING)');
  assert.ok(f.type === 'aggregate' && f.over?.frame?.unit === 'range' && f.over.frame.start.kind === 'preceding' && f.over.frame.start.offset !== undefined);
  assert.deepEqual(f.over.frame.end, { kind: 'current' }, 'a lone start ends at the current row');
  const r = parseExpr('ROW_NUMBER() OVER w');
  assert.ok(r.type === 'aggregate' && r.over?.name === 'w');
  assert.throws(() => parseExpr('RANK()'), { code: 1064 });
});

test('DEFAULT, MATCH ... AGAINST, ODBC escapes, JSON paths', () => {
  assert.equal(p('DEFAULT'), 'DEFAULT');
  assert.equal(p('DEFAULT(a)'), 'DEFAULT(a)');
  const m = parseExpr("MATCH (a, b) AGAINST ('x' IN BOOLEAN MODE)");
  assert.ok(m.type === 'match' && m.columns.length === 2 && m.mode === 'BOOLEAN MODE');
  assert.equal(p("{d '2020-01-01'}"), "'2020-01-01'");
  assert.equal(p("a->'$.x' = a->>'$.y'"), "((a -> '$.x') = (a ->> '$.y'))");
});

test('reserved words cannot be bare column names; non-reserved keywords can', () => {
  assert.throws(() => parseExpr('select'), { code: 1064 });
  assert.throws(() => parse('SELECT key FROM t'), { code: 1064 });
  const s = parse('SELECT status, date, text, value, data, user, name, comment, timestamp, action, level, names FROM status');
  assert.ok(s.type === 'select' && s.items.length === 12);
  assert.deepEqual(s.type === 'select' && s.items.map((i) => i.text), ['status', 'date', 'text', 'value', 'data', 'user', 'name', 'comment', 'timestamp', 'action', 'level', 'names']);
});
