// Runs sqllogictest records against a backend and reports failures, counts and timings.
import { readFileSync } from 'node:fs';
import { parseSlt } from './parse.js';
import { hashValues, renderResult } from './render.js';
import type { Backend } from './backends.js';

export interface FileReport {
  file: string;
  passed: number;
  failed: number;
  skipped: number;
  failures: string[];
  /** The slowest queries of this file: [ms, file:line]. */
  slow: [number, string][];
  ms: number;
}

const SLOW_KEPT = 10;

function keepSlow(slow: [number, string][], ms: number, where: string): void {
  if (slow.length < SLOW_KEPT || ms > slow[slow.length - 1][0]) {
    slow.push([ms, where]);
    slow.sort((a, b) => b[0] - a[0]);
    if (slow.length > SLOW_KEPT) slow.pop();
  }
}

/** Runs one file in a fresh database. Never throws for a failing record. */
export async function runFile(path: string, display: string, backend: Backend, database: string, maxRecords = Infinity): Promise<FileReport> {
  const t0 = Date.now();
  const report: FileReport = { file: display, passed: 0, failed: 0, skipped: 0, failures: [], slow: [], ms: 0 };
  const records = parseSlt(readFileSync(path, 'utf8'));
  let hashThreshold = 0;
  await backend.begin(database);
  try {
    for (const { record, skip } of records) {
      if (record.kind === 'halt') {
        if (skip) continue;
        break;
      }
      if (record.kind === 'hash-threshold') {
        hashThreshold = record.value;
        continue;
      }
      if (skip) {
        report.skipped++;
        continue;
      }
      if (report.passed + report.failed >= maxRecords) break;
      const where = `${display}:${record.line}`;
      const q0 = performance.now();
      const outcome = await backend.run(record.sql);
      keepSlow(report.slow, performance.now() - q0, where);
      const fail = (reason: string) => {
        report.failed++;
        report.failures.push(`${where}: ${reason}`);
      };
      if (record.kind === 'statement') {
        if (record.expectError) {
          if (outcome.kind !== 'error') fail('statement succeeded but an error was expected');
          else if (record.errorCode !== undefined && outcome.code !== record.errorCode) fail(`expected error ${record.errorCode}, got ${outcome.code} ${outcome.message}`);
          else report.passed++;
        } else if (outcome.kind === 'error') fail(`statement failed: ${outcome.code} ${outcome.message.split('\n')[0]}`);
        else report.passed++;
        continue;
      }
      if (outcome.kind === 'error') {
        fail(`query failed: ${outcome.code} ${outcome.message.split('\n')[0]}`);
        continue;
      }
      if (outcome.kind === 'ok') {
        fail('query returned no result set');
        continue;
      }
      const rendered = renderResult(outcome.result, record.types, record.sort);
      if ('error' in rendered) {
        fail(rendered.error);
        continue;
      }
      const values = rendered.values;
      if (record.hash) {
        const md5 = hashValues(values);
        if (values.length !== record.hash.count || md5 !== record.hash.md5) fail(`expected ${record.hash.count} values hashing to ${record.hash.md5}, got ${values.length} values hashing to ${md5}`);
        else report.passed++;
        continue;
      }
      const expected = record.expected;
      // Results past the hash threshold may be given either way; compare what we have.
      void hashThreshold;
      if (values.length !== expected.length || values.some((v, i) => v !== expected[i])) {
        const at = values.findIndex((v, i) => v !== expected[i]);
        fail(`expected ${expected.length} values, got ${values.length}; first difference at value ${at + 1}: expected ${JSON.stringify(expected[at])}, got ${JSON.stringify(values[at])}`);
      } else report.passed++;
    }
  } finally {
    await backend.end(database);
  }
  report.ms = Date.now() - t0;
  return report;
}
