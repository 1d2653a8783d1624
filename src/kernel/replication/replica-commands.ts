// CHANGE REPLICATION SOURCE TO, RESET REPLICA [ALL] and PROMOTE: what they check and change, in whichever thread runs the statement.
import { sqlError } from '../../base/errors.js';
import type { ApplierDuty } from '../cluster.js';
import type { GlobalVariables } from '../variables.js';
import { changedSourceUrl, type SourceSettings } from './source-settings.js';

/** What the statements need of the server. */
export interface ReplicaCommandHost {
  /** Where the source setting lives (undefined: an embedded server without a datadir to keep it). */
  readonly sourceSettings: SourceSettings | undefined;
  readonly globals: GlobalVariables;
  readonly hasChangeLog: boolean;
  /** Whether the applier runs, here or in the thread that runs it. */
  applierRunning(): boolean;
  /** Forgets where the replica stands in its source's log: the next source continues after the newest transaction held here. */
  clearAppliedPosition(): void;
  /** Tells the thread that runs the applier (this one, or the main one). */
  applierDuty(action: ApplierDuty): void;
}

const mustStop = () => sqlError('REPLICA_CHANNEL_MUST_STOP', "This operation cannot be performed with a running replica io thread; run STOP REPLICA IO_THREAD FOR CHANNEL '' first.");

function settingsOf(host: ReplicaCommandHost): SourceSettings {
  if (host.sourceSettings === undefined) throw sqlError('REPLICA_NOT_CONFIGURED', 'This server keeps no replication settings (it has no data directory)');
  return host.sourceSettings;
}

function setReadOnly(host: ReplicaCommandHost, on: boolean): void {
  const v = on ? 1 : 0;
  // super_read_only first when turning on, read_only first when turning off (MySQL ties them so).
  if (on) {
    host.globals.set('super_read_only', v);
    host.globals.set('read_only', v);
  } else {
    host.globals.set('read_only', v);
    host.globals.set('super_read_only', v);
  }
}

/**
 * CHANGE REPLICATION SOURCE TO: only while the applier is stopped (3021, as MySQL). Stored in the
 * datadir (a restart follows it); a server that was a primary becomes read-only like a replica.
 * START REPLICA then follows the new source from the newest transaction this server holds.
 */
export function changeSource(host: ReplicaCommandHost, options: readonly { name: string; value: string | number }[]): void {
  const settings = settingsOf(host);
  if (!host.hasChangeLog) throw sqlError('REPLICA_NOT_CONFIGURED', 'A replica needs the change log (its position is stored with it): restart without --log-bin=false');
  if (host.applierRunning()) throw mustStop();
  const current = settings.current();
  const url = changedSourceUrl(current, options);
  settings.store(url);
  // A new source: where this server stands in the old one's log means nothing there.
  if (current === undefined || current.host !== url.host) host.clearAppliedPosition();
  setReadOnly(host, true);
  host.applierDuty('sync');
}

/**
 * RESET REPLICA: forgets the position (the source is then asked by the newest transaction held
 * here); ALL forgets the source too, and the server is no replica any more (read_only stays as it was, as in MySQL).
 */
export function resetReplica(host: ReplicaCommandHost, all: boolean): void {
  const settings = settingsOf(host);
  if (host.applierRunning()) throw sqlError('REPLICA_MUST_STOP', 'This operation cannot be performed with a running replica; run STOP REPLICA first');
  if (settings.current() === undefined) return;
  host.clearAppliedPosition();
  if (all) {
    settings.store(undefined);
    host.applierDuty('sync');
  }
}

/** PROMOTE, before its statement runs: the applier applies what it received and stops. */
export function promotable(host: ReplicaCommandHost): void {
  if (settingsOf(host).current() === undefined) throw sqlError('REPLICA_NOT_CONFIGURED', 'PROMOTE: this server is not a replica (it already takes writes)');
}

/**
 * PROMOTE, once the applier drained: the source is forgotten (stored, so a restart with the same
 * --replica-of stays a primary), the server leaves read-only, and what it commits from now on is logged with its own ids.
 */
export function promote(host: ReplicaCommandHost): void {
  promotable(host);
  if (host.applierRunning()) throw sqlError('REPLICA_MUST_STOP', 'PROMOTE: the applier did not stop; see SHOW REPLICA STATUS');
  host.clearAppliedPosition();
  settingsOf(host).store(undefined);
  host.applierDuty('sync');
  setReadOnly(host, false);
}
