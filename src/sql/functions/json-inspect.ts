// Describing JSON documents: JSON_TYPE, JSON_VALID, JSON_LENGTH, JSON_DEPTH, JSON_KEYS, JSON_PRETTY.
import type { Value } from '../../base/value.js';
import type { Compiled } from '../analyzer/compile-expr.js';
import { formatJsonPretty, isJsonObject, jsonDepth, jsonTypeName, sortedKeys, type JsonNode } from '../types/json-doc.js';
import { isValidJson } from '../types/json-parse.js';
import { T_BIGINT } from '../types/infer.js';
import type { SqlType } from '../../base/sql-type.js';
import type { FunctionDef } from './define.js';
import { atOptionalPath, docArg, jsonResult, pathArg, T_JSON, T_JSON_TEXT } from './json-args.js';

/** A function of one document and an optional path (no wildcards: 3149), NULL when either is NULL or the path finds nothing. */
function ofDocument(name: string, maxArgs: number, type: SqlType, fn: (n: JsonNode) => Value): FunctionDef {
  const lower = name.toLowerCase();
  return {
    name, minArgs: 1, maxArgs,
    compile(args: Compiled[]) {
      const doc = docArg(args[0], 1, lower);
      const path = args[1] ? pathArg(args[1], true) : undefined;
      return {
        type, nullable: true, constant: args.every((a) => a.constant),
        eval: (r, c) => {
          const d = doc(r, c);
          const at = d === undefined ? undefined : atOptionalPath(d, path, r, c);
          return at === undefined ? null : fn(at);
        },
      };
    },
  };
}

const JSON_TYPE = ofDocument('JSON_TYPE', 1, { kind: 'varchar', length: 16, collation: 'utf8mb4_bin' }, jsonTypeName);
const JSON_DEPTH = ofDocument('JSON_DEPTH', 1, T_BIGINT, jsonDepth);
const JSON_PRETTY = ofDocument('JSON_PRETTY', 1, T_JSON_TEXT, (n) => formatJsonPretty(n));
const JSON_LENGTH = ofDocument('JSON_LENGTH', 2, T_BIGINT, (n) => (Array.isArray(n) ? n.length : isJsonObject(n) ? n.size : 1));
const JSON_KEYS = ofDocument('JSON_KEYS', 2, T_JSON, (n) => (isJsonObject(n) ? jsonResult(sortedKeys(n)) : null));

/** JSON_VALID(x): 1 for JSON and valid JSON text, 0 for anything else, NULL for NULL. */
const JSON_VALID: FunctionDef = {
  name: 'JSON_VALID', minArgs: 1, maxArgs: 1,
  compile([a]) {
    const e = a.eval;
    const isJson = a.type.kind === 'json';
    return {
      type: T_BIGINT, nullable: true, constant: a.constant,
      eval: (r, c) => {
        const v = e(r, c);
        if (v === null) return null;
        if (isJson) return 1;
        if (typeof v !== 'string') return 0;
        return isValidJson(v) ? 1 : 0;
      },
    };
  },
};

export const jsonInspectFunctions: FunctionDef[] = [JSON_TYPE, JSON_DEPTH, JSON_PRETTY, JSON_LENGTH, JSON_KEYS, JSON_VALID];
