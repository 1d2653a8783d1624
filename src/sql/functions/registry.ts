// The explicit, ordered list of built-in functions, looked up by upper-cased name.
import type { FuncCall } from '../parser/ast.js';
import type { Compiled, CompileEnv } from '../analyzer/compile-expr.js';
import { checkArgCount, type ExprCompiler, type FunctionDef } from './define.js';
import { controlFunctions } from './control.js';
import { mathFunctions } from './math.js';
import { stringFunctions } from './string.js';
import { infoFunctions } from './info.js';
import { datetimeFunctions } from './datetime.js';
import { calendarFunctions } from './calendar-functions.js';
import { dateFormatFunctions } from './date-format.js';
import { stringListFunctions } from './string-lists.js';
import { regexpFunctions } from './regexp.js';
import { networkIdFunctions } from './network-ids.js';
import { jsonExtractFunctions } from './json-extract.js';
import { jsonBuildFunctions } from './json-build.js';
import { jsonModifyFunctions } from './json-modify.js';
import { jsonInspectFunctions } from './json-inspect.js';
import { jsonSearchFunctions } from './json-search.js';
import { jsonSchemaFunctions } from './json-schema.js';
import { charsetInfoFunctions } from './charset-info.js';
import { cryptoFunctions } from './crypto.js';

let byName: Map<string, FunctionDef> | undefined;

function table(): Map<string, FunctionDef> {
  if (!byName) {
    byName = new Map();
    for (const group of [controlFunctions, mathFunctions, stringFunctions, infoFunctions, datetimeFunctions, calendarFunctions, dateFormatFunctions, stringListFunctions, regexpFunctions, networkIdFunctions,
      jsonExtractFunctions, jsonBuildFunctions, jsonModifyFunctions, jsonInspectFunctions, jsonSearchFunctions, jsonSchemaFunctions, charsetInfoFunctions, cryptoFunctions]) {
      for (const f of group) byName.set(f.name, f);
    }
  }
  return byName;
}

/** A callable built-in: compiles a call's arguments and checks their count first. */
export interface FunctionHandle {
  compile(call: FuncCall, env: CompileEnv, compiler: ExprCompiler): Compiled;
}

export function lookupFunction(name: string): FunctionHandle | undefined {
  const def = table().get(name.toUpperCase());
  if (!def) return undefined;
  return {
    compile(call, env, compiler) {
      checkArgCount(def, call.args.length);
      const args = def.rawArgs ? [] : call.args.map((a) => compiler.compile(a, env));
      return def.compile(args, env, call, compiler);
    },
  };
}

/** Names of every built-in, for diagnostics and docs. */
export function functionNames(): string[] {
  return [...table().keys()];
}
