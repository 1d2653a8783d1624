// Where things live in a store's single ordered keyspace: the catalog area, table rows, indexes, counters.

/*
 * Layout:
 *   [u32 0]          [tag] ...            the catalog (table id 0 is reserved for it)
 *   [u32 0]          ['L'][u64 seq]       the change log, in commit order
 *   [u32 0]          ['l']                the change log's size and purges
 *   [u32 table id]   [u16 0]   [pk key]   clustered rows (value: encoded row)
 *   [u32 table id]   [u16 idx] [idx key + pk key]   secondary entries (value: pk key)
 *   [u32 table id]   [u16 FFFF][tag]      per-table counters (auto-increment, row id)
 */

/** Table id 0 is the catalog's own area. */
export const CATALOG_TABLE_ID = 0;
/** The largest table id (u32). */
export const MAX_TABLE_ID = 0xffffffff;
/** Index id reserved for per-table counters; real index ids stay below it. */
export const META_INDEX_ID = 0xffff;
/** Index ids a table may use: 0 (primary) .. MAX_INDEX_ID. */
export const MAX_INDEX_ID = 0xfffe;
/** Bytes of [table id][index id]. */
export const INDEX_PREFIX_BYTES = 6;
/**
 * The largest key written. LMDB with 8 KiB pages takes keys up to 4026 bytes;
 * every engine gets the same limit so tables behave alike whatever their engine.
 */
export const MAX_KEY_BYTES = 4000;

/** [table id][index id], the start of one index's keys. */
export function indexPrefix(tableId: number, indexId: number): Buffer {
  const b = Buffer.allocUnsafe(INDEX_PREFIX_BYTES);
  b.writeUInt32BE(tableId, 0);
  b.writeUInt16BE(indexId, 4);
  return b;
}

/** [table id], the start of everything a table owns. */
export function tablePrefix(tableId: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(tableId, 0);
  return b;
}

/** Bounds of all keys of a table: rows, indexes and counters. */
export function tableBounds(tableId: number): { start: Buffer; end: Buffer } {
  return { start: tablePrefix(tableId), end: tableId === MAX_TABLE_ID ? Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]) : tablePrefix(tableId + 1) };
}

/** Bounds of a table's rows and index entries, leaving its counters alone (TRUNCATE keeps them; the executor resets them). */
export function rowSpaceBounds(tableId: number): { start: Buffer; end: Buffer } {
  return { start: indexPrefix(tableId, 0), end: indexPrefix(tableId, META_INDEX_ID) };
}

/** Bounds of one index's keys. */
export function indexBounds(tableId: number, indexId: number): { start: Buffer; end: Buffer } {
  return { start: indexPrefix(tableId, indexId), end: indexPrefix(tableId, indexId + 1) };
}

/** Counter tags in a table's META area. */
export const COUNTER_AUTO_INCREMENT = 0x41; // 'A'
export const COUNTER_ROW_ID = 0x52; // 'R'

/** The key of one per-table counter. */
export function counterKey(tableId: number, tag: number): Buffer {
  const b = Buffer.allocUnsafe(INDEX_PREFIX_BYTES + 1);
  b.writeUInt32BE(tableId, 0);
  b.writeUInt16BE(META_INDEX_ID, 4);
  b[6] = tag;
  return b;
}

/** Catalog entry kinds, the byte after the catalog's [u32 0]. */
export const CAT_META = 0x4d; // 'M': { version, nextTableId }
export const CAT_SCHEMA = 0x53; // 'S' + name
export const CAT_TABLE = 0x54; // 'T' + u32 id
export const CAT_VIEW = 0x56; // 'V' + schema + 00 + name
export const CAT_LOG = 0x4c; // 'L' + u64 sequence: the change log (storage/change-log), one encoded transaction per key
export const CAT_LOG_STATS = 0x6c; // 'l': what the change log holds (bytes) and its purges (storage/change-log/log-stats)
export const CAT_REPLICA = 0x52; // 'R': where a replica stands in its source's change log (storage/change-log/applied-position)
export const CAT_STAGED = 0x73; // 's' + u32 id: a table id a copying ALTER is filling (storage/staged-rebuild); gone with the swap, or at startup after a crash
export const CAT_APPLIER = 0x61; // 'a' + plugin name: the last change-log sequence an applier plugin acknowledged (storage/change-log/applier-position)

/** A catalog key: [u32 0][kind][parts joined by 0x00]. */
export function catalogKey(kind: number, ...parts: (string | number)[]): Buffer {
  const chunks: Buffer[] = [Buffer.from([0, 0, 0, 0, kind])];
  parts.forEach((p, i) => {
    if (i > 0) chunks.push(Buffer.from([0]));
    if (typeof p === 'number') {
      const b = Buffer.allocUnsafe(4);
      b.writeUInt32BE(p, 0);
      chunks.push(b);
    } else {
      chunks.push(Buffer.from(p, 'utf8'));
    }
  });
  return Buffer.concat(chunks);
}

/** Bounds of all catalog keys of one kind. */
export function catalogKindBounds(kind: number): { start: Buffer; end: Buffer } {
  return { start: Buffer.from([0, 0, 0, 0, kind]), end: Buffer.from([0, 0, 0, 0, kind + 1]) };
}
