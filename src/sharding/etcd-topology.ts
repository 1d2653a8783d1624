// The topology kept in etcd (one key per keyspace under a prefix): read at start, watched for changes, changed by compare-and-swap; routing keeps the last known topology while etcd is down.
import { ClientClosedError, Etcd3, isRecoverableError, type IKeyValue, type IOptions, type IWatchResponse, type Watcher } from 'etcd3';
import { memberBreaker, MemberSkippedError, retryAcrossMembers } from './etcd-host-breaker.js';
import { parseKeyspace, type KeyspaceTopology, type Topology } from './topology.js';
import { TopologyUnavailableError, type TopologySource } from './topology-source.js';

export interface EtcdAddress {
  /** host:port of each member. */
  hosts: string[];
  /** Starts and ends with '/'. */
  prefix: string;
}

export const DEFAULT_ETCD_PREFIX = '/mizzle/';
const DEFAULT_ETCD_PORT = 2379;
const ETCD_MEMBERS_MAX = 16;

/** How long start() waits for a first answer before it gives up. */
const START_TIMEOUT_MS = 5_000;
/** One etcd call's deadline: a member without a quorum would otherwise hold a linearizable read for seconds. */
const CALL_DEADLINE_MS = 1_200;
/** The whole of one update, retries included: a change is refused well inside 3 s when etcd cannot take it. */
const UPDATE_TIMEOUT_MS = 2_500;
/** Concurrent writers of one keyspace take turns; past this many lost races the change is given up. */
const UPDATE_ATTEMPTS_MAX = 20;
/** How often etcd is asked whether it still answers (reachable(), and catching up after an outage). */
const PROBE_INTERVAL_MS = 1_000;
/** The watch stream's reconnect delay: constant, so a returning etcd is heard within about a second. */
const WATCH_RETRY_MS = 500;
/** Closing waits this long for etcd to confirm the watch's end. */
const CLOSE_WAIT_MS = 1_000;

/** Largest answer taken from etcd (a whole topology in one read); gRPC's default of 4 MiB is less than a few big lookup tables. */
const ETCD_ANSWER_MAX_BYTES = 256 * 1024 * 1024;

/** Keyspace names are database names (the rule parseKeyspace applies). */
const KEYSPACE_NAME = /^[A-Za-z0-9_$]{1,64}$/;

/** etcd://host:port[,host:port…][/prefix] → its members and prefix; throws naming the fault. */
export function parseEtcdAddress(address: string): EtcdAddress {
  const bad = (what: string): never => {
    throw new Error(`bad etcd address '${address}': ${what} (expected etcd://host:port[,host:port…]/prefix)`);
  };
  if (!address.startsWith('etcd://')) bad("it must start with 'etcd://'");
  const rest = address.slice('etcd://'.length);
  const slash = rest.indexOf('/');
  const hostList = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? '' : rest.slice(slash);
  if (hostList === '') bad('no etcd members');
  const hosts = hostList.split(',').map((h) => {
    const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/.exec(h);
    if (!m) return bad(`'${h}' is not host:port`);
    const port = m[2] === undefined ? DEFAULT_ETCD_PORT : Number(m[2]);
    if (port < 1 || port > 65535) bad(`port ${m[2]} is not 1..65535`);
    return `${m[1]}:${port}`;
  });
  if (hosts.length > ETCD_MEMBERS_MAX) bad(`at most ${ETCD_MEMBERS_MAX} members`);
  let prefix = path === '' || path === '/' ? DEFAULT_ETCD_PREFIX : path;
  if (!prefix.endsWith('/')) prefix += '/';
  if (/\s|\/\//.test(prefix) || prefix.length > 256) bad('the prefix must be a path without spaces or empty parts, up to 256 characters');
  return { hosts, prefix };
}

/** What is known of one keyspace key: the last revision seen for it and the last good keyspace it held. */
interface KeyState {
  revision: bigint;
  keyspace: KeyspaceTopology | undefined;
}

type WatchBackoff = NonNullable<NonNullable<IOptions['faultHandling']>['watchBackoff']>;

function constantBackoff(ms: number): WatchBackoff {
  const backoff: WatchBackoff = { duration: ms, next: () => backoff };
  return backoff;
}

function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    timer.unref();
    work.then(
      (v) => { clearTimeout(timer); resolve(v); },
      (e: unknown) => { clearTimeout(timer); reject(e); },
    );
  });
}

