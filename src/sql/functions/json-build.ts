// Building JSON from SQL values: JSON_OBJECT, JSON_ARRAY, JSON_QUOTE.
import { sqlError } from '../../base/errors.js';
import type { JsonNode, JsonObject } from '../types/json-doc.js';
import { quoteJsonString } from '../types/json-doc.js';
import { valueToString } from '../types/convert.js';
import type { FunctionDef } from './define.js';
import { jsonResult, textOf, T_JSON, valueArg } from './json-args.js';

/** JSON_OBJECT(key, value, ...): the last of duplicate keys wins; a NULL key is error 3158. */
const JSON_OBJECT: FunctionDef = {
  name: 'JSON_OBJECT', minArgs: 0, maxArgs: 1 << 16,
  compile(args) {
    if (args.length % 2 !== 0) throw sqlError('WRONG_PARAMCOUNT_TO_NATIVE_FCT', "Incorrect parameter count in the call to native function 'json_object'");
    const keys = args.filter((_a, i) => i % 2 === 0).map((a) => ({ e: a.eval, type: a.type }));
    const values = args.filter((_a, i) => i % 2 === 1).map(valueArg);
    return {
      type: T_JSON, nullable: false, constant: args.every((a) => a.constant),
      eval: (r, c) => {
        const obj: JsonObject = new Map();
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i].e(r, c);
          if (k === null) throw sqlError('JSON_DOCUMENT_NULL_KEY', 'JSON documents may not contain NULL member names.');
          const key = valueToString(k, keys[i].type);
          obj.delete(key);
          obj.set(key, values[i](r, c));
        }
        return jsonResult(obj);
      },
    };
  },
};

/** JSON_ARRAY(value, ...). */
const JSON_ARRAY: FunctionDef = {
  name: 'JSON_ARRAY', minArgs: 0, maxArgs: 1 << 16,
  compile(args) {
    const values = args.map(valueArg);
    return {
      type: T_JSON, nullable: false, constant: args.every((a) => a.constant),
      eval: (r, c) => {
        const arr: JsonNode[] = new Array(values.length);
        for (let i = 0; i < values.length; i++) arr[i] = values[i](r, c);
        return jsonResult(arr);
      },
    };
  },
};

/** JSON_QUOTE(s): a string as a JSON string literal (text, not JSON). */
const JSON_QUOTE: FunctionDef = {
  name: 'JSON_QUOTE', minArgs: 1, maxArgs: 1,
  compile([a]) {
    const e = a.eval;
    return {
      type: { kind: 'longtext', collation: 'utf8mb4_bin' }, nullable: true, constant: a.constant,
      eval: (r, c) => {
        const v = e(r, c);
        return v === null ? null : quoteJsonString(textOf(v));
      },
    };
  },
};

export const jsonBuildFunctions: FunctionDef[] = [JSON_OBJECT, JSON_ARRAY, JSON_QUOTE];
