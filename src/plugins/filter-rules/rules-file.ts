// Reads and checks a filter-rules file (YAML, or JSON): every mistake is reported with the file, line, column and rule.
import { readFileSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';
import { LineCounter, isMap, isSeq, parseDocument, type Node } from 'yaml';

/** A problem in the rules file; the message names the file and position. */
export class RulesFileError extends Error {}

export type RuleAction = 'deny' | 'warn' | 'limit' | 'allow';
export type RuleMode = 'off' | 'detect' | 'enforce';

/** One checked rule, its matchers compiled. A matcher left out matches everything. */
export interface Rule {
  id: string;
  /** Where the rule starts, `file:line:col`, for messages. */
  where: string;
  user?: RegExp;
  schemas?: ReadonlySet<string>;
  clients?: ClientMatcher;
  clientRegex?: RegExp;
  kinds?: ReadonlySet<string>;
  tables?: readonly RegExp[];
  text?: RegExp;
  digest?: RegExp;
  action: RuleAction;
  /** This rule's own mode; the plugin's mode caps it (detect everywhere when the plugin is in detect). */
  mode: RuleMode;
  /** For deny (and limit, when over): the error sent to the client. */
  code: number;
  sqlState: string;
  message: string;
  /** For limit: statements matching this rule that may run at once. */
  maxConcurrent: number;
}

/** Client addresses: exact addresses and CIDR blocks, IPv4 and IPv6 (IPv4-mapped IPv6 addresses match as IPv4). */
export class ClientMatcher {
  private readonly blocks = new BlockList();
  private readonly names = new Set<string>();

  add(value: string): boolean {
    const cidr = /^(.+)\/(\d{1,3})$/.exec(value);
    if (cidr) {
      const family = isIP(cidr[1]);
      const prefix = Number(cidr[2]);
      if (family === 0 || prefix > (family === 4 ? 32 : 128)) return false;
      this.blocks.addSubnet(cidr[1], prefix, family === 4 ? 'ipv4' : 'ipv6');
      return true;
    }
    const family = isIP(value);
    if (family !== 0) this.blocks.addAddress(value, family === 4 ? 'ipv4' : 'ipv6');
    else if (/^[A-Za-z0-9._-]+$/.test(value)) this.names.add(value.toLowerCase()); // a host name such as `localhost`
    else return false;
    return true;
  }

  matches(host: string): boolean {
    const address = normalizeAddress(host);
    const family = isIP(address);
    if (family !== 0) return this.blocks.check(address, family === 4 ? 'ipv4' : 'ipv6');
    return this.names.has(address.toLowerCase());
  }
}

/** `::ffff:10.0.0.1` (how dual-stack sockets show IPv4 clients) as `10.0.0.1`. */
export function normalizeAddress(host: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host);
  return m ? m[1] : host;
}

/** The parser's statement types, by the lower-cased name without underscores that rules may use. */
const STATEMENT_KINDS: ReadonlyMap<string, string> = new Map(
  ['select', 'setop', 'values', 'with', 'insert', 'update', 'delete', 'createTable', 'dropTable', 'createIndex', 'dropIndex',
    'alterTable', 'renameTable', 'truncate', 'createDatabase', 'alterDatabase', 'dropDatabase', 'createView', 'dropView', 'use', 'set', 'show',
    'explain', 'transaction', 'kill', 'admin', 'do', 'unsupported'].map((k) => [k.toLowerCase(), k]),
);

/** MySQL's ER_NOT_ALLOWED_COMMAND (SQLSTATE 42000): "this command is not allowed here", what a refused statement is. */
export const DEFAULT_DENY_CODE = 1148;
/** MySQL's ER_USER_LIMIT_REACHED (SQLSTATE 42000): a resource limit reached, what a concurrency limit is. */
export const DEFAULT_LIMIT_CODE = 1226;
const DEFAULT_SQLSTATE = '42000';

const RULE_KEYS = new Set(['id', 'user', 'schema', 'client', 'client_regex', 'kind', 'tables', 'text', 'digest', 'case_sensitive', 'action', 'mode', 'message', 'code', 'sqlstate', 'max_concurrent']);
const ACTIONS: readonly RuleAction[] = ['deny', 'warn', 'limit', 'allow'];
const MODES: readonly RuleMode[] = ['off', 'detect', 'enforce'];

