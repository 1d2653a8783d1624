// Requests for a session another worker thread holds: handed to that thread, which answers through a stand-in response piped back here.
import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { BroadcastChannel, threadId } from 'node:worker_threads';
import { sqlError } from '../../base/errors.js';
import type { BatchRequest, QueryRequest } from '../../protocol/http/request-parsing.js';
import type { RequestPeer } from './request-auth.js';
import type { AnswerStream } from './responses.js';
import { unknownToken } from './session-tokens.js';
import { HttpFailure } from './http-failure.js';

/** A request's route with its parsed body. */
export type ParsedRequest = { route: 'query'; body: QueryRequest } | { route: 'batch'; body: BatchRequest };

/** A parsed request for a session of another thread: all the holder needs to run and answer it. */
export type RelayedRequest = ParsedRequest & { user: string; peer: RequestPeer; ndjson: boolean };

/** Runs a relayed request on this thread's session and answers it into `answer`. */
export type RelayedRunner = (r: RelayedRequest, answer: AnswerStream) => Promise<void>;

type RelayMessage =
  /** A thread's HTTP server started (`here` answers it) or stopped. */
  | { t: 'up'; from: number }
  | { t: 'here'; from: number; to: number }
  | { t: 'down'; from: number }
  | { t: 'run'; from: number; to: number; id: number; request: RelayedRequest }
  /** From the holder: the answer's head, a piece of its body, its end, or that it was cut off. */
  | { t: 'head'; to: number; id: number; status: number; headers: Record<string, string | number> }
  | { t: 'body'; to: number; id: number; chunk: Uint8Array }
  | { t: 'end'; to: number; id: number }
  | { t: 'cut'; to: number; id: number }
  /** From the receiver: a piece of body went out to the client (the holder may send the next), or the client left. */
  | { t: 'ack'; to: number; from: number; id: number }
  | { t: 'gone'; to: number; from: number; id: number };

/** A relayed request as the receiving thread tracks it. */
interface Forwarded {
  holder: number;
  res: ServerResponse;
  bytes: number;
  resolve(bytes: number): void;
  reject(e: unknown): void;
}

/**
 * One per thread serving HTTP, on a channel every thread of the server shares. A
 * request naming a session token of thread T (the token says which, see SessionTokens)
 * that reaches another thread is sent to T, which runs it on the session and answers
 * through a RelayedAnswer; its head and body come back and go out on the client's own
 * connection, a piece at a time, so a slow client holds back the holder as it would
 * on its own thread. Every thread sees every message (a BroadcastChannel); each acts on
 * those addressed to it.
 */
export class SessionRelay {
  private readonly channel: BroadcastChannel;
  /** Threads whose HTTP server is up: a token naming any other is refused here at once. */
  private readonly threads = new Set<number>();
  private readonly forwarded = new Map<number, Forwarded>();
  /** Answers this thread is writing for others, by `${receiver}:${id}`. */
  private readonly answering = new Map<string, RelayedAnswer>();
  private nextId = 1;

  constructor(name: string, private readonly run: RelayedRunner) {
    this.channel = new BroadcastChannel(name);
    this.channel.onmessage = (event) => this.received((event as { data: RelayMessage }).data);
    this.channel.unref();
    this.post({ t: 'up', from: threadId });
  }

  /** Whether a request for a session of `thread` must be relayed (it is not this thread's). */
  static elsewhere(thread: number): boolean {
    return thread !== threadId;
  }

  /** Relays a request to `holder` and pipes its answer into `res`; resolves with the body bytes sent. */
  forward(holder: number, request: RelayedRequest, res: ServerResponse): Promise<number> {
    if (!this.threads.has(holder)) return Promise.reject(unknownToken());
    const id = this.nextId++;
    return new Promise<number>((resolve, reject) => {
      this.forwarded.set(id, { holder, res, bytes: 0, resolve, reject });
      res.once('close', () => {
        if (!this.forwarded.has(id)) return;
        this.forwarded.delete(id);
        this.post({ t: 'gone', to: holder, from: threadId, id });
        resolve(0);
      });
      this.post({ t: 'run', from: threadId, to: holder, id, request });
    });
  }

