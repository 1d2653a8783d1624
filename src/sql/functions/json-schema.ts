// JSON_SCHEMA_VALID and JSON_SCHEMA_VALIDATION_REPORT: validation against a JSON Schema, the draft 4 keywords MySQL 8
// supports (type, enum, the numeric, string, array and object keywords, allOf/anyOf/oneOf/not, dependencies, and $ref
// to a place in the same schema); format is accepted and not checked, as in MySQL.
import { sqlError } from '../../base/errors.js';
import { Decimal } from '../../base/decimal.js';
import type { Compiled } from '../analyzer/compile-expr.js';
import { isJsonObject, type JsonNode, type JsonObject } from '../types/json-doc.js';
import { compareJson } from '../types/json-compare.js';
import { T_BIGINT } from '../types/infer.js';
import type { FunctionDef } from './define.js';
import { docArg, jsonResult, T_JSON } from './json-args.js';

/** Where validation first failed: JSON pointers ('#/properties/a') into the schema and the document, and the keyword. */
interface Failure {
  schema: string;
  doc: string;
  keyword: string;
}

function num(n: JsonNode): number | undefined {
  if (typeof n === 'number') return n;
  if (typeof n === 'bigint') return Number(n);
  if (n instanceof Decimal) return n.toNumber();
  return undefined;
}

function typeMatches(n: JsonNode, t: JsonNode): boolean {
  switch (t) {
    case 'null': return n === null;
    case 'boolean': return typeof n === 'boolean';
    case 'object': return n !== null && isJsonObject(n);
    case 'array': return Array.isArray(n);
    case 'string': return typeof n === 'string';
    case 'number': return num(n) !== undefined;
    case 'integer': return typeof n === 'bigint' || (n instanceof Decimal && Number.isInteger(n.toNumber()));
    default: return false;
  }
}

