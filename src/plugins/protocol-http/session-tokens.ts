// Interactive transactions across requests: kernel sessions kept under random tokens, one request at a time, rolled back when idle.
import { randomBytes } from 'node:crypto';
import { threadId } from 'node:worker_threads';
import { SqlError, sqlError } from '../../base/errors.js';
import type { KernelSession, SharedGauge } from '../../kernel/plugin.js';
import { HttpFailure } from './http-failure.js';

/** 32 random bytes: unguessable, and URL-safe as base64url. */
const TOKEN_BYTES = 32;

/**
 * A token is `<thread>.<random>`: the worker thread that holds its session, so a request
 * that reaches another thread can be handed to it (session-relay.ts), then 32 random bytes.
 */
const TOKEN_SHAPE = /^(\d{1,6})\.[A-Za-z0-9_-]{43}$/;

/** The thread holding the session of `token`, or undefined when it is not a token's shape (it is then unknown everywhere). */
export function holderOf(token: string): number | undefined {
  const m = TOKEN_SHAPE.exec(token);
  return m === null ? undefined : Number(m[1]);
}

/** The answer to a token no session has: unknown, expired, ended or another user's alike. */
export function unknownToken(): HttpFailure {
  return new HttpFailure(404, new SqlError(4031, 'HY000', 'Unknown or expired session token: its transaction, if any, was rolled back; start a new one'));
}

interface Held {
  readonly session: KernelSession;
  readonly user: string;
  /** The request running on it, which later ones wait for. */
  turn: Promise<unknown>;
  running: number;
  timer: NodeJS.Timeout | undefined;
  /** Kept with no transaction open too, because the client asked (`keep`). */
  pinned: boolean;
}

export interface SessionTokenOptions {
  maxSessions: number;
  /** Sessions kept by every worker thread together: max_sessions holds for the server. */
  openOnServer: SharedGauge;
  idleTimeoutMs: number;
  /** Told when a session is dropped because nobody used it in time. */
  onExpired?: (user: string) => void;
}

/**
 * The open interactive sessions. A session is kept while its transaction is open
 * (or, when the client asked with `keep`, until it says otherwise):
 * the request that leaves a transaction open gets a token, the one that ends it
 * closes the session and the token with it. A session idle longer than the
 * timeout is closed (its transaction rolled back) and its token refused after.
 */
export class SessionTokens {
  private readonly held = new Map<string, Held>();

  constructor(private readonly opts: SessionTokenOptions) {}

  get size(): number {
    return this.held.size;
  }

  /** Whether `token` names a kept session. */
  has(token: string): boolean {
    return this.held.has(token);
  }

  /** Whether another session can be kept. */
  hasRoom(): boolean {
    return this.opts.openOnServer.get() < this.opts.maxSessions;
  }

  /** The error for a session that cannot be kept because the limit is reached. */
  full(): HttpFailure {
    return new HttpFailure(429, sqlError('CON_COUNT', `Too many open HTTP sessions (max_sessions ${this.opts.maxSessions}); finish a transaction first`));
  }

  /** Keeps `session` under a new token, its idle clock started; `pinned` keeps it past the end of its transaction. */
  keep(session: KernelSession, user: string, pinned = false): string {
    // Counted first and checked after, so two threads cannot both take the last place.
    if (this.opts.openOnServer.add(1) > this.opts.maxSessions) {
      this.opts.openOnServer.add(-1);
      throw this.full();
    }
    const token = `${threadId}.${randomBytes(TOKEN_BYTES).toString('base64url')}`;
    const h: Held = { session, user, turn: Promise.resolve(), running: 0, timer: undefined, pinned };
    this.held.set(token, h);
    this.arm(token, h);
    return token;
  }

  /**
   * Runs `work` on the session of `token`, after the requests before it on the same
   * token. An unknown token, an expired one, or another user's is refused alike.
   * After `work`, a session whose transaction ended is closed and its token dropped;
   * the result says whether the token is still valid. `keep` pins or unpins the session.
   */
  async use<T>(token: string, user: string, keep: boolean | undefined, work: (s: KernelSession) => Promise<T>): Promise<{ value: T; open: boolean }> {
    const h = this.held.get(token);
    if (h === undefined || h.user !== user) throw unknownToken();
    h.running++;
    clearTimeout(h.timer);
    if (keep !== undefined) h.pinned = keep;
    const mine = h.turn.then(() => {
      if (this.held.get(token) !== h) throw new HttpFailure(404, new SqlError(4031, 'HY000', 'The session ended while this request waited for it'));
      return work(h.session);
    });
    h.turn = mine.catch(() => undefined);
    try {
      return { value: await mine, open: this.settle(token, h) };
    } catch (e) {
      this.settle(token, h);
      throw e;
    } finally {
      h.running--;
      if (this.held.get(token) === h && h.running === 0) this.arm(token, h);
    }
  }

  /** Closes the session when its transaction is over; returns whether it stays. */
  private settle(token: string, h: Held): boolean {
    if (this.held.get(token) !== h) return false;
    if (h.session.status().inTransaction || h.pinned) return true;
    if (h.running > 1) return true;
    this.drop(token, h);
    return false;
  }

  private arm(token: string, h: Held): void {
    clearTimeout(h.timer);
    h.timer = setTimeout(() => {
      if (this.held.get(token) !== h || h.running > 0) return;
      this.drop(token, h);
      this.opts.onExpired?.(h.user);
    }, this.opts.idleTimeoutMs);
    h.timer.unref();
  }

  private drop(token: string, h: Held): void {
    clearTimeout(h.timer);
    this.held.delete(token);
    this.opts.openOnServer.add(-1);
    h.session.close();
  }

  /** Drops the session of `token` if it is kept (the kernel disconnected it). */
  forget(token: string): void {
    const h = this.held.get(token);
    if (h !== undefined && h.running === 0) this.drop(token, h);
  }

  /** Closes every kept session (shutdown): their transactions roll back. */
  closeAll(): void {
    for (const [token, h] of [...this.held]) this.drop(token, h);
  }
}