  private received(m: RelayMessage): void {
    switch (m.t) {
      case 'up':
        this.threads.add(m.from);
        this.post({ t: 'here', from: threadId, to: m.from });
        return;
      case 'here':
        if (m.to === threadId) this.threads.add(m.from);
        return;
      case 'down':
        this.threads.delete(m.from);
        for (const [id, f] of this.forwarded) if (f.holder === m.from) this.settle(id, f, new HttpFailure(503, sqlError('SERVER_SHUTDOWN', 'Server shutdown in progress')));
        return;
      case 'run': {
        if (m.to !== threadId) return;
        const answer = new RelayedAnswer((msg) => this.post(msg), m.from, m.id);
        const key = `${m.from}:${m.id}`;
        this.answering.set(key, answer);
        answer.once('close', () => this.answering.delete(key));
        void this.run(m.request, answer).finally(() => {
          if (!answer.writableEnded) answer.destroy();
        });
        return;
      }
      case 'ack':
      case 'gone':
        if (m.to !== threadId) return;
        this.answering.get(`${m.from}:${m.id}`)?.[m.t === 'ack' ? 'acked' : 'gone']();
        return;
      default:
        if (m.to === threadId) this.answered(m);
    }
  }

  /** A piece of an answer this thread relayed, from its holder. */
  private answered(m: Extract<RelayMessage, { t: 'head' | 'body' | 'end' | 'cut' }>): void {
    const f = this.forwarded.get(m.id);
    if (f === undefined) return;
    const { res } = f;
    if (m.t === 'head') {
      res.writeHead(m.status, m.headers);
    } else if (m.t === 'body') {
      f.bytes += m.chunk.length;
      const ack = () => this.post({ t: 'ack', to: f.holder, from: threadId, id: m.id });
      if (res.write(m.chunk)) ack();
      else res.once('drain', ack);
    } else if (m.t === 'end') {
      res.end();
      this.settle(m.id, f);
    } else {
      res.destroy();
      this.settle(m.id, f);
    }
  }

  private settle(id: number, f: Forwarded, failure?: unknown): void {
    this.forwarded.delete(id);
    if (failure === undefined) f.resolve(f.bytes);
    else f.reject(failure);
  }

  private post(m: RelayMessage): void {
    this.channel.postMessage(m);
  }

  /** Tells the other threads this one no longer holds sessions; answers being written are cut off. */
  close(): void {
    this.post({ t: 'down', from: threadId });
    for (const a of this.answering.values()) a.destroy();
    this.channel.close();
  }
}

/**
 * The holder's stand-in for the receiving thread's ServerResponse: what is written to it
 * goes there in messages, one piece of body at a time (the next once the client took it).
 */
class RelayedAnswer extends Writable implements AnswerStream {
  headersSent = false;
  private readonly extraHeaders: Record<string, string> = {};
  private pendingWrite: ((e?: Error | null) => void) | undefined;

  constructor(private readonly send: (m: RelayMessage) => void, private readonly receiver: number, private readonly id: number) {
    super();
  }

  setHeader(name: string, value: string): this {
    this.extraHeaders[name] = value;
    return this;
  }

  writeHead(status: number, headers: Record<string, string | number>): this {
    this.headersSent = true;
    this.send({ t: 'head', to: this.receiver, id: this.id, status, headers: { ...this.extraHeaders, ...headers } });
    return this;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (e?: Error | null) => void): void {
    this.pendingWrite = done;
    this.send({ t: 'body', to: this.receiver, id: this.id, chunk });
  }

  override _final(done: (e?: Error | null) => void): void {
    this.send({ t: 'end', to: this.receiver, id: this.id });
    done();
  }

  override _destroy(e: Error | null, done: (e?: Error | null) => void): void {
    if (!this.writableFinished) this.send({ t: 'cut', to: this.receiver, id: this.id });
    this.pendingWrite = undefined;
    done(e);
  }

  /** The receiver wrote the last piece out: the next may go. */
  acked(): void {
    const w = this.pendingWrite;
    this.pendingWrite = undefined;
    w?.();
  }

  /** The client went away: whatever writes here stops. */
  gone(): void {
    this.destroy();
  }
}
