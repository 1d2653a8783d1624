// `mizzle sql`'s command line: a URL or the mysql CLI's flags (-h -P -u -p -D --protocol), MIZZLE_URL and ~/.mizzle.cnf, into one URL and options.
import { isFormatName, FORMAT_NAMES, type FormatName } from './formats.js';

export interface SqlArgs {
  /** Where to connect, credentials included (the password may still be asked for: askPassword). */
  url: URL;
  /** -e: statements to run instead of stdin. */
  execute?: string;
  /** --script: a JavaScript module whose default export gets a connected client. */
  script?: string;
  /** --format, -B (tsv), -t (table), -E (vertical); undefined: table on a terminal, tsv otherwise. */
  format?: FormatName;
  force: boolean;
  columnNames: boolean;
  /** --each: the same statements on each of these servers (the URL with its host and port replaced), results labelled. */
  each?: URL[];
  /** -p or --password without a value: ask for it without echo. */
  askPassword: boolean;
  help: boolean;
}

export class SqlUsageError extends Error {}

export const SQL_USAGE = `usage: mizzle sql [URL | DATABASE] [options]

  URL                 mysql://user:password@host:3306/db, http://user:password@host:8080/?database=db
  -h, --host=HOST     -P, --port=PORT     -u, --user=USER     -D, --database=DB
  -pPASSWORD, --password=PASSWORD   (-p or --password alone asks for it)
  --protocol=mysql|http|https|mizzle|mizzles
  --ssl-mode=disabled|preferred|required|verify-ca|verify-identity   --ssl-ca=CA.pem
  --server-public-key-path=KEY.pem, --get-server-public-key   (mysql:// in clear: caching_sha2_password's RSA exchange)
  -e, --execute=SQL   run these statements and exit
  --script=JOB.mjs    run a module's default export with a connected client: export default async (db) => {…}
  --format=${FORMAT_NAMES.join('|')}
  -B, --batch (tsv)   -t, --table   -E, --vertical   -N, --skip-column-names
  -f, --force         go on after errors (the exit code is still 1)
  --each=HOST[:PORT],...  run the same statements on each server in turn; every result gets a first column
                      \`server\` naming it, errors say which server (user, password, database from the rest)
Defaults come from MIZZLE_URL, then ~/.mizzle.cnf ([client] url=, host=, port=, user=, password=, database=, protocol=, format=).
`;

const DEFAULT_URL = 'mysql://root@127.0.0.1:3306/';
const DEFAULT_PORTS: Record<string, string> = { mysql: '3306', http: '8080', https: '8443', mizzle: '4406', mizzles: '4406' };

/** Flags that take a value: short letter → long name. */
const VALUED: Record<string, string> = { h: 'host', P: 'port', u: 'user', D: 'database', e: 'execute' };
const LONG_VALUED = new Set(['host', 'port', 'user', 'database', 'execute', 'protocol', 'format', 'password', 'script', 'each', 'ssl-mode', 'ssl-ca', 'server-public-key-path']);
const SWITCHES: Record<string, string> = { B: 'batch', t: 'table', E: 'vertical', N: 'skip-column-names', f: 'force', '?': 'help' };
const LONG_SWITCHES = new Set(['batch', 'table', 'vertical', 'skip-column-names', 'force', 'help', 'get-server-public-key']);

