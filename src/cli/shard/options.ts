// Reading a `mizzle shard` subcommand's arguments: positional words, `--name value` / `--name=value` options (some repeatable), and flags; a mistake is a UsageError (exit 2).
/** A mistake on the command line: the command prints it with its usage and exits 2. */
export class UsageError extends Error {}

export interface OptionSpec {
  /** Options that take one value (the last one given wins). */
  values?: readonly string[];
  /** Options that may repeat, each value also split at commas. */
  lists?: readonly string[];
  /** Options without a value. */
  flags?: readonly string[];
}

export interface ParsedOptions {
  positional: string[];
  values: Map<string, string>;
  lists: Map<string, string[]>;
  flags: Set<string>;
}

export function parseOptions(args: readonly string[], spec: OptionSpec): ParsedOptions {
  const out: ParsedOptions = { positional: [], values: new Map(), lists: new Map(), flags: new Set() };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    // A lone '-' is a positional (stdin), not an option.
    if (!arg.startsWith('--')) {
      out.positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    if (spec.flags?.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      out.flags.add(name);
      continue;
    }
    const takesValue = spec.values?.includes(name) || spec.lists?.includes(name);
    if (!takesValue) throw new UsageError(`unknown option --${name}`);
    const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`);
    if (spec.lists?.includes(name)) out.lists.set(name, [...(out.lists.get(name) ?? []), ...value.split(',').filter((v) => v !== '')]);
    else out.values.set(name, value);
  }
  return out;
}

/** Exactly one positional argument, named `what` in the error. */
export function onePositional(o: ParsedOptions, what: string): string {
  if (o.positional.length !== 1) throw new UsageError(o.positional.length === 0 ? `${what} is missing` : `one ${what} only, not '${o.positional.join("', '")}'`);
  return o.positional[0];
}
