// Prints an expression as MySQL prints a stored one (generated columns): parenthesized operators, lower-case keywords, back-quoted names; the text parses back to the same tree.
import { sqlError } from '../../base/errors.js';
import { renderType } from '../types/render.js';
import type { Expr, LiteralExpr } from './ast.js';
import { quoteIdentifier } from '../../base/identifier.js';


function quoteText(s: string): string {
  return "'" + s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\0/g, '\\0') + "'";
}

function literalText(e: LiteralExpr): string {
  switch (e.kind) {
    case 'null': return 'NULL';
    case 'integer': return String(e.value);
    case 'decimal': return e.text;
    case 'float': return String(e.value);
    case 'string': return (e.introducer ?? '_utf8mb4') + quoteText(e.value);
    case 'hex': case 'bit': return '0x' + e.value.toString('hex');
    case 'boolean': return e.value ? 'true' : 'false';
    case 'temporal': return `${e.temporal.toUpperCase()}${quoteText(e.value)}`;
  }
}

const BINARY_WORDS: Partial<Record<string, string>> = { AND: 'and', OR: 'or', XOR: 'xor', DIV: 'DIV', MOD: '%' };

/**
 * The text of `e` in MySQL's canonical form, e.g. `(\`a\` + \`b\`)`. Throws 3102 for what a stored
 * expression cannot hold (subqueries, variables, parameters, aggregates) — callers check those first.
 */
export function exprText(e: Expr): string {
  const t = exprText;
  const list = (xs: Expr[]) => xs.map(t).join(',');
  switch (e.type) {
    case 'literal': return literalText(e);
    case 'column': return quoteIdentifier(e.column);
    case 'unary':
      switch (e.op) {
        case 'NOT': case '!': return `(not(${t(e.operand)}))`;
        case 'BINARY': return `cast(${t(e.operand)} as char charset binary)`;
        case '+': return t(e.operand);
        default: return `${e.op}(${t(e.operand)})`;
      }
    case 'binary':
      if (e.op === '->') return `json_extract(${t(e.left)},${t(e.right)})`;
      if (e.op === '->>') return `json_unquote(json_extract(${t(e.left)},${t(e.right)}))`;
      return `(${t(e.left)} ${BINARY_WORDS[e.op] ?? e.op} ${t(e.right)})`;
    case 'is': return `(${t(e.operand)} is ${e.not ? 'not ' : ''}${e.test})`;
    case 'between': return `(${t(e.operand)} ${e.not ? 'not ' : ''}between ${t(e.low)} and ${t(e.high)})`;
    case 'inList': return `(${t(e.operand)} ${e.not ? 'not ' : ''}in (${list(e.list)}))`;
    case 'like': return `(${e.not ? 'not(' : ''}${t(e.operand)} like ${t(e.pattern)}${e.escape ? ` escape ${t(e.escape)}` : ''}${e.not ? ')' : ''})`;
    case 'regexp': return `${e.not ? '(not(' : ''}regexp_like(${t(e.operand)},${t(e.pattern)})${e.not ? '))' : ''}`;
    case 'case': {
      let s = '(case';
      if (e.operand) s += ` ${t(e.operand)}`;
      for (const w of e.whens) s += ` when ${t(w.when)} then ${t(w.then)}`;
      if (e.else) s += ` else ${t(e.else)}`;
      return s + ' end)';
    }
    case 'cast': return `cast(${t(e.operand)} as ${renderType(e.target)}${e.charset ? ` charset ${e.charset}` : ''})`;
    case 'call': {
      const name = (e.schema ? `${quoteIdentifier(e.schema)}.` : '') + e.name.toLowerCase();
      if (e.jsonValue) break;
      if (e.name === 'TRIM' && (e.trimSide || e.args.length > 1)) return `${name}(${e.trimSide ?? 'both'} ${e.args.length > 1 ? `${t(e.args[1])} ` : ''}from ${t(e.args[0])})`;
      if (e.unit) return `${name}(${e.unit.toLowerCase()} from ${list(e.args)})`;
      return `${name}(${list(e.args)})`;
    }
    case 'interval': return `interval ${t(e.value)} ${e.unit.toLowerCase()}`;
    case 'collate': return `(${t(e.operand)} collate ${e.collation})`;
    case 'row': return `(${list(e.items)})`;
    default:
      break;
  }
  throw sqlError('GENERATED_COLUMN_FUNCTION_IS_NOT_ALLOWED', 'This expression cannot be stored in a generated column');
}