export interface EtcdTopologyOptions {
  /** Where warnings go (a bad value in etcd, etcd lost and found); stderr by default. */
  log?: (message: string) => void;
}

/** grpc's wordy "14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED …. Resolution note: " cut to its cause. */
function unreachableReason(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const last = /Last error: (?:Error: )?(.*?)\.?(?: Resolution note:.*)?$/s.exec(text);
  return last === null ? text : `no etcd member answers (${last[1].trim()})`;
}

export class EtcdTopology implements TopologySource {
  readonly description: string;
  private readonly address: EtcdAddress;
  private readonly keyPrefix: string;
  private readonly log: (message: string) => void;
  private client: Etcd3 | undefined;
  private watcher: Watcher | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private probing = false;
  private readonly keys = new Map<string, KeyState>();
  private topology: Topology = { keyspaces: {} };
  private readonly listeners = new Set<(t: Topology) => void>();
  private answering = false;
  private closed = false;
  /** Set while etcd is lost: the next answer re-reads everything, so no change made meanwhile is missed. */
  private needResync = false;

  constructor(address: string | EtcdAddress, opts: EtcdTopologyOptions = {}) {
    this.address = typeof address === 'string' ? parseEtcdAddress(address) : address;
    this.keyPrefix = `${this.address.prefix}keyspaces/`;
    this.description = `etcd ${this.address.hosts.join(',')}${this.address.prefix}`;
    this.log = opts.log ?? ((m) => process.stderr.write(`mizzle topology (${this.description}): ${m}\n`));
  }

