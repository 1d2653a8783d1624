// The authz-rules policy file: `USER_REGEX schema|table|process=OBJECT_REGEX [ACTIONS] ALLOW|DENY` lines, first match wins.
import { readFileSync } from 'node:fs';
import type { AccessRequest } from '../../kernel/plugin.js';

export class PolicyError extends Error {}

export type RuleObject = 'schema' | 'table' | 'process';

/** The privilege names the kernel asks about (AccessRequest.action). */
export const KNOWN_ACTIONS: ReadonlySet<string> = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'DROP', 'ALTER', 'INDEX', 'CREATE VIEW', 'USAGE', 'PROCESS']);

export interface Rule {
  /** 1-based line in the policy file, for logs. */
  line: number;
  user: RegExp;
  object: RuleObject;
  pattern: RegExp;
  /** The actions the rule covers; undefined: every action. */
  actions?: ReadonlySet<string>;
  allow: boolean;
}

export interface Policy {
  path: string;
  rules: readonly Rule[];
}

/** A regex that must match the whole name: `app` matches user `app`, never `myapp`. */
function anchored(source: string, where: string): RegExp {
  try {
    return new RegExp(`^(?:${source})$`);
  } catch (e) {
    throw new PolicyError(`${where}: invalid regular expression '${source}': ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** `SELECT,INSERT`, `CREATE VIEW` / `CREATE_VIEW`, `ALL`; undefined for every action. */
function parseActions(text: string, where: string): ReadonlySet<string> | undefined {
  const names = text.split(',').map((a) => a.trim().replace(/[\s_]+/g, ' ').toUpperCase());
  if (names.includes('ALL')) {
    if (names.length > 1) throw new PolicyError(`${where}: ALL cannot be combined with other actions`);
    return undefined;
  }
  for (const n of names) {
    if (n === '') throw new PolicyError(`${where}: empty action in '${text}'`);
    if (!KNOWN_ACTIONS.has(n)) throw new PolicyError(`${where}: unknown action '${n}' (known: ${[...KNOWN_ACTIONS].join(', ')}, ALL)`);
  }
  return new Set(names);
}

/** Parses the policy text; every error names `path:line`. */
export function parsePolicy(text: string, path: string): Policy {
  const rules: Rule[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const where = `${path}:${i + 1}`;
    const tokens = line.split(/\s+/);
    if (tokens.length < 3) throw new PolicyError(`${where}: expected 'USER_REGEX schema|table|process=OBJECT_REGEX [ACTIONS] ALLOW|DENY', got '${line}'`);
    const verdict = tokens[tokens.length - 1].toUpperCase();
    if (verdict !== 'ALLOW' && verdict !== 'DENY') throw new PolicyError(`${where}: the rule must end with ALLOW or DENY, got '${tokens[tokens.length - 1]}'`);
    const target = /^(schema|table|process)=(.+)$/i.exec(tokens[1]);
    if (!target) throw new PolicyError(`${where}: expected schema=REGEX, table=REGEX or process=REGEX, got '${tokens[1]}'`);
    const middle = tokens.slice(2, -1).join(' ');
    rules.push({
      line: i + 1,
      user: anchored(tokens[0], where),
      object: target[1].toLowerCase() as RuleObject,
      pattern: anchored(target[2], where),
      actions: middle === '' ? undefined : parseActions(middle, where),
      allow: verdict === 'ALLOW',
    });
  }
  return { path, rules };
}

/** Reads and parses the policy file; an unreadable file is a PolicyError too. */
export function loadPolicy(path: string): Policy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new PolicyError(`cannot read the policy file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parsePolicy(text, path);
}

/**
 * The first rule that decides `req`, or undefined. `schema=` rules match schema
 * requests and every table in a matching schema; `table=` rules match tables as
 * `schema.table`; `process=` rules match the user owning another session.
 */
export function firstMatch(policy: Policy, req: AccessRequest): Rule | undefined {
  for (const r of policy.rules) {
    if (r.actions && !r.actions.has(req.action)) continue;
    if (!r.user.test(req.user)) continue;
    if (applies(r, req)) return r;
  }
  return undefined;
}

function applies(r: Rule, req: AccessRequest): boolean {
  switch (req.object) {
    case 'schema':
      return r.object === 'schema' && r.pattern.test(req.name);
    case 'table':
      if (r.object === 'schema') return r.pattern.test(req.name);
      return r.object === 'table' && r.pattern.test(`${req.name}.${req.table ?? ''}`);
    case 'process':
      return r.object === 'process' && r.pattern.test(req.name);
    default:
      return false;
  }
}
