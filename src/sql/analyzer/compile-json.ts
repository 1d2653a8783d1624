// The JSON parts of the expression compiler: comparisons with a JSON operand and CASTs to and from JSON.
import type { SqlType } from '../../base/sql-type.js';
import { formatJson } from '../types/json-doc.js';
import { compareJson } from '../types/json-compare.js';
import type { JsonNode } from '../types/json-doc.js';
import type { Value } from '../../base/value.js';
import { jsonToSql, parseJsonArg, sqlToJson, sqlToJsonText } from '../types/json-convert.js';
import { T_BOOL_INT } from '../types/infer.js';
import { isBinaryType, isStringType } from '../../base/sql-type.js';
import type { Compiled } from './compile-expr.js';

/** A comparison with a JSON operand: the other side becomes JSON and the two compare by MySQL's JSON rules. */
export function compileJsonComparison(nullSafe: boolean, test: (cmp: number) => boolean, a: Compiled, b: Compiled): Compiled {
  const ae = a.eval, be = b.eval;
  const bothJson = a.type.kind === 'json' && b.type.kind === 'json';
  const an = jsonReader(a), bn = jsonReader(b);
  return {
    type: T_BOOL_INT, nullable: !nullSafe && (a.nullable || b.nullable), constant: a.constant && b.constant,
    eval: (r, c) => {
      const x = ae(r, c);
      const y = be(r, c);
      if (x === null || y === null) return nullSafe ? (x === y ? 1 : 0) : null;
      // Equal canonical texts are equal values; no need to parse them.
      if (bothJson && x === y) return test(0) ? 1 : 0;
      return test(compareJson(an(x), bn(y))) ? 1 : 0;
    },
  };
}

/** `x [NOT] IN (list)` where x or an item is JSON: each item compares as `x = item` would. */
export function compileJsonInList(x: Compiled, list: Compiled[], not: boolean): Compiled {
  const equal = (cmp: number): boolean => cmp === 0;
  const tests = list.map((e) => compileJsonComparison(false, equal, x, e).eval);
  const xe = x.eval;
  return {
    type: T_BOOL_INT, nullable: true, constant: x.constant && list.every((e) => e.constant),
    eval: (r, c) => {
      if (xe(r, c) === null) return null;
      let sawNull = false;
      for (const t of tests) {
        const v = t(r, c);
        if (v === null) sawNull = true;
        else if (v === 1) return not ? 0 : 1;
      }
      return sawNull ? null : not ? 1 : 0;
    },
  };
}

/** Converts an operand's values to JSON; a constant operand's once per statement. */
function jsonReader(x: Compiled): (v: Exclude<Value, null>) => JsonNode {
  const type = x.type;
  if (!x.constant) return (v) => sqlToJson(v, type);
  let last: Exclude<Value, null> | undefined;
  let node: JsonNode = null;
  return (v) => {
    if (v !== last) {
      node = sqlToJson(v, type);
      last = v;
    }
    return node;
  };
}

const T_JSON: SqlType = { kind: 'json' };

/** CAST(x AS JSON): JSON stays, text is parsed (3141 when it is not JSON), other values convert by type. */
export function castToJson(x: Compiled): Compiled {
  if (x.type.kind === 'json') return x;
  const xe = x.eval;
  const type = x.type;
  const parse = isStringType(type) && !isBinaryType(type);
  return {
    type: T_JSON, nullable: x.nullable, constant: x.constant,
    eval: (r, c) => {
      const v = xe(r, c);
      if (v === null) return null;
      if (parse && typeof v === 'string') return formatJson(parseJsonArg(v, 1, 'cast_as_json'));
      return sqlToJsonText(v, type);
    },
  };
}

/**
 * A JSON operand read as the SQL scalar it holds, for CAST(json AS SIGNED/DECIMAL/DATE/...):
 * strings unquoted, numbers as numbers, true/false as 1/0.
 */
export function jsonAsScalar(x: Compiled): Compiled {
  const xe = x.eval;
  return {
    ...x,
    type: { kind: 'longtext' },
    eval: (r, c) => {
      const v = xe(r, c);
      return v === null ? null : jsonToSql(parseJsonArg(typeof v === 'string' ? v : String(v), 1, 'cast'));
    },
  };
}
