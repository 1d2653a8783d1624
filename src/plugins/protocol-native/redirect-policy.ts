// Whether a request runs here or is sent elsewhere: REDIRECT (or an error without a target) for writes on a read-only server and everything while draining.
import { sqlError, type SqlError } from '../../base/errors.js';
import { readHostPort } from '../../base/host-port.js';
import type { KernelApi } from '../../kernel/plugin.js';
import type { RedirectReply } from '../../protocol/native/messages.js';
import { parse } from '../../sql/parser/index.js';
import { isReadOnlyStatement } from '../../sql/executor/run-statement.js';

/** Whether `sql` writes; text that does not parse is no write (the session answers its parse error). */
export function isWrite(sql: string): boolean {
  try {
    return !isReadOnlyStatement(parse(sql));
  } catch {
    return false;
  }
}

export interface RedirectTarget {
  host: string;
  port: number;
}

/** host:port (IPv6 in brackets) as a redirect target; '' is none. */
export function parseRedirectTarget(text: string): RedirectTarget | undefined {
  if (text.trim() === '') return undefined;
  const target = readHostPort(text);
  if (target === undefined) throw new Error(`'${text}' is not host:port`);
  return target;
}

export class RedirectPolicy {
  draining = false;

  constructor(private readonly kernel: KernelApi, private readonly target: RedirectTarget | undefined, private readonly readOnly: boolean) {}

  /** The plugin's read_only option or the server's read_only / super_read_only globals. */
  private serverReadOnly(): boolean {
    return this.readOnly || Number(this.kernel.getGlobalVariable('read_only') ?? 0) === 1 || Number(this.kernel.getGlobalVariable('super_read_only') ?? 0) === 1;
  }

  /**
   * What to answer instead of running `sql`, or undefined to run it. A session in a
   * transaction is never redirected for read-only mode (its transaction lives here);
   * its writes get 1290 instead.
   */
  verdict(sql: string, session: { status(): { inTransaction: boolean } }): { redirect: RedirectReply } | { error: SqlError } | undefined {
    if (this.draining) {
      if (this.target === undefined) return { error: sqlError('SERVER_SHUTDOWN', 'Server shutdown in progress') };
      return { redirect: { reason: 'draining', ...this.target, message: 'This server is shutting down; continue on the one named' } };
    }
    if (!this.serverReadOnly() || !isWrite(sql)) return undefined;
    // A replica of a native-protocol source sends writes to its source unless the operator named a target.
    const source = this.target === undefined ? this.kernel.replicaSource?.() : undefined;
    const primary = source?.scheme === 'mizzle' ? { host: source.host, port: source.port } : undefined;
    const target = this.target ?? primary;
    if (target === undefined || session.status().inTransaction) {
      return { error: sqlError('OPTION_PREVENTS_STATEMENT', 'The MySQL server is running with the --read-only option so it cannot execute this statement') };
    }
    if (primary !== undefined) return { redirect: { reason: 'not-primary', ...primary, message: 'This server is a replica; send writes to its source' } };
    return { redirect: { reason: 'read-only', ...target, message: 'This server is read-only; send writes to the one named' } };
  }
}
