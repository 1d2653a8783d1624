// The arguments of `mizzle shard move|split|failover`: KEYSPACE SHARD, then --name value options, each checked.

export interface ShardArgs {
  keyspace: string;
  shard: string;
  options: Map<string, string>;
}

/** Positional KEYSPACE SHARD and the options in `known` (--x v or --x=v); anything else is an error naming the usage. */
export function parseShardArgs(args: readonly string[], known: readonly string[], usage: string): ShardArgs {
  const positional: string[] = [];
  const options = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    if (!known.includes(name)) throw new Error(`unknown option --${name}\nusage: ${usage}`);
    const value = eq < 0 ? args[++i] : a.slice(eq + 1);
    if (value === undefined) throw new Error(`--${name} needs a value\nusage: ${usage}`);
    options.set(name, value);
  }
  if (positional.length !== 2) throw new Error(`expected KEYSPACE SHARD\nusage: ${usage}`);
  return { keyspace: positional[0], shard: positional[1], options };
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
