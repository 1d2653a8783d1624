// Keyspace ids and key ranges: every row of a sharded table maps to a 64-bit keyspace id, and each shard owns one half-open range of them.

/** Keyspace ids are unsigned 64-bit numbers; ranges and shard names write them as hex prefixes. */
export const KEYSPACE_ID_MAX = (1n << 64n) - 1n;

/** [start, end) over keyspace ids; `end` undefined means up to and including KEYSPACE_ID_MAX. */
export interface KeyRange {
  start: bigint;
  end: bigint | undefined;
}

/**
 * A hex prefix as a keyspace id: '80' is 0x8000000000000000, '' is 0. Shard names use these
 * prefixes as Vitess does ('-80', '80-c0', 'c0-'), so a name says which ids a shard holds.
 */
export function keyspaceIdFromHex(hex: string): bigint {
  if (!/^[0-9a-f]{0,16}$/i.test(hex)) throw new Error(`'${hex}' is not a keyspace id (at most 16 hex digits)`);
  if (hex === '') return 0n;
  return BigInt(`0x${hex.padEnd(16, '0')}`);
}

/** The shortest hex prefix naming `id` (trailing zero digits dropped, at least two digits). */
export function keyspaceIdToHex(id: bigint): string {
  let hex = id.toString(16).padStart(16, '0');
  while (hex.length > 2 && hex.endsWith('0')) hex = hex.slice(0, -1);
  return hex.length % 2 === 1 ? `${hex}0` : hex;
}

/** '-80' → [0, 0x80…), '80-' → [0x80…, max], '-' → everything. */
export function parseShardName(name: string): KeyRange {
  const m = /^([0-9a-f]*)-([0-9a-f]*)$/i.exec(name);
  if (!m) throw new Error(`'${name}' is not a shard name like '-80', '80-c0' or '-'`);
  const start = keyspaceIdFromHex(m[1]);
  const end = m[2] === '' ? undefined : keyspaceIdFromHex(m[2]);
  if (end !== undefined && end <= start) throw new Error(`shard '${name}' ends before it starts`);
  return { start, end };
}

/** The name of a range in the same notation. */
export function shardNameOf(r: KeyRange): string {
  return `${r.start === 0n ? '' : keyspaceIdToHex(r.start)}-${r.end === undefined ? '' : keyspaceIdToHex(r.end)}`;
}

export function rangeContains(r: KeyRange, id: bigint): boolean {
  return id >= r.start && (r.end === undefined || id < r.end);
}

/** Splits `r` into `parts` ranges of (nearly) equal width, in order. */
export function splitRange(r: KeyRange, parts: number): KeyRange[] {
  if (!Number.isInteger(parts) || parts < 2 || parts > 256) throw new Error(`a shard splits into 2 to 256 parts, not ${parts}`);
  const end = r.end ?? KEYSPACE_ID_MAX + 1n;
  const width = (end - r.start) / BigInt(parts);
  if (width === 0n) throw new Error('the range is too narrow to split');
  const out: KeyRange[] = [];
  for (let i = 0; i < parts; i++) {
    const s = r.start + width * BigInt(i);
    out.push({ start: s, end: i === parts - 1 ? r.end : s + width });
  }
  return out;
}