/** A JSON pointer step: ~ and / escaped. */
function step(pointer: string, key: string | number): string {
  return `${pointer}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** Schema keywords whose value is a schema, searched when a $ref points into them. */
function resolvePointer(root: JsonNode, ref: string): JsonNode | undefined {
  if (!ref.startsWith('#')) throw sqlError('NOT_SUPPORTED_YET', "This version of mizzle does not yet support a JSON Schema $ref outside the schema itself");
  let n: JsonNode | undefined = root;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(n)) n = n[Number(key)];
    else if (n !== null && n !== undefined && isJsonObject(n)) n = n.get(key);
    else return undefined;
  }
  return n;
}

class Validator {
  private depth = 0;
  constructor(private readonly root: JsonObject) {}

  /** The first failure of `doc` against `schema`, or undefined when it is valid. */
  check(schema: JsonNode, sp: string, doc: JsonNode, dp: string): Failure | undefined {
    if (schema === null || !isJsonObject(schema)) return undefined;
    if (++this.depth > 200) throw sqlError('NOT_SUPPORTED_YET', 'This version of mizzle does not yet support a JSON Schema nested (or referring to itself) this deeply');
    try {
      return this.keywords(schema, sp, doc, dp);
    } finally {
      this.depth--;
    }
  }

  private keywords(s: JsonObject, sp: string, doc: JsonNode, dp: string): Failure | undefined {
    const fail = (keyword: string): Failure => ({ schema: sp, doc: dp, keyword });
    const ref = s.get('$ref');
    if (typeof ref === 'string') {
      const target = resolvePointer(this.root, ref);
      if (target === undefined) throw sqlError('INVALID_JSON_TYPE', `Invalid JSON Schema: $ref '${ref}' does not resolve`);
      return this.check(target, ref, doc, dp);
    }
    const type = s.get('type');
    if (type !== undefined && !(Array.isArray(type) ? type.some((t) => typeMatches(doc, t)) : typeMatches(doc, type))) return fail('type');
    const en = s.get('enum');
    if (Array.isArray(en) && !en.some((v) => compareJson(v, doc) === 0)) return fail('enum');
    for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
      const list = s.get(k);
      if (!Array.isArray(list)) continue;
      const ok = list.map((sub, i) => this.check(sub, step(step(sp, k), i), doc, dp) === undefined).filter(Boolean).length;
      if (k === 'allOf' ? ok !== list.length : k === 'anyOf' ? ok === 0 : ok !== 1) return fail(k);
    }
    const not = s.get('not');
    if (not !== undefined && this.check(not, step(sp, 'not'), doc, dp) === undefined) return fail('not');
    const n = num(doc);
    if (n !== undefined) {
      const min = num(s.get('minimum') ?? null);
      if (min !== undefined && (s.get('exclusiveMinimum') === true ? n <= min : n < min)) return fail('minimum');
      const max = num(s.get('maximum') ?? null);
      if (max !== undefined && (s.get('exclusiveMaximum') === true ? n >= max : n > max)) return fail('maximum');
      const mult = num(s.get('multipleOf') ?? null);
      if (mult !== undefined && mult > 0) {
        const q = n / mult;
        if (Math.abs(q - Math.round(q)) > 1e-9 * Math.max(1, Math.abs(q))) return fail('multipleOf');
      }
    }
    if (typeof doc === 'string') {
      const len = [...doc].length;
      const minL = num(s.get('minLength') ?? null);
      if (minL !== undefined && len < minL) return fail('minLength');
      const maxL = num(s.get('maxLength') ?? null);
      if (maxL !== undefined && len > maxL) return fail('maxLength');
      const pattern = s.get('pattern');
      if (typeof pattern === 'string' && !regex(pattern).test(doc)) return fail('pattern');
    }
    if (Array.isArray(doc)) return this.array(s, sp, doc, dp);
    if (doc !== null && isJsonObject(doc)) return this.object(s, sp, doc, dp);
    return undefined;
  }

  private array(s: JsonObject, sp: string, doc: JsonNode[], dp: string): Failure | undefined {
    const fail = (keyword: string): Failure => ({ schema: sp, doc: dp, keyword });
    const minI = num(s.get('minItems') ?? null);
    if (minI !== undefined && doc.length < minI) return fail('minItems');
    const maxI = num(s.get('maxItems') ?? null);
    if (maxI !== undefined && doc.length > maxI) return fail('maxItems');
    if (s.get('uniqueItems') === true) {
      for (let i = 0; i < doc.length; i++) for (let j = i + 1; j < doc.length; j++) if (compareJson(doc[i], doc[j]) === 0) return fail('uniqueItems');
    }
    const items = s.get('items');
    if (Array.isArray(items)) {
      for (let i = 0; i < doc.length; i++) {
        if (i < items.length) {
          const f = this.check(items[i], step(step(sp, 'items'), i), doc[i], step(dp, i));
          if (f) return f;
        } else {
          const extra = s.get('additionalItems');
          if (extra === false) return fail('additionalItems');
          if (extra !== undefined && extra !== true) {
            const f = this.check(extra, step(sp, 'additionalItems'), doc[i], step(dp, i));
            if (f) return f;
          }
        }
      }
    } else if (items !== undefined) {
      for (let i = 0; i < doc.length; i++) {
        const f = this.check(items, step(sp, 'items'), doc[i], step(dp, i));
        if (f) return f;
      }
    }
    return undefined;
  }

  private object(s: JsonObject, sp: string, doc: JsonObject, dp: string): Failure | undefined {
    const fail = (keyword: string): Failure => ({ schema: sp, doc: dp, keyword });
    const minP = num(s.get('minProperties') ?? null);
    if (minP !== undefined && doc.size < minP) return fail('minProperties');
    const maxP = num(s.get('maxProperties') ?? null);
    if (maxP !== undefined && doc.size > maxP) return fail('maxProperties');
    const required = s.get('required');
    if (Array.isArray(required) && required.some((k) => typeof k === 'string' && !doc.has(k))) return fail('required');
    const props = s.get('properties');
    const patterns = s.get('patternProperties');
    const additional = s.get('additionalProperties');
    for (const [key, value] of doc) {
      let covered = false;
      if (props !== undefined && props !== null && isJsonObject(props) && props.has(key)) {
        covered = true;
        const f = this.check(props.get(key) ?? null, step(step(sp, 'properties'), key), value, step(dp, key));
        if (f) return f;
      }
      if (patterns !== undefined && patterns !== null && isJsonObject(patterns)) {
        for (const [p, sub] of patterns) {
          if (!regex(p).test(key)) continue;
          covered = true;
          const f = this.check(sub, step(step(sp, 'patternProperties'), p), value, step(dp, key));
          if (f) return f;
        }
      }
      if (!covered && additional !== undefined) {
        if (additional === false) return fail('additionalProperties');
        if (additional !== true) {
          const f = this.check(additional, step(sp, 'additionalProperties'), value, step(dp, key));
          if (f) return f;
        }
      }
    }
    const deps = s.get('dependencies');
    if (deps !== undefined && deps !== null && isJsonObject(deps)) {
      for (const [key, dep] of deps) {
        if (!doc.has(key)) continue;
        if (Array.isArray(dep)) {
          if (dep.some((k) => typeof k === 'string' && !doc.has(k))) return fail('dependencies');
        } else {
          const f = this.check(dep, step(step(sp, 'dependencies'), key), doc, dp);
          if (f) return f;
        }
      }
    }
    return undefined;
  }
}

/** Patterns are ECMA 262 regular expressions, as JSON Schema says; an invalid one is the schema's error. */
const regexCache = new Map<string, RegExp>();
function regex(p: string): RegExp {
  let r = regexCache.get(p);
  if (r === undefined) {
    try {
      r = new RegExp(p, 'u');
    } catch {
      throw sqlError('INVALID_JSON_TYPE', `Invalid JSON Schema: the pattern '${p}' is not a regular expression`);
    }
    if (regexCache.size > 256) regexCache.clear();
    regexCache.set(p, r);
  }
  return r;
}

/** Compiles a schema/document pair: NULL when either is NULL; 3853 when the schema is not an object. */
function schemaFunction(name: string, result: (f: Failure | undefined) => ReturnType<Compiled['eval']>, type: Compiled['type']): FunctionDef {
  const lower = name.toLowerCase();
  return {
    name, minArgs: 2, maxArgs: 2,
    compile([schemaArg, docArgument]) {
      const schemaOf = docArg(schemaArg, 1, lower);
      const docOf = docArg(docArgument, 2, lower);
      return {
        type, nullable: true, constant: schemaArg.constant && docArgument.constant,
        eval: (r, c) => {
          const schema = schemaOf(r, c);
          const doc = docOf(r, c);
          if (schema === undefined || doc === undefined) return null;
          if (schema === null || !isJsonObject(schema)) throw sqlError('INVALID_JSON_TYPE', `Invalid JSON type in argument 1 to function ${lower}; an object is required.`);
          return result(new Validator(schema).check(schema, '#', doc, '#'));
        },
      };
    },
  };
}

const JSON_SCHEMA_VALID = schemaFunction('JSON_SCHEMA_VALID', (f) => (f === undefined ? 1 : 0), T_BIGINT);

/** {"valid": true}, or the failure MySQL describes: reason, schema-location, document-location, schema-failed-keyword. */
const JSON_SCHEMA_VALIDATION_REPORT = schemaFunction('JSON_SCHEMA_VALIDATION_REPORT', (f) => {
  const report: JsonObject = new Map<string, JsonNode>([['valid', f === undefined]]);
  if (f !== undefined) {
    report.set('reason', `The JSON document location '${f.doc}' failed requirement '${f.keyword}' at JSON Schema location '${f.schema}'`);
    report.set('schema-location', f.schema);
    report.set('document-location', f.doc);
    report.set('schema-failed-keyword', f.keyword);
  }
  return jsonResult(report);
}, T_JSON);

export const jsonSchemaFunctions: FunctionDef[] = [JSON_SCHEMA_VALID, JSON_SCHEMA_VALIDATION_REPORT];