/** Reads, parses and checks a rules file. Throws RulesFileError naming the file, position and rule. */
export function loadRulesFile(path: string): Rule[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new RulesFileError(`cannot read the rules file ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return parseRules(text, path);
}

/** Parses rules from text (`file` names it in messages; a name ending in .json must be strict JSON). */
export function parseRules(text: string, file: string): Rule[] {
  const lines = new LineCounter();
  const at = (offset: number | undefined): string => {
    if (offset === undefined) return file;
    const p = lines.linePos(offset);
    return `${file}:${p.line}:${p.col}`;
  };
  if (/\.json$/i.test(file)) {
    try {
      JSON.parse(text);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      throw new RulesFileError(`${lineCol(text, file, jsonErrorOffset(text))}: not valid JSON: ${message.replace(/ \(line \d+ column \d+\)$/, '')}`);
    }
  }
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new RulesFileError(`${at(e.pos[0])}: not valid YAML/JSON: ${e.message.split('\n')[0]}`);
  }
  const root = doc.contents;
  if (!isMap(root)) throw new RulesFileError(`${at(root?.range?.[0])}: the rules file must be a mapping with a 'rules' list`);
  for (const pair of root.items) {
    const key = String((pair.key as Node | null)?.toJSON?.() ?? pair.key);
    if (key !== 'rules') throw new RulesFileError(`${at((pair.key as Node | null)?.range?.[0])}: unknown key '${key}' (the file has one key, 'rules')`);
  }
  const list = root.get('rules', true);
  if (!isSeq(list)) throw new RulesFileError(`${at((list as Node | undefined)?.range?.[0] ?? root.range?.[0])}: 'rules' must be a list of rules`);
  const rules: Rule[] = [];
  const ids = new Set<string>();
  list.items.forEach((item, index) => {
    const node = item as Node;
    const where = at(node.range?.[0]);
    if (!isMap(node)) throw new RulesFileError(`${where}: rule #${index + 1} must be a mapping of keys (id, action, matchers)`);
    const keyAt = new Map<string, string>();
    for (const pair of node.items) keyAt.set(String((pair.key as Node | null)?.toJSON?.() ?? pair.key), at((pair.key as Node | null)?.range?.[0]));
    const raw = node.toJSON() as Record<string, unknown>;
    const rule = checkRule(raw, index, where, keyAt);
    if (ids.has(rule.id)) throw new RulesFileError(`${where}: rule '${rule.id}': the id is used by an earlier rule; ids must be unique`);
    ids.add(rule.id);
    rules.push(rule);
  });
  return rules;
}

