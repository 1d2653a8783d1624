// mizzle audit verify: checks that audit log files (a rotated series, oldest first) form one unbroken hash chain.
import { readFileSync } from 'node:fs';
import { chainFields, GENESIS_HASH, lineHash, REOPEN_EVENT } from './chain-format.js';

export type VerifyResult =
  | { ok: true; summary: string }
  | { ok: false; file: string; line: number; reason: string };

/**
 * Reads every line of every file in order: each must parse, carry the next seq, and name the
 * previous line's SHA-256 as its prev. A series starts either at the genesis (seq 1) or at a
 * reopen line, whose link to an earlier file not given cannot be checked (the summary says so).
 */
export function verifyAuditFiles(paths: readonly string[]): VerifyResult {
  let expected: { seq: number; hash: string } | undefined;
  let lines = 0;
  let startNote = 'from the genesis';
  for (const path of paths) {
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch (e) {
      return { ok: false, file: path, line: 0, reason: `cannot be read: ${(e as Error).message}` };
    }
    if (data.length === 0) return { ok: false, file: path, line: 0, reason: 'is empty' };
    let start = 0;
    for (let n = 1; start < data.length; n++) {
      const end = data.indexOf(0x0a, start);
      if (end < 0) return { ok: false, file: path, line: n, reason: 'is cut short (no newline at its end: truncated mid-line)' };
      const raw = data.subarray(start, end);
      start = end + 1;
      const fields = chainFields(raw.toString('utf8'));
      if (typeof fields === 'string') return { ok: false, file: path, line: n, reason: fields };
      if (expected === undefined) {
        if (fields.prev === GENESIS_HASH) {
          if (fields.seq !== 1) return { ok: false, file: path, line: n, reason: `starts the chain (prev is the genesis) but its seq is ${fields.seq}, not 1 (lines were removed before it)` };
        } else if (fields.event === REOPEN_EVENT) {
          startNote = `continuing an earlier file (after seq ${fields.seq - 1}, hash ${fields.prev.slice(0, 12)}..., not checked: give that file first)`;
        } else {
          return { ok: false, file: path, line: n, reason: 'the first line neither starts a chain (genesis prev, seq 1) nor continues one (audit-reopen): lines were removed before it' };
        }
      } else {
        const where = n === 1 ? 'the last line of the previous file' : `line ${n - 1}`;
        if (fields.seq !== expected.seq + 1) {
          return { ok: false, file: path, line: n, reason: `seq is ${fields.seq}, expected ${expected.seq + 1}: a line was deleted or inserted here, or lines were reordered` };
        }
        if (fields.prev !== expected.hash) {
          return { ok: false, file: path, line: n, reason: `prev does not match the SHA-256 of ${where}: ${where} (or this line) was edited` };
        }
      }
      expected = { seq: fields.seq, hash: lineHash(raw) };
      lines++;
    }
  }
  const last = expected as { seq: number; hash: string };
  return { ok: true, summary: `OK: ${lines} lines in ${paths.length} file(s), seq up to ${last.seq}, ${startNote}; last hash ${last.hash}` };
}
