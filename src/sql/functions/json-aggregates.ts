// The JSON aggregates: JSON_ARRAYAGG collects values into an array, JSON_OBJECTAGG key/value pairs into an object.
import { sqlError } from '../../base/errors.js';
import type { Compiled } from '../analyzer/compile-expr.js';
import type { JsonNode, JsonObject } from '../types/json-doc.js';
import { valueToString } from '../types/convert.js';
import type { AggregateSpec } from './aggregates.js';
import { jsonResult, T_JSON } from './json-args.js';
import { sqlToJson } from '../types/json-convert.js';

/** The spec of JSON_ARRAYAGG(v) or JSON_OBJECTAGG(k, v); NULL values are kept as JSON null, a NULL key is 3158. */
export function jsonAggregate(name: 'JSON_ARRAYAGG' | 'JSON_OBJECTAGG', args: Compiled[]): AggregateSpec {
  if (name === 'JSON_ARRAYAGG') {
    if (args.length !== 1) throw sqlError('WRONG_PARAMCOUNT_TO_NATIVE_FCT', "Incorrect parameter count in the call to native function 'json_arrayagg'");
    const e = args[0].eval;
    const type = args[0].type;
    return {
      type: T_JSON,
      create() {
        let items: JsonNode[] | undefined;
        return {
          add(row, ctx) {
            const v = e(row, ctx);
            // What a group collects counts against the statement's memory bound (1038 past it).
            ctx.memory?.charge([v]);
            (items ??= []).push(sqlToJson(v, type));
          },
          result: () => jsonResult(items),
        };
      },
    };
  }
  if (args.length !== 2) throw sqlError('WRONG_PARAMCOUNT_TO_NATIVE_FCT', "Incorrect parameter count in the call to native function 'json_objectagg'");
  const key = args[0].eval;
  const keyType = args[0].type;
  const value = args[1].eval;
  const valueType = args[1].type;
  return {
    type: T_JSON,
    create() {
      let obj: JsonObject | undefined;
      return {
        add(row, ctx) {
          const k = key(row, ctx);
          if (k === null) throw sqlError('JSON_DOCUMENT_NULL_KEY', 'JSON documents may not contain NULL member names.');
          const text = valueToString(k, keyType);
          const v = value(row, ctx);
          ctx.memory?.charge([text, v]);
          obj ??= new Map();
          obj.delete(text);
          obj.set(text, sqlToJson(v, valueType));
        },
        result: () => jsonResult(obj),
      };
    },
  };
}