/**
 * Where JSON.parse gave up: a small recursive-descent check of the JSON grammar,
 * because not every Node version puts the position in its message.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail();
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) fail();
    i += (m as RegExpExecArray)[0].length;
  };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text.charCodeAt(i) < 0x20) fail();
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  try {
    value();
    ws();
    return i < text.length ? i : text.length;
  } catch (at) {
    return typeof at === 'number' ? Math.min(at, text.length) : 0;
  }
}

function lineCol(text: string, file: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${file}:${before.length}:${before[before.length - 1].length + 1}`;
}

/** Checks one rule's keys and types and compiles its matchers. */
function checkRule(raw: Record<string, unknown>, index: number, where: string, keyAt: ReadonlyMap<string, string>): Rule {
  const name = typeof raw.id === 'string' ? `rule '${raw.id}'` : `rule #${index + 1}`;
  const fail = (key: string | undefined, problem: string): never => {
    throw new RulesFileError(`${(key && keyAt.get(key)) ?? where}: ${name}: ${problem}`);
  };
  for (const key of Object.keys(raw)) {
    if (!RULE_KEYS.has(key)) fail(key, `unknown key '${key}' (known: ${[...RULE_KEYS].join(', ')})`);
  }
  if (typeof raw.id !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(raw.id)) {
    fail('id', "needs an 'id': 1 to 64 letters, digits, '_', '-' or '.' (it names the rule in logs and counters)");
  }
  const id = raw.id as string;
  const str = (key: string): string | undefined => {
    const v = raw[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') fail(key, `'${key}' must be a string, not ${describe(v)}`);
    return v as string;
  };
  const list = (key: string): string[] | undefined => {
    const v = raw[key];
    if (v === undefined) return undefined;
    const items = Array.isArray(v) ? v : [v];
    if (items.length === 0 || !items.every((x) => typeof x === 'string' && x !== '')) fail(key, `'${key}' must be a non-empty string or a list of them`);
    return items as string[];
  };
  const caseSensitive = raw.case_sensitive;
  if (caseSensitive !== undefined && typeof caseSensitive !== 'boolean') fail('case_sensitive', `'case_sensitive' must be true or false, not ${describe(caseSensitive)}`);
  const regex = (key: string, anchored: boolean, ignoreCase: boolean): RegExp | undefined => {
    const source = str(key);
    if (source === undefined) return undefined;
    try {
      return new RegExp(anchored ? `^(?:${source})$` : source, ignoreCase ? 'i' : '');
    } catch (e) {
      return fail(key, `'${key}' is not a valid regular expression: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  const action = raw.action;
  if (typeof action !== 'string' || !ACTIONS.includes(action as RuleAction)) fail('action', `'action' must be one of ${ACTIONS.join(', ')}`);
  const mode = raw.mode ?? 'enforce';
  if (typeof mode !== 'string' || !MODES.includes(mode as RuleMode)) fail('mode', `'mode' must be one of ${MODES.join(', ')}`);

  let clients: ClientMatcher | undefined;
  const clientList = list('client');
  if (clientList) {
    clients = new ClientMatcher();
    for (const c of clientList) if (!clients.add(c)) fail('client', `'client' value '${c}' is not an IP address, a CIDR block (10.0.0.0/8) or a host name`);
  }
  let kinds: Set<string> | undefined;
  const kindList = list('kind');
  if (kindList) {
    kinds = new Set();
    for (const k of kindList) {
      const kind = STATEMENT_KINDS.get(k.toLowerCase().replace(/_/g, ''));
      if (!kind) fail('kind', `unknown statement kind '${k}' (known: ${[...STATEMENT_KINDS.values()].join(', ')})`);
      // `select` means any query, so a rule on SELECT is not sidestepped by writing it as a UNION or WITH.
      for (const q of kind === 'select' ? ['select', 'setop', 'values', 'with'] : [kind as string]) kinds.add(q);
    }
  }
  const tables = list('tables')?.map((t) => {
    if (!/^[^.\s]+(\.[^.\s]+)?$/.test(t)) fail('tables', `'tables' value '${t}' must be schema.table or table ('*' matches any name)`);
    return tableGlob(t);
  });

  const code = raw.code ?? (action === 'limit' ? DEFAULT_LIMIT_CODE : DEFAULT_DENY_CODE);
  if (typeof code !== 'number' || !Number.isInteger(code) || code < 1 || code > 65535) fail('code', `'code' must be a MySQL error number (1 to 65535), not ${describe(code)}`);
  const sqlState = raw.sqlstate ?? DEFAULT_SQLSTATE;
  if (typeof sqlState !== 'string' || !/^[0-9A-Z]{5}$/.test(sqlState)) fail('sqlstate', `'sqlstate' must be five digits or capital letters such as '42000', not ${describe(sqlState)}`);
  const maxConcurrent = raw.max_concurrent;
  if (action === 'limit') {
    if (typeof maxConcurrent !== 'number' || !Number.isInteger(maxConcurrent) || maxConcurrent < 0) fail('max_concurrent', `a 'limit' rule needs 'max_concurrent': a whole number >= 0, not ${describe(maxConcurrent)}`);
  } else if (maxConcurrent !== undefined) {
    fail('max_concurrent', `'max_concurrent' only applies to action 'limit'`);
  }
  for (const key of ['message', 'code', 'sqlstate'] as const) {
    if (raw[key] !== undefined && action !== 'deny' && action !== 'limit') fail(key, `'${key}' only applies to actions 'deny' and 'limit'`);
  }
  const defaultMessage = action === 'limit'
    ? `Rule '${id}' has exceeded the 'max_concurrent' resource (current value: ${String(maxConcurrent)}); try again later`
    : `Statement refused by query rule '${id}'`;
  const schemas = list('schema');
  return {
    id,
    where,
    user: regex('user', true, false),
    schemas: schemas ? new Set(schemas) : undefined,
    clients,
    clientRegex: regex('client_regex', true, true),
    kinds,
    tables,
    text: regex('text', false, caseSensitive !== true),
    digest: regex('digest', false, caseSensitive !== true),
    action: action as RuleAction,
    mode: mode as RuleMode,
    code: code as number,
    sqlState: sqlState as string,
    message: str('message') ?? defaultMessage,
    maxConcurrent: typeof maxConcurrent === 'number' ? maxConcurrent : 0,
  };
}

/** `shop.orders`, `shop.*`, `*.audit`, `orders` (any schema): compared case-insensitively with `schema.table`. */
function tableGlob(pattern: string): RegExp {
  const full = pattern.includes('.') ? pattern : `*.${pattern}`;
  const source = full.split('').map((c) => (c === '*' ? '[^.]*' : c.replace(/[\\^$.|?+()[\]{}]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, 'i');
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}
