// mizzle audit verify: checks that audit log files (a rotated series, oldest first) form one unbroken hash chain.
import { closeSync, openSync, readSync } from 'node:fs';
import { chainFields, GENESIS_HASH, lineHash, REOPEN_EVENT } from './chain-format.js';

/** Bytes read from a file at a time: audit logs can be far larger than memory. */
const CHUNK_BYTES = 1 << 20;

/** The lines of a file, read in chunks (`cut` marks a last line without its newline). */
function* fileLines(path: string): Generator<{ raw: Buffer; cut: boolean }> {
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.alloc(CHUNK_BYTES);
    let carry = Buffer.alloc(0);
    for (;;) {
      const n = readSync(fd, chunk, 0, CHUNK_BYTES, null);
      if (n === 0) break;
      const data = carry.length ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      let start = 0;
      for (let end = data.indexOf(0x0a); end >= 0; end = data.indexOf(0x0a, start)) {
        yield { raw: data.subarray(start, end), cut: false };
        start = end + 1;
      }
      carry = Buffer.from(data.subarray(start));
    }
    if (carry.length) yield { raw: carry, cut: true };
  } finally {
    closeSync(fd);
  }
}

export type VerifyResult =
  | { ok: true; summary: string }
  | { ok: false; file: string; line: number; reason: string };

/** Where the chain stands between lines and files. */
interface ChainState {
  expected: { seq: number; hash: string } | undefined;
  lines: number;
  startNote: string;
}

type Failure = Extract<VerifyResult, { ok: false }>;

/** Checks one line against the chain so far and advances it; `n` is its number in `path`. */
function checkLine(raw: Buffer, path: string, n: number, state: ChainState): Failure | undefined {
  const fields = chainFields(raw.toString('utf8'));
  if (typeof fields === 'string') return { ok: false, file: path, line: n, reason: fields };
  const expected = state.expected;
  if (expected === undefined) {
    if (fields.prev === GENESIS_HASH) {
      if (fields.seq !== 1) return { ok: false, file: path, line: n, reason: `starts the chain (prev is the genesis) but its seq is ${fields.seq}, not 1 (lines were removed before it)` };
    } else if (fields.event === REOPEN_EVENT) {
      state.startNote = `continuing an earlier file (after seq ${fields.seq - 1}, hash ${fields.prev.slice(0, 12)}..., not checked: give that file first)`;
    } else {
      return { ok: false, file: path, line: n, reason: 'the first line neither starts a chain (genesis prev, seq 1) nor continues one (audit-reopen): lines were removed before it' };
    }
  } else {
    const where = n === 1 ? 'the last line of the previous file' : `line ${n - 1}`;
    if (fields.seq !== expected.seq + 1) {
      return { ok: false, file: path, line: n, reason: `seq is ${fields.seq}, expected ${expected.seq + 1}: a line was deleted or inserted here, or lines were reordered` };
    }
    if (fields.prev !== expected.hash) return { ok: false, file: path, line: n, reason: `prev does not match the SHA-256 of ${where}: ${where} (or this line) was edited` };
  }
  state.expected = { seq: fields.seq, hash: lineHash(raw) };
  state.lines++;
  return undefined;
}

/** Checks every line of one file, in order. */
function checkFile(path: string, state: ChainState): Failure | undefined {
  let n = 0;
  try {
    for (const { raw, cut } of fileLines(path)) {
      n++;
      if (cut) return { ok: false, file: path, line: n, reason: 'is cut short (no newline at its end: truncated mid-line)' };
      const bad = checkLine(raw, path, n, state);
      if (bad) return bad;
    }
  } catch (e) {
    return { ok: false, file: path, line: 0, reason: `cannot be read: ${(e as Error).message}` };
  }
  return n === 0 ? { ok: false, file: path, line: 0, reason: 'is empty' } : undefined;
}

/**
 * Reads every line of every file in order: each must parse, carry the next seq, and name the
 * previous line's SHA-256 as its prev. A series starts either at the genesis (seq 1) or at a
 * reopen line, whose link to an earlier file not given cannot be checked (the summary says so).
 */
export function verifyAuditFiles(paths: readonly string[]): VerifyResult {
  const state: ChainState = { expected: undefined, lines: 0, startNote: 'from the genesis' };
  for (const path of paths) {
    const bad = checkFile(path, state);
    if (bad) return bad;
  }
  const last = state.expected as { seq: number; hash: string };
  return { ok: true, summary: `OK: ${state.lines} lines in ${paths.length} file(s), seq up to ${last.seq}, ${state.startNote}; last hash ${last.hash}` };
}
