// The console's version, from package.json: not from the kernel, whose modules a client has no need to load.
import { readFileSync } from 'node:fs';

/** The package's version, or '' when package.json cannot be read (a bundled copy). */
export function consoleVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '';
  } catch {
    return '';
  }
}