/** `key=value` lines of the [client] and [mizzle] sections of a my.cnf-style file. */
export function parseCnf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let inSection = true;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(.*)\]$/.exec(line);
    if (section) {
      inSection = section[1] === 'client' || section[1] === 'mizzle';
      continue;
    }
    const eq = line.indexOf('=');
    if (!inSection || eq < 0) continue;
    out.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim().replace(/^(["'])(.*)\1$/, '$2'));
  }
  return out;
}

/** The command line as a list of (name, value) pairs, and the positional words. */
function tokens(argv: readonly string[]): { flags: [string, string | undefined][]; words: string[] } {
  const flags: [string, string | undefined][] = [];
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      if (!LONG_VALUED.has(name) && !LONG_SWITCHES.has(name)) throw new SqlUsageError(`unknown option --${name}`);
      if (eq >= 0) flags.push([name, a.slice(eq + 1)]);
      // As the mysql CLI: --password never takes the next word (it asks instead).
      else if (LONG_VALUED.has(name) && name !== 'password') {
        if (i + 1 >= argv.length) throw new SqlUsageError(`--${name} needs a value`);
        flags.push([name, argv[++i]!]);
      } else flags.push([name, undefined]);
    } else if (a.startsWith('-') && a.length > 1) {
      const letter = a[1]!;
      if (letter === 'p') flags.push(['password', a.length > 2 ? a.slice(2) : undefined]);
      else if (VALUED[letter]) {
        const value = a.length > 2 ? a.slice(2) : argv[++i];
        if (value === undefined) throw new SqlUsageError(`-${letter} needs a value`);
        flags.push([VALUED[letter], value]);
      } else {
        for (const l of a.slice(1)) {
          const name = SWITCHES[l];
          if (name === undefined) throw new SqlUsageError(`unknown option -${l}`);
          flags.push([name, undefined]);
        }
      }
    } else words.push(a);
  }
  return { flags, words };
}

/** Sets the user, password, host, port, database or scheme of `url` from one setting. */
function apply(url: URL, name: string, value: string): URL {
  switch (name) {
    case 'host':
      url.hostname = value;
      return url;
    case 'port':
      if (!/^\d+$/.test(value)) throw new SqlUsageError(`port must be a number, not '${value}'`);
      url.port = value;
      return url;
    case 'user':
      url.username = encodeURIComponent(value);
      return url;
    case 'password':
      url.password = encodeURIComponent(value);
      return url;
    case 'database':
      if (url.protocol === 'http:' || url.protocol === 'https:') url.searchParams.set('database', value);
      else url.pathname = '/' + encodeURIComponent(value);
      return url;
    case 'protocol':
      return withScheme(url, value);
    case 'ssl-mode':
    case 'ssl-ca':
    case 'server-public-key-path':
    case 'get-server-public-key':
      // The client library reads them from the URL (?ssl-mode=, ?ssl-ca=, ...) and refuses them where they cannot apply.
      url.searchParams.set(name, value);
      return url;
  }
  return url;
}

/** Settings the URL carries as query parameters, kept when --protocol changes the scheme. */
const URL_SETTINGS = ['ssl-mode', 'ssl-ca', 'server-public-key-path', 'get-server-public-key'] as const;

/** The same endpoint on another wire: the database moves between path and query, the default port follows. */
function withScheme(url: URL, scheme: string): URL {
  const s = scheme.toLowerCase();
  if (!/^(mysql|http|https|mizzle|mizzles)$/.test(s)) throw new SqlUsageError(`unknown protocol '${scheme}' (mysql, http, https, mizzle, mizzles)`);
  const from = url.protocol.replace(/:$/, '');
  if (from === s) return url;
  const db = databaseOf(url);
  const port = url.port === '' || url.port === DEFAULT_PORTS[from] ? DEFAULT_PORTS[s] ?? '' : url.port;
  const next = new URL(`${s}://${url.host}/`);
  next.username = url.username;
  next.password = url.password;
  next.port = port;
  for (const k of URL_SETTINGS) {
    const v = url.searchParams.get(k);
    if (v !== null) next.searchParams.set(k, v);
  }
  return db === undefined ? next : apply(next, 'database', db);
}

function databaseOf(url: URL): string | undefined {
  if (url.protocol === 'http:' || url.protocol === 'https:') return url.searchParams.get('database') ?? undefined;
  const path = decodeURIComponent(url.pathname.replace(/^\/+|\/+$/g, ''));
  return path === '' ? undefined : path;
}

