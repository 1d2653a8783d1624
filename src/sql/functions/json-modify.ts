// Changing JSON documents: JSON_SET, JSON_INSERT, JSON_REPLACE, JSON_REMOVE, JSON_ARRAY_APPEND/INSERT, JSON_MERGE_*.
import { sqlError } from '../../base/errors.js';
import type { Compiled } from '../analyzer/compile-expr.js';
import type { JsonNode } from '../types/json-doc.js';
import type { JsonPath } from '../types/json-path.js';
import { arrayInsertAt, mergePatch, mergePreserve, removeAt, setAt, updateAt, type SetMode } from '../types/json-edit.js';
import type { FunctionDef } from './define.js';
import { docArg, jsonResult, pathArg, T_JSON, valueArg } from './json-args.js';

type Edit = (doc: JsonNode, path: JsonPath, value: JsonNode) => JsonNode;

/** A function of (doc, path, value[, path, value ...]) applying `edit` for each pair in turn. */
function pathValueEditor(name: string, edit: Edit): FunctionDef {
  const fn = name.toLowerCase();
  return {
    name, minArgs: 3, maxArgs: 1 << 16,
    compile(args) {
      if (args.length % 2 !== 1) throw sqlError('WRONG_PARAMCOUNT_TO_NATIVE_FCT', `Incorrect parameter count in the call to native function '${fn}'`);
      const doc = docArg(args[0], 1, fn, true);
      const pairs: { path: ReturnType<typeof pathArg>; value: ReturnType<typeof valueArg> }[] = [];
      for (let i = 1; i < args.length; i += 2) pairs.push({ path: pathArg(args[i], true), value: valueArg(args[i + 1]) });
      return {
        type: T_JSON, nullable: true, constant: args.every((a) => a.constant),
        eval: (r, c) => {
          let d = doc(r, c);
          if (d === undefined) return null;
          for (const p of pairs) {
            const path = p.path(r, c);
            if (path === undefined) return null;
            d = edit(d, path, p.value(r, c));
          }
          return jsonResult(d);
        },
      };
    },
  };
}

const setter = (mode: SetMode): Edit => (doc, path, value) => setAt(doc, path.legs, 0, value, mode);

const JSON_ARRAY_APPEND = pathValueEditor('JSON_ARRAY_APPEND', (doc, path, value) =>
  updateAt(doc, path.legs, 0, (cur) => {
    if (!Array.isArray(cur)) return [cur, value];
    cur.push(value);
    return cur;
  }));

const JSON_ARRAY_INSERT = pathValueEditor('JSON_ARRAY_INSERT', (doc, path, value) => {
  if (path.legs.length === 0 || path.legs[path.legs.length - 1].kind !== 'cell') {
    throw sqlError('INVALID_JSON_PATH_ARRAY_CELL', 'A path expression is not a path to a cell in an array.');
  }
  return arrayInsertAt(doc, path.legs, value);
});

/** JSON_REMOVE(doc, path[, path ...]). */
const JSON_REMOVE: FunctionDef = {
  name: 'JSON_REMOVE', minArgs: 2, maxArgs: 1 << 16,
  compile(args) {
    const doc = docArg(args[0], 1, 'json_remove', true);
    const paths = args.slice(1).map((a) => pathArg(a, true));
    return {
      type: T_JSON, nullable: true, constant: args.every((a) => a.constant),
      eval: (r, c) => {
        let d = doc(r, c);
        if (d === undefined) return null;
        for (const p of paths) {
          const path = p(r, c);
          if (path === undefined) return null;
          if (path.legs.length === 0) throw sqlError('JSON_VACUOUS_PATH', "The path expression '$' is not allowed in this context.");
          d = removeAt(d, path.legs);
        }
        return jsonResult(d);
      },
    };
  },
};

/** A merge of two or more documents, left to right. */
function merger(name: string, merge: (a: JsonNode, b: JsonNode) => JsonNode, deprecated = false): FunctionDef {
  return {
    name, minArgs: 2, maxArgs: 1 << 16,
    compile(args: Compiled[], env) {
      if (deprecated) env.session.warn(1287, `'${name}' is deprecated and will be removed in a future release. Please use JSON_MERGE_PRESERVE/JSON_MERGE_PATCH instead`);
      const docs = args.map((a, i) => docArg(a, i + 1, name.toLowerCase(), true));
      return {
        type: T_JSON, nullable: true, constant: args.every((a) => a.constant),
        eval: (r, c) => {
          let acc = docs[0](r, c);
          if (acc === undefined) return null;
          for (let i = 1; i < docs.length; i++) {
            const d = docs[i](r, c);
            if (d === undefined) return null;
            acc = merge(acc, d);
          }
          return jsonResult(acc);
        },
      };
    },
  };
}

export const jsonModifyFunctions: FunctionDef[] = [
  pathValueEditor('JSON_SET', setter('set')),
  pathValueEditor('JSON_INSERT', setter('insert')),
  pathValueEditor('JSON_REPLACE', setter('replace')),
  JSON_ARRAY_APPEND, JSON_ARRAY_INSERT, JSON_REMOVE,
  merger('JSON_MERGE_PRESERVE', mergePreserve),
  merger('JSON_MERGE', mergePreserve, true),
  merger('JSON_MERGE_PATCH', mergePatch),
];
