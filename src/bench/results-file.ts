// Where a benchmark's figures go: bench/results/DATE-NAME.md, numbered when that day already has one.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RESULTS = join(fileURLToPath(import.meta.url), '..', '..', '..', 'bench', 'results');

/** Writes `text` as the day's result `name` (a new file, never over an earlier run), prints it, and returns the path. */
export function writeBenchResult(name: string, date: string, text: string): string {
  if (!existsSync(RESULTS)) mkdirSync(RESULTS, { recursive: true });
  const day = date.slice(0, 10);
  let file = join(RESULTS, `${day}-${name}.md`);
  for (let n = 2; existsSync(file); n++) file = join(RESULTS, `${day}-${name}-${n}.md`);
  writeFileSync(file, text);
  process.stdout.write(`${text}\nwritten to ${file}\n`);
  return file;
}
