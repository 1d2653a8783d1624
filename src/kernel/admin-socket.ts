// The datadir's admin socket: local tools (`mizzle backup`) ask the running server to act for them, instead of opening its storage from a second process.
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Logger } from './logger.js';
import { ConfigError } from './config.js';

/** The socket's file in the datadir; only the datadir's owner may connect (mode 0600), the same people who may read its files. */
export const ADMIN_SOCKET = 'admin.sock';
/** A request is one JSON line; anything longer is refused. */
const REQUEST_BYTES_MAX = 64 * 1024;
/** A client that sends nothing for this long is dropped. */
const REQUEST_IDLE_MS = 10_000;
/** While a request is being served, the server writes a progress line this often, so the tool can tell a slow job from a stopped server. */
const PROGRESS_EVERY_MS = 2_000;
/** A tool that hears nothing from the server for this long gives up: the server is stopped or stuck. */
const SILENCE_MAX_MS = Number(process.env.MIZZLE_ADMIN_SILENCE_MS ?? 15_000);
/** Unix socket paths longer than this do not fit sockaddr_un on Linux. */
const SOCKET_PATH_MAX = 107;

/** A backup into `dest` (absolute, missing or empty), or one page of the change log from sequence `from`. */
export type AdminRequest = { op: 'backup'; dest: string } | { op: 'log'; from: string };

export type AdminReply = { ok: true; result: unknown } | { ok: false; error: string };

/** A line the server writes at once and then every PROGRESS_EVERY_MS while it works on a request; the reply line ends the exchange. */
const PROGRESS_LINE = JSON.stringify({ working: true }) + '\n';

export type AdminHandler = (request: AdminRequest) => Promise<unknown>;

export function adminSocketPath(datadir: string): string {
  return join(datadir, ADMIN_SOCKET);
}

function parseRequest(line: string): AdminRequest {
  const r = JSON.parse(line) as { op?: unknown; dest?: unknown; from?: unknown };
  if (r.op === 'backup' && typeof r.dest === 'string' && r.dest !== '') return { op: 'backup', dest: r.dest };
  if (r.op === 'log' && typeof r.from === 'string' && /^\d{1,20}$/.test(r.from)) return { op: 'log', from: r.from };
  throw new Error('unknown request');
}

/**
 * Listens on the datadir's admin socket (the main thread of a server; the datadir's pid lock says no
 * other server owns it, so a socket file left there is stale). Undefined when the path is too long
 * for a Unix socket: then local tools refuse to act on the running server's files.
 */
export async function startAdminSocket(datadir: string, handle: AdminHandler, log: Logger): Promise<{ close(): Promise<void> } | undefined> {
  const path = adminSocketPath(datadir);
  if (Buffer.byteLength(path) > SOCKET_PATH_MAX) {
    log.warn('no admin socket: the datadir path is too long for a Unix socket; mizzle backup will refuse to run beside this server', { path });
    return undefined;
  }
  if (existsSync(path)) unlinkSync(path);
  const server: Server = createServer((socket) => serve(socket, handle, log));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(path, 0o600);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        try {
          unlinkSync(path);
        } catch {
          // already gone
        }
      }),
  };
}

function serve(socket: Socket, handle: AdminHandler, log: Logger): void {
  let buffered = '';
  socket.setTimeout(REQUEST_IDLE_MS, () => socket.destroy());
  socket.on('error', () => undefined);
  let progress: ReturnType<typeof setInterval> | undefined;
  const reply = (r: AdminReply) => {
    clearInterval(progress);
    socket.end(JSON.stringify(r) + '\n');
  };
  socket.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const end = buffered.indexOf('\n');
    if (end < 0) {
      if (buffered.length > REQUEST_BYTES_MAX) reply({ ok: false, error: 'request too large' });
      return;
    }
    socket.removeAllListeners('data');
    socket.setTimeout(0);
    let request: AdminRequest;
    try {
      request = parseRequest(buffered.slice(0, end));
    } catch {
      reply({ ok: false, error: 'not a request this server understands' });
      return;
    }
    if (request.op === 'backup') log.info('admin request', { op: request.op, dest: request.dest });
    socket.write(PROGRESS_LINE);
    progress = setInterval(() => socket.write(PROGRESS_LINE), PROGRESS_EVERY_MS);
    // Stops with the reply, or earlier when the tool hung up (the job itself runs to its end).
    socket.once('close', () => clearInterval(progress));
    handle(request).then(
      (result) => reply({ ok: true, result }),
      (e: unknown) => reply({ ok: false, error: e instanceof Error ? e.message : String(e) }),
    );
  });
}

/**
 * Sends one request to the server on `datadir` and resolves with its reply. Rejects when it cannot
 * be reached, or when it falls silent for SILENCE_MAX_MS (a stopped or stuck server): a server at
 * work writes a progress line every few seconds, however long the job.
 */
export function requestAdmin(datadir: string, request: AdminRequest): Promise<AdminReply> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(adminSocketPath(datadir));
    let answer = '';
    socket.setTimeout(SILENCE_MAX_MS, () => {
      socket.destroy();
      reject(new Error(`it said nothing for ${SILENCE_MAX_MS / 1000} s`));
    });
    socket.on('connect', () => socket.write(JSON.stringify(request) + '\n'));
    socket.on('data', (d: Buffer) => {
      answer += d.toString('utf8');
    });
    socket.on('error', reject);
    socket.on('end', () => {
      socket.setTimeout(0);
      // The last line is the reply; the ones before it only said the server was at work.
      const lines = answer.trimEnd().split('\n');
      try {
        const last = JSON.parse(lines[lines.length - 1]!) as AdminReply | { working: true };
        if (!('ok' in last)) throw new Error('no reply line');
        resolve(last);
      } catch {
        reject(new Error('the server closed the admin socket without an answer'));
      }
    });
  });
}

/**
 * What the server running on `datadir` (pid `pid`) answers to `request`; a clear error when it cannot
 * be reached (its storage is then never opened from here) or could not do it (`doing` says what).
 */
export async function askServer(datadir: string, pid: number, request: AdminRequest, doing: string): Promise<unknown> {
  let reply: AdminReply;
  try {
    reply = await requestAdmin(datadir, request);
  } catch (e) {
    throw new ConfigError(`a mizzle server (pid ${pid}) runs on ${datadir} but does not answer on its admin socket (${(e as Error).message}); its storage is not opened from another process, which could make it lose a commit`);
  }
  if (!reply.ok) throw new ConfigError(`the server on ${datadir} could not ${doing}: ${reply.error}`);
  return reply.result;
}
