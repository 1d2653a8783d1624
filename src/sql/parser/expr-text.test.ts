// The canonical text of stored expressions: MySQL's layout, and a fixed point when parsed and printed again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExpr } from './index.js';
import { exprText } from './expr-text.js';

const CASES: [string, string][] = [
  ['a + b', '(`a` + `b`)'],
  ['a*2 + b DIV 3 - c % 2', '(((`a` * 2) + (`b` DIV 3)) - (`c` % 2))'],
  ["CONCAT(first, ' ', last)", "concat(`first`,_utf8mb4' ',`last`)"],
  ['NOT a AND b OR c IS NULL', '(((not(`a`)) and `b`) or (`c` is null))'],
  ['a BETWEEN 1 AND 2', '(`a` between 1 and 2)'],
  ['a NOT IN (1, 2)', '(`a` not in (1,2))'],
  ["a LIKE 'x%'", "(`a` like _utf8mb4'x%')"],
  ["CASE WHEN a > 1 THEN 'big' ELSE 'small' END", "(case when (`a` > 1) then _utf8mb4'big' else _utf8mb4'small' end)"],
  ["TRIM(LEADING 'x' FROM s)", "trim(leading _utf8mb4'x' from `s`)"],
  ["TRIM('x' FROM s)", "trim(both _utf8mb4'x' from `s`)"],
  ['DATE_ADD(d, INTERVAL 1 DAY)', 'date_add(`d`,interval 1 day)'],
  ['EXTRACT(YEAR FROM d)', 'extract(year from `d`)'],
  ["j->>'$.name'", "json_unquote(json_extract(`j`,_utf8mb4'$.name'))"],
  ["'it''s'", "_utf8mb4'it\\'s'"],
  ['-a', '-(`a`)'],
  ['1.50 + 2', '(1.50 + 2)'],
];

test('stored expressions print as MySQL prints them, and print the same after a round trip', () => {
  for (const [sql, want] of CASES) {
    const text = exprText(parseExpr(sql));
    assert.equal(text, want, sql);
    assert.equal(exprText(parseExpr(text)), text, `round trip of ${sql}`);
  }
});
