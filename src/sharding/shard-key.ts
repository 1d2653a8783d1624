// A shard key value in its canonical bytes: what the native protocol's header carries and what every sharding function reads.

/** The values a key may be given as, by a client, the router (a SQL literal) or a server (a row's cell). */
export type ShardKeyValue = string | number | bigint | Uint8Array;

const encoder = new TextEncoder();

/**
 * The canonical bytes of a key: integers (number, bigint, or a string of digits) as their
 * decimal text, other strings as UTF-8, bytes as they are. So 42, 42n and '42' route alike,
 * as MySQL compares them equal. Strings are taken byte for byte: 'A' and 'a' are different
 * keys even where a case-insensitive collation calls them equal (documented difference).
 */
export function shardKeyBytes(v: ShardKeyValue): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'bigint') return encoder.encode(v.toString());
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`${v} is not a shard key`);
    return encoder.encode(Number.isInteger(v) ? BigInt(v).toString() : String(v));
  }
  return encoder.encode(canonicalIntegerText(v) ?? v);
}

/** '0042' → '42', '-7' → '-7'; undefined when the text is not a plain integer. */
function canonicalIntegerText(s: string): string | undefined {
  if (!/^\s*[-+]?\d+\s*$/.test(s)) return undefined;
  return BigInt(s.trim()).toString();
}

/** The key as an integer when its bytes are one's decimal text. */
export function shardKeyInteger(bytes: Uint8Array): bigint | undefined {
  if (bytes.length === 0 || bytes.length > 21) return undefined;
  const s = new TextDecoder().decode(bytes);
  return /^-?\d+$/.test(s) ? BigInt(s) : undefined;
}
