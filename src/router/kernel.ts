// The kernel the MySQL protocol plugin talks to inside `mizzle router`: logins checked against the router's own user, sessions that route statements to the shards.
import type { Socket } from 'node:net';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { sqlError, type SqlError } from '../base/errors.js';
import type { AuthDecision, AuthRequest, KernelApi, KernelSession, Listener, ProcessInfo, SessionOpenInfo, SharedGauge } from '../kernel/plugin.js';
import { listenAlone } from '../kernel/listen-alone.js';
import { nativeStage2, sha2Stage2 } from '../protocol/mysql/auth-methods.js';
import type { KeyspaceView } from './backends.js';
import { RouterSession, type RouterSettings } from './session.js';

/** Who may log in to the router: `password` undefined means anyone from loopback, no one from elsewhere. */
export interface RouterLogin {
  user: string;
  password: string | undefined;
}

const MAX_ALLOWED_PACKET = 64 * 1024 * 1024;

export class RouterKernel implements KernelApi {
  readonly serverVersion: string;
  readonly serverUuid = randomUUID();
  private lastId = 0;
  private open = true;
  private readonly sessions = new Set<RouterSession>();
  private readonly gauges = new Map<string, SharedGauge>();

  constructor(private readonly view: KeyspaceView, private readonly settings: RouterSettings, private readonly login: RouterLogin, version: string) {
    this.serverVersion = `8.0.36-mizzle-router-${version}`;
  }

  async authenticate(req: AuthRequest): Promise<AuthDecision> {
    const pw = this.login.password;
    if (pw === undefined) return req.loopback ? { kind: 'allow' } : { kind: 'deny', reason: 'the router admits clients from other hosts only with a password (MIZZLE_ROUTER_PASSWORD)' };
    if (req.user !== this.login.user) return { kind: 'deny', reason: 'unknown user' };
    const native = nativeStage2(pw);
    return {
      kind: 'verify',
      credential: {
        nativeStage2: pw === '' ? Buffer.alloc(0) : native,
        sha256Stage2: pw === '' ? undefined : sha2Stage2(pw),
        verifyClearText: (given) => given.length === pw.length && timingSafeEqual(Buffer.from(given), Buffer.from(pw)),
      },
    };
  }

  listen(spec: { host: string; port: number }, onConnection: (socket: Socket) => void): Promise<Listener> {
    return listenAlone(spec, onConnection);
  }

  gauge(name: string): SharedGauge {
    let g = this.gauges.get(name);
    if (g === undefined) {
      let v = 0;
      g = { add: (d: number) => (v += d), get: () => v };
      this.gauges.set(name, g);
    }
    return g;
  }

  async statusFresh(): Promise<void> {}

  isConnectionAdmin(user: string): boolean {
    return user === this.login.user;
  }

  openSession(info: SessionOpenInfo): KernelSession {
    if (info.database !== null && info.database.toLowerCase() !== this.view.keyspace.toLowerCase()) throw sqlError('BAD_DB', `Unknown database '${info.database}' (this router serves the keyspace ${this.view.keyspace})`);
    const s = new RouterSession(info.connectionId ?? this.nextConnectionId(), info.user, info.database ?? this.view.keyspace, this.view, this.settings);
    this.sessions.add(s);
    const close = s.close.bind(s);
    s.close = () => {
      this.sessions.delete(s);
      close();
    };
    return s;
  }

  nextConnectionId(): number {
    return ++this.lastId;
  }

  getGlobalVariable(name: string): string | number | null {
    if (name === 'max_allowed_packet') return MAX_ALLOWED_PACKET;
    if (name === 'require_secure_transport') return 0;
    return null;
  }

  recordTraffic(): void {}
  recordAbortedConnect(): void {}
  hostRefusal(): SqlError | undefined {
    return undefined;
  }
  loginFailed(): void {}
  loginSucceeded(): void {}
  globalStatus(): [string, string | number][] {
    return [['Threads_connected', this.sessions.size]];
  }
  processList(): ProcessInfo[] {
    return [];
  }
  storageHealthy(): boolean {
    return true;
  }
  accepting(): boolean {
    return this.open;
  }

  /** Stops admitting; open sessions close their backend connections. */
  shutdown(): void {
    this.open = false;
    for (const s of [...this.sessions]) s.close();
  }
}
