// The arguments of `mizzle shard move|split|failover`: KEYSPACE SHARD, then --name value options and flags (read by options.ts), each checked.
import { parseOptions, UsageError } from './options.js';

export interface ShardArgs {
  keyspace: string;
  shard: string;
  options: Map<string, string>;
  flags: Set<string>;
}

/** Positional KEYSPACE SHARD, the value options in `known` and the `flags`; a mistake is a UsageError (the command prints the usage, exit 2). */
export function parseShardArgs(args: readonly string[], known: readonly string[], flags: readonly string[] = []): ShardArgs {
  const o = parseOptions(args, { values: known, flags });
  if (o.positional.length !== 2) throw new UsageError('expected KEYSPACE SHARD');
  return { keyspace: o.positional[0], shard: o.positional[1], options: o.values, flags: o.flags };
}

/** A whole number (milliseconds, transactions) within [min, max], or the default. */
export function wholeOption(a: ShardArgs, name: string, dflt: number, min: number, max: number): number {
  const text = a.options.get(name);
  if (text === undefined) return dflt;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}, not '${text}'`);
  return n;
}

/** The options every command that connects to shard servers takes. */
export const ADMIN_OPTIONS = ['user', 'password'] as const;

export function adminLogin(a: ShardArgs): { user: string; password: string } {
  return { user: a.options.get('user') ?? 'root', password: a.options.get('password') ?? process.env.MIZZLE_PASSWORD ?? '' };
}