  async start(): Promise<void> {
    if (this.client) throw new Error('this topology source is already started');
    this.client = new Etcd3({
      hosts: this.address.hosts.map((h) => `http://${h}`),
      dialTimeout: START_TIMEOUT_MS,
      grpcOptions: { 'grpc.max_receive_message_length': ETCD_ANSWER_MAX_BYTES },
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + CALL_DEADLINE_MS }),
      faultHandling: { host: memberBreaker, global: retryAcrossMembers(this.address.hosts.length), watchBackoff: constantBackoff(WATCH_RETRY_MS) },
    });
    let revision: bigint;
    try {
      revision = await withTimeout(this.readAll(), START_TIMEOUT_MS, () => new Error(`no answer in ${START_TIMEOUT_MS / 1000} s`));
    } catch (e) {
      this.client.close();
      this.client = undefined;
      throw new TopologyUnavailableError(`cannot read the topology from ${this.description}: ${unreachableReason(e)}`);
    }
    this.watch(revision + 1n);
    this.probeTimer = setInterval(() => void this.probe(), PROBE_INTERVAL_MS);
    this.probeTimer.unref();
  }

  current(): Topology {
    return this.topology;
  }

  reachable(): boolean {
    return this.answering;
  }

  onChange(listener: (t: Topology) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private etcd(): Etcd3 {
    if (this.closed) throw new TopologyUnavailableError(`the topology source ${this.description} is closed`);
    if (!this.client) throw new Error('the topology source is not started');
    return this.client;
  }

  /** Reads every keyspace key (linearizably) and merges them; returns the store's revision. */
  private async readAll(): Promise<bigint> {
    const res = await this.etcd().getAll().prefix(this.keyPrefix).exec();
    this.heard();
    const revision = BigInt(res.header.revision);
    const seen = new Set<string>();
    let changed = false;
    for (const kv of res.kvs) {
      const name = this.nameOf(kv.key);
      if (name === undefined) continue;
      seen.add(name);
      changed = this.apply(name, BigInt(kv.mod_revision), kv.value) || changed;
    }
    // A key gone from the store was deleted while nobody listened (unless a newer event already told us more).
    for (const [name, state] of this.keys) {
      if (!seen.has(name) && state.revision <= revision && state.keyspace !== undefined) changed = this.apply(name, revision, undefined) || changed;
    }
    if (changed) this.publish();
    return revision;
  }

  private nameOf(key: Buffer): string | undefined {
    const k = key.toString('utf8');
    if (!k.startsWith(this.keyPrefix)) return undefined;
    const name = k.slice(this.keyPrefix.length);
    return KEYSPACE_NAME.test(name) ? name : undefined;
  }

  /**
   * Records what the store held for `name` at `revision` (undefined: deleted). Older news than
   * what is known is dropped, so a re-read and the watch can arrive in any order. A value that
   * does not parse keeps the last good keyspace. Returns whether the topology changed.
   */
  private apply(name: string, revision: bigint, value: Buffer | undefined): boolean {
    const known = this.keys.get(name);
    if (known !== undefined && revision <= known.revision) return false;
    if (value === undefined) {
      this.keys.set(name, { revision, keyspace: undefined });
      return known?.keyspace !== undefined;
    }
    let keyspace: KeyspaceTopology;
    try {
      keyspace = this.parseStored(name, value);
    } catch (e) {
      this.log(`ignoring a bad value for keyspace ${name} (revision ${revision}), keeping ${known?.keyspace ? 'the last good one' : 'none'}: ${(e as Error).message}`);
      this.keys.set(name, { revision, keyspace: known?.keyspace });
      return false;
    }
    this.keys.set(name, { revision, keyspace });
    return known?.keyspace === undefined || JSON.stringify(known.keyspace) !== JSON.stringify(keyspace);
  }

  /** A stored value as the keyspace `name`; throws when it is not one. */
  private parseStored(name: string, value: Buffer): KeyspaceTopology {
    const key = `${this.keyPrefix}${name}`;
    const keyspace = parseKeyspace(JSON.parse(value.toString('utf8')), key);
    if (keyspace.name !== name) throw new Error(`the keyspace under ${key} is named '${keyspace.name}'`);
    return keyspace;
  }

  private publish(): void {
    const keyspaces: Record<string, KeyspaceTopology> = {};
    for (const name of [...this.keys.keys()].sort()) {
      const ks = this.keys.get(name)?.keyspace;
      if (ks !== undefined) keyspaces[name] = ks;
    }
    const next: Topology = { keyspaces };
    this.topology = next;
    for (const listener of this.listeners) {
      try {
        listener(next);
      } catch (e) {
        this.log(`a topology listener failed: ${(e as Error).message}`);
      }
    }
  }

  private heard(): void {
    if (!this.answering && this.needResync) this.log('etcd answers again');
    this.answering = true;
  }

  private lost(why: string): void {
    if (this.closed) return;
    if (this.answering || !this.needResync) this.log(`etcd does not answer (${why}); routing continues on the last known topology, changes are refused`);
    this.answering = false;
    this.needResync = true;
  }

  /** A re-read after an outage: the watch replays from its last revision, and this catches whatever it cannot (a compacted history). */
  private async resync(): Promise<void> {
    if (!this.needResync || this.closed) return;
    try {
      await this.readAll();
      this.needResync = false;
    } catch (e) {
      this.lost((e as Error).message);
    }
  }

  private watch(fromRevision: bigint): void {
    const watcher = this.etcd().watch().prefix(this.keyPrefix).startRevision(fromRevision.toString()).watcher();
    this.watcher = watcher;
    watcher.on('data', (res: IWatchResponse) => this.onWatchData(res));
    watcher.on('connected', () => {
      this.heard();
      void this.resync();
    });
    watcher.on('disconnected', (e: Error) => this.lost(`watch: ${e.message}`));
    watcher.on('error', (e: Error) => {
      // etcd cancelled the watch (its history was compacted past our revision): read everything and watch again from there.
      if (this.closed || this.watcher !== watcher) return;
      this.log(`the watch was cancelled by etcd (${e.message}; its history may have been compacted); re-reading the topology`);
      // The client has already dropped the cancelled watcher; cancelling it again would ask etcd about an id it no longer knows.
      this.watcher = undefined;
      this.rewatch();
    });
  }

  private rewatch(): void {
    if (this.closed) return;
    this.readAll().then(
      (revision) => {
        if (!this.closed) this.watch(revision + 1n);
      },
      (e: unknown) => {
        this.lost((e as Error).message);
        const retry = setTimeout(() => this.rewatch(), WATCH_RETRY_MS);
        retry.unref();
      },
    );
  }

  private onWatchData(res: IWatchResponse): void {
    this.heard();
    let changed = false;
    for (const ev of res.events) {
      const kv: IKeyValue = ev.kv;
      const name = this.nameOf(kv.key);
      if (name === undefined) continue;
      changed = this.apply(name, BigInt(kv.mod_revision), ev.type === 'Delete' ? undefined : kv.value) || changed;
    }
    if (changed) this.publish();
  }

  private async probe(): Promise<void> {
    if (this.probing || this.closed) return;
    this.probing = true;
    try {
      // A linearizable read: only a member with a quorum behind it answers.
      await this.etcd().get(this.keyPrefix).exec();
      this.heard();
      await this.resync();
    } catch (e) {
      this.lost((e as Error).message);
    } finally {
      this.probing = false;
    }
  }

  update(keyspace: string, change: (current: KeyspaceTopology | undefined) => KeyspaceTopology | undefined): Promise<KeyspaceTopology | undefined> {
    if (!KEYSPACE_NAME.test(keyspace)) return Promise.reject(new Error(`'${keyspace}' is not a keyspace name (letters, digits, _ or $, up to 64)`));
    return withTimeout(this.compareAndSwap(keyspace, change), UPDATE_TIMEOUT_MS, () => {
      this.lost('an update timed out');
      return new TopologyUnavailableError(`etcd (${this.description}) did not take the change within ${UPDATE_TIMEOUT_MS / 1000} s; it may be down or without a quorum`);
    });
  }

  /** An etcd call whose failure means the store is unavailable (not that the change is wrong). */
  private async call<T>(what: () => Promise<T>): Promise<T> {
    try {
      const out = await what();
      this.heard();
      return out;
    } catch (e) {
      if (e instanceof TopologyUnavailableError) throw e;
      const message = e instanceof Error ? e.message : String(e);
      // A refusal from a working etcd (a value over its request size limit) is not an outage.
      if (!(e instanceof Error) || !(isRecoverableError(e) || e instanceof MemberSkippedError || e instanceof ClientClosedError)) throw new Error(`etcd (${this.description}) refused the change: ${message}`);
      this.lost(message);
      throw new TopologyUnavailableError(`etcd (${this.description}) cannot take the change: ${message}`);
    }
  }

  private async compareAndSwap(name: string, change: (current: KeyspaceTopology | undefined) => KeyspaceTopology | undefined): Promise<KeyspaceTopology | undefined> {
    const key = `${this.keyPrefix}${name}`;
    for (let attempt = 0; attempt < UPDATE_ATTEMPTS_MAX; attempt++) {
      const etcd = this.etcd();
      const res = await this.call(() => etcd.get(key).exec());
      const stored = res.kvs[0];
      let current: KeyspaceTopology | undefined;
      if (stored !== undefined) {
        try {
          current = this.parseStored(name, stored.value);
        } catch (e) {
          // A bad stored value is replaced by whatever the change makes of nothing (a `put` repairs the key).
          this.log(`the stored value of ${key} is bad and will be replaced: ${(e as Error).message}`);
        }
      }
      const proposed = change(current);
      let next: KeyspaceTopology | undefined;
      if (proposed !== undefined) {
        next = parseKeyspace(proposed, `keyspace ${name}`);
        if (next.name !== name) throw new Error(`the change to keyspace ${name} renames it to '${next.name}'`);
      }
      if (next === undefined && stored === undefined) return undefined;
      const guard = stored === undefined ? etcd.if(key, 'Create', '==', 0) : etcd.if(key, 'Mod', '==', stored.mod_revision);
      const write = next === undefined ? etcd.delete().key(key) : etcd.put(key).value(JSON.stringify(next));
      const txn = await this.call(() => guard.then(write).commit());
      if (txn.succeeded) {
        if (this.apply(name, BigInt(txn.header.revision), next === undefined ? undefined : Buffer.from(JSON.stringify(next)))) this.publish();
        return next;
      }
      // Another writer got there first: read again and let `change` look at what it wrote.
      await new Promise((r) => setTimeout(r, 5 + Math.floor(Math.random() * 20 * Math.min(attempt + 1, 5))));
    }
    throw new Error(`gave up changing keyspace ${name} after ${UPDATE_ATTEMPTS_MAX} attempts: other writers keep changing it`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.listeners.clear();
    const watcher = this.watcher;
    this.watcher = undefined;
    // The watch must be detached before the client closes, or its manager would keep trying to reconnect.
    if (watcher) await withTimeout(watcher.cancel(), CLOSE_WAIT_MS, () => new Error('watch cancel timed out')).catch(() => undefined);
    this.client?.close();
    this.client = undefined;
  }
}
