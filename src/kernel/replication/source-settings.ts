// Which source a server follows: --replica-of, or what CHANGE REPLICATION SOURCE TO / RESET REPLICA ALL / PROMOTE stored in the datadir.
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sqlError } from '../../base/errors.js';

const FILE = 'replication-source.json';
/** Longest SOURCE_HOST (MySQL's limit, 255). */
const HOST_LENGTH_MAX = 255;
/** Longest SOURCE_USER and SOURCE_PASSWORD (MySQL's limits: 32 for users, 32 for passwords; mizzle allows more for passwords). */
const USER_LENGTH_MAX = 32;
const PASSWORD_LENGTH_MAX = 1024;

/** What the file holds: the source URL (null: none, the server is a primary) and the --replica-of it overrode. */
interface Stored {
  source: string | null;
  flag: string;
}

/**
 * A file younger than this may be replaced within the same tick of the file system's coarse
 * clock by one of the same size (and, renamed over it, maybe the same inode): its stat cannot
 * tell, so it is read each time until it is older.
 */
const RACY_MS = 1000;

/** The source read from the file as it was when stat'ed (`ino` -1: there was no file). */
interface Cached {
  ino: number;
  size: number;
  mtimeMs: number;
  /** Old enough at the stat that an unchanged stat means an unchanged file. */
  settled: boolean;
  url: URL | undefined;
}

/**
 * The source in effect: the file is stat'ed on each call and read again when it changed, so
 * every worker thread sees a change made by another at once without reading it every time.
 * As MySQL keeps CHANGE REPLICATION SOURCE's settings in mysql.slave_master_info over restarts,
 * the stored setting wins over --replica-of, as long as the server starts with the same
 * --replica-of as when it was stored; a different --replica-of is a new decision of the operator and wins.
 */
export class SourceSettings {
  private readonly path: string;
  private cached: Cached | undefined;

  constructor(datadir: string, private readonly flag: string) {
    this.path = join(datadir, FILE);
  }

  /** The source URL in effect (undefined: this server is a primary); the same object while the file is unchanged. */
  current(): Readonly<URL> | undefined {
    const st = statSync(this.path, { throwIfNoEntry: false });
    const ino = st?.ino ?? -1;
    const size = st?.size ?? 0;
    const mtimeMs = st?.mtimeMs ?? 0;
    const c = this.cached;
    if (c !== undefined && c.settled && c.ino === ino && c.size === size && c.mtimeMs === mtimeMs) return c.url;
    const stored = st === undefined ? undefined : this.stored();
    const text = stored !== undefined && stored.flag === this.flag ? stored.source : this.flag;
    const url = text === null || text === '' ? undefined : new URL(text);
    this.cached = { ino, size, mtimeMs, settled: st === undefined || Date.now() - mtimeMs > RACY_MS, url };
    return url;
  }

  /** Whether a stored setting overrides --replica-of (for the startup log). */
  overridesFlag(): boolean {
    const stored = this.stored();
    return stored !== undefined && stored.flag === this.flag && (stored.source ?? '') !== this.flag;
  }

  /** Stores a new source (undefined: none), atomically; the file may hold a password, so only the owner reads it. */
  store(url: URL | undefined): void {
    const path = this.path;
    const body: Stored = { source: url === undefined ? null : url.href, flag: this.flag };
    writeFileSync(`${path}.tmp`, JSON.stringify(body) + '\n', { mode: 0o600 });
    renameSync(`${path}.tmp`, path);
    this.cached = undefined;
  }

  private stored(): Stored | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    const o = JSON.parse(text) as Partial<Stored>;
    return { source: typeof o.source === 'string' ? o.source : null, flag: typeof o.flag === 'string' ? o.flag : '' };
  }
}

/** Options of CHANGE REPLICATION SOURCE TO mizzle follows; SOURCE_AUTO_POSITION is always on (positions are transaction ids). */
const KNOWN = new Set(['SOURCE_HOST', 'SOURCE_PORT', 'SOURCE_USER', 'SOURCE_PASSWORD', 'SOURCE_SSL', 'SOURCE_SSL_CA', 'SOURCE_AUTO_POSITION']);

const wrong = (message: string) => sqlError('WRONG_ARGUMENTS', `Incorrect arguments to CHANGE REPLICATION SOURCE TO: ${message}`);

/**
 * The source URL after CHANGE REPLICATION SOURCE TO `options`, from `current` (options not given
 * keep their values, as in MySQL). A mizzle:// URL: the native protocol on SOURCE_PORT (4406 by default).
 */
export function changedSourceUrl(current: URL | undefined, options: readonly { name: string; value: string | number }[]): URL {
  const url = new URL(current?.href ?? 'mizzle://root@localhost:4406');
  if (current === undefined && !options.some((o) => o.name === 'SOURCE_HOST')) throw wrong('this server has no source yet: SOURCE_HOST is needed');
  const seen = new Set<string>();
  for (const { name, value } of options) {
    if (!KNOWN.has(name)) throw wrong(`${name} is not an option mizzle follows (it takes ${[...KNOWN].join(', ')})`);
    if (seen.has(name)) throw wrong(`${name} is given twice`);
    seen.add(name);
    const text = String(value);
    switch (name) {
      case 'SOURCE_HOST':
        if (text === '' || text.length > HOST_LENGTH_MAX || /[\s/@?#]/.test(text)) throw wrong(`SOURCE_HOST '${text.slice(0, 80)}' is not a host name or address`);
        url.hostname = text.includes(':') && !text.startsWith('[') ? `[${text}]` : text;
        break;
      case 'SOURCE_PORT':
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) throw wrong(`SOURCE_PORT must be from 1 to 65535, not ${text}`);
        url.port = String(value);
        break;
      case 'SOURCE_USER':
        if (text === '' || text.length > USER_LENGTH_MAX) throw wrong(`SOURCE_USER must have 1 to ${USER_LENGTH_MAX} characters`);
        url.username = encodeURIComponent(text);
        break;
      case 'SOURCE_PASSWORD':
        if (text.length > PASSWORD_LENGTH_MAX) throw wrong(`SOURCE_PASSWORD is longer than ${PASSWORD_LENGTH_MAX} characters`);
        url.password = encodeURIComponent(text);
        break;
      case 'SOURCE_SSL':
        if (value !== 0 && value !== 1) throw wrong(`SOURCE_SSL must be 0 or 1, not ${text}`);
        // 1: TLS is required; 0: the client library's default (TLS when the source offers it).
        if (value === 1) url.searchParams.set('ssl-mode', 'required');
        else url.searchParams.delete('ssl-mode');
        break;
      case 'SOURCE_SSL_CA':
        if (text === '') url.searchParams.delete('ssl-ca');
        else url.searchParams.set('ssl-ca', text);
        break;
      case 'SOURCE_AUTO_POSITION':
        if (value !== 1) throw wrong('SOURCE_AUTO_POSITION must be 1: a mizzle replica always continues from the transaction ids it holds');
        break;
    }
  }
  return url;
}