function parseUrl(text: string, from: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new SqlUsageError(`${from} is not a URL: ${text}`);
  }
}

/** Reads the command line against the environment's defaults; `cnf` is ~/.mizzle.cnf's text, when there is one. */
export function parseSqlArgs(argv: readonly string[], env: NodeJS.ProcessEnv, cnf?: string): SqlArgs {
  const { flags, words } = tokens(argv);
  const urlWord = words.find((w) => w.includes('://'));
  const dbWord = words.find((w) => !w.includes('://'));
  if (words.length > (urlWord && dbWord ? 2 : 1)) throw new SqlUsageError(`unexpected argument '${words[words.length - 1]}'`);
  const defaults = cnf === undefined ? new Map<string, string>() : parseCnf(cnf);
  let url: URL;
  if (urlWord !== undefined) url = parseUrl(urlWord, 'the argument');
  else if (env.MIZZLE_URL) url = parseUrl(env.MIZZLE_URL, 'MIZZLE_URL');
  else {
    url = parseUrl(defaults.get('url') ?? DEFAULT_URL, '~/.mizzle.cnf url');
    // The file's protocol first, so its database lands in the right place.
    const proto = defaults.get('protocol');
    if (proto !== undefined) url = apply(url, 'protocol', proto);
    for (const k of ['host', 'port', 'user', 'password', 'database']) {
      const v = defaults.get(k);
      if (v !== undefined) url = apply(url, k, v);
    }
  }
  const out: SqlArgs = { url, force: false, columnNames: true, askPassword: false, help: false };
  const cnfFormat = defaults.get('format');
  if (cnfFormat !== undefined && isFormatName(cnfFormat)) out.format = cnfFormat;
  // --protocol first too, whatever its place on the line.
  for (const [name, value] of flags) if (name === 'protocol' && value !== undefined) url = out.url = apply(url, name, value);
  for (const [name, value] of flags) {
    switch (name) {
      case 'password':
        if (value === undefined) out.askPassword = true;
        else url = apply(url, name, value);
        break;
      case 'host':
      case 'port':
      case 'user':
      case 'database':
      case 'ssl-mode':
      case 'ssl-ca':
      case 'server-public-key-path':
        url = apply(url, name, value!);
        break;
      case 'get-server-public-key':
        url = apply(url, name, 'true');
        break;
      case 'execute':
        out.execute = value;
        break;
      case 'script':
        out.script = value;
        break;
      case 'format':
        if (value === undefined || !isFormatName(value)) throw new SqlUsageError(`unknown format '${value ?? ''}' (${FORMAT_NAMES.join(', ')})`);
        out.format = value;
        break;
      case 'batch':
        out.format = 'tsv';
        break;
      case 'table':
        out.format = 'table';
        break;
      case 'vertical':
        out.format = 'vertical';
        break;
      case 'skip-column-names':
        out.columnNames = false;
        break;
      case 'force':
        out.force = true;
        break;
      case 'help':
        out.help = true;
        break;
    }
  }
  if (dbWord !== undefined) url = apply(url, 'database', dbWord);
  out.url = url;
  const each = flags.filter(([name]) => name === 'each').map(([, value]) => value ?? '').join(',');
  if (each !== '') out.each = eachUrl(url, each);
  return out;
}

/** `host1,host2:3307,[::1]:3306` as copies of `url` on those servers. */
function eachUrl(url: URL, list: string): URL[] {
  const servers: URL[] = [];
  for (const item of list.split(',').map((s) => s.trim())) {
    if (item === '') continue;
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(item);
    if (m === null) throw new SqlUsageError(`--each takes host or host:port names, not '${item}'`);
    const u = new URL(url.href);
    u.hostname = m[1]!;
    if (m[2] !== undefined) u.port = m[2];
    servers.push(u);
  }
  if (servers.length === 0) throw new SqlUsageError('--each needs at least one server');
  return servers;
}
