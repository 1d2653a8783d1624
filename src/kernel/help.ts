// The text of `mizzle --help`: every kernel option and every plugin's options with their defaults.
import { KERNEL_OPTIONS } from './config.js';
import type { OptionSpec, PluginManifest } from './plugin.js';

function optionLine(prefix: string, o: OptionSpec): string {
  const flag = `--${prefix}${o.name}${o.type === 'boolean' ? '' : '=' + (o.type === 'number' ? 'N' : 'VALUE')}`;
  const def = o.default === '' ? '' : ` (default: ${String(o.default)})`;
  const alias = o.alias ? ` [also --${o.alias}]` : '';
  return `  ${flag.padEnd(40)} ${o.description}${def}${alias}`;
}

/** The ways to run `mizzle`: with no command it starts the server. Shown by --help and after an unknown command. */
export const USAGE = [
  'Usage:',
  '  mizzle [options]                 start the server',
  '  mizzle passwd USER [PASSWORD]    print a users-file line for the auth-file plugin (reads the password from stdin when omitted)',
  '  mizzle backup --to DEST          an online, consistent, compacted copy of the datadir (start a server on DEST to restore)',
  '  mizzle log read [--from ID] [--format json|sql|binary]   print the change log of committed transactions',
  '  mizzle audit verify FILE...      check an audit-file log (rotated files oldest first) for edited, removed or reordered lines',
  '  mizzle promote HOST:PORT        turn a replica into a primary (PROMOTE over the native protocol; prints how to re-point the others)',
  '  mizzle sql [URL] [options]       the SQL console: interactive on a terminal, or piped (< dump.sql, -e); mizzle sql --help',
  '  mizzle shard SUB --topology ADDRESS   show, init, put or delete a sharded keyspace\'s topology (etcd:// or a file); mizzle shard --help',
  '  mizzle router --topology ADDRESS --keyspace NAME   a MySQL protocol front that routes statements to a sharded keyspace\'s shards; mizzle router --help',
  '  mizzle --help                    every option of the kernel and of each plugin, with defaults',
  '  mizzle --version                 the version',
].join('\n') + '\n';

export function helpText(manifests: readonly PluginManifest[], version: string): string {
  const lines: string[] = [
    `mizzle ${version}: a MySQL-compatible database server built for operations`,
    '',
    USAGE,
    'Options come from, in increasing precedence: mizzle.cnf (./mizzle.cnf or --config FILE) and conf.d/*.cnf beside it,',
    'MIZZLE_* environment variables (MIZZLE_DATADIR, MIZZLE_PORT, MIZZLE_<PLUGIN>__<OPTION>), and flags.',
    'In .cnf files, plugin options go in a [plugin-name] section; on the command line they are --plugin-name.option=value.',
    '',
    'Kernel options:',
    ...KERNEL_OPTIONS.map((o) => optionLine('', o)),
  ];
  const kinds = [...new Set(manifests.map((m) => m.kind))];
  for (const kind of kinds) {
    lines.push('', `Plugins of kind ${kind}:`);
    for (const m of manifests.filter((x) => x.kind === kind)) {
      lines.push(`  ${m.name} ${m.version}${m.defaultEnabled ? ' (enabled by default)' : ''}: ${m.description}`);
      for (const o of m.options) lines.push('  ' + optionLine(`${m.name}.`, o));
    }
  }
  return lines.join('\n') + '\n';
}
