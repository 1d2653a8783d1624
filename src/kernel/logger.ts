// Server messages (startup, shutdown, errors): one line each, to stderr by default.

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export interface Logger {
  error(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
}

/** A logger writing one line per message to a stream, as text or JSON. */
export function createLogger(opts: {
  level?: LogLevel;
  json?: boolean;
  write?: (line: string) => void;
  now?: () => Date;
}): Logger {
  const max = RANK[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const now = opts.now ?? (() => new Date());
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (RANK[level] > max) return;
    const time = now().toISOString();
    if (opts.json) {
      write(JSON.stringify({ time, level, msg, ...fields }));
    } else {
      const extra = fields ? ' ' + Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ') : '';
      write(`${time} [${level.toUpperCase()}] ${msg}${extra}`);
    }
  };
  return {
    error: (m, f) => emit('error', m, f),
    warn: (m, f) => emit('warn', m, f),
    info: (m, f) => emit('info', m, f),
    debug: (m, f) => emit('debug', m, f),
  };
}

/** A logger that drops everything (tests, embedded use). */
export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };

/** One server message as the error-log plugins receive it. */
export interface LoggedMessage {
  time: Date;
  level: LogLevel;
  msg: string;
  fields?: Record<string, unknown>;
}

/**
 * A logger that writes to `base` and hands every message to the error-log sinks
 * (logging plugins). A sink that throws, or logs from inside its own hook, is
 * not called again for that message: logging must never take the server down.
 */
export function fanOutLogger(base: Logger, sinks: () => readonly ((m: LoggedMessage) => void)[]): Logger {
  let inside = false;
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    base[level](msg, fields);
    if (inside) return;
    const list = sinks();
    if (list.length === 0) return;
    inside = true;
    try {
      const m: LoggedMessage = { time: new Date(), level, msg, fields };
      for (const sink of list) {
        try {
          sink(m);
        } catch (e) {
          base.error('an error-log plugin failed', { error: e instanceof Error ? e.message : String(e) });
        }
      }
    } finally {
      inside = false;
    }
  };
  return {
    error: (m, f) => emit('error', m, f),
    warn: (m, f) => emit('warn', m, f),
    info: (m, f) => emit('info', m, f),
    debug: (m, f) => emit('debug', m, f),
  };
}
