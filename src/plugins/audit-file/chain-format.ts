// The audit log's line format: JSON objects chained by the SHA-256 of the previous line's bytes, with a sequence number.
import { createHash } from 'node:crypto';

/** The `prev` of the first line of a new chain (no earlier line): 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** The event of the line the plugin writes when it opens a file (start) or reopens it (SIGHUP). */
export const START_EVENT = 'audit-start';
export const REOPEN_EVENT = 'audit-reopen';

/** SHA-256 (hex) of one line's exact bytes, without its newline. */
export function lineHash(line: string | Buffer): string {
  return createHash('sha256').update(line).digest('hex');
}

/**
 * One chained line: `seq` and `prev` first, then the event's own fields (`body`, a JSON object's text).
 * Writing `seq` and `prev` first lets a reader see the link without parsing the rest.
 */
export function chainedLine(seq: number, prev: string, body: string): string {
  return `{"seq":${seq},"prev":"${prev}",${body.slice(1)}`;
}

/** The fields verification reads from a line, or why the line cannot be read. */
export function chainFields(line: string): { seq: number; prev: string; event: string } | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return 'is not valid JSON';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'is not a JSON object';
  const { seq, prev, event } = parsed as Record<string, unknown>;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return 'has no valid seq';
  if (typeof prev !== 'string' || !/^[0-9a-f]{64}$/.test(prev)) return 'has no valid prev hash';
  return { seq, prev, event: typeof event === 'string' ? event : '' };
}
