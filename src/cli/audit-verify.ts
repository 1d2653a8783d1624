// `mizzle audit verify FILE [FILE...]`: checks an audit-file log (a rotated series oldest first) for edited, removed, inserted or reordered lines.
import { verifyAuditFiles } from '../plugins/audit-file/index.js';

const USAGE = 'usage: mizzle audit verify FILE [FILE...]   (rotated files oldest first, e.g. audit.log.1 audit.log)\n';

/** Exit 0 with a one-line summary, 1 naming the first bad line, 2 for a usage error. */
export async function auditCommand(args: string[]): Promise<number> {
  const [sub, ...files] = args;
  if (sub !== 'verify' || files.length === 0 || files.some((f) => f.startsWith('-'))) {
    process.stderr.write(USAGE);
    return 2;
  }
  const r = verifyAuditFiles(files);
  if (r.ok) {
    process.stdout.write(`${r.summary}\n`);
    return 0;
  }
  process.stdout.write(`FAILED: ${r.file}${r.line > 0 ? ` line ${r.line}` : ''} ${r.reason}\n`);
  return 1;
}
