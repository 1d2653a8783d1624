// Text collations: how strings compare and fold for equality, ordering, grouping and index keys.

/** One collation as SHOW COLLATION lists it. */
export interface CollationInfo {
  name: string;
  id: number;
  charset: string;
  /** The charset's default collation. */
  isDefault: boolean;
  /** True for byte/code point order (utf8mb4_bin, binary); false for the case- and accent-insensitive rules. */
  binary: boolean;
  /** PAD SPACE collations ignore trailing spaces when comparing; NO PAD ones do not. */
  padAttribute: 'PAD SPACE' | 'NO PAD';
  sortlen: number;
}

/** One character set as SHOW CHARACTER SET lists it. */
export interface CharsetInfo {
  name: string;
  description: string;
  defaultCollation: string;
  maxlen: number;
}

/** The server default collation (MySQL 8's). */
export const DEFAULT_COLLATION = 'utf8mb4_0900_ai_ci';

/** The collations mizzle supports, with MySQL's ids; the _ci ones all use the default folding rules. */
export const COLLATIONS: readonly CollationInfo[] = [
  { name: 'utf8mb4_0900_ai_ci', id: 255, charset: 'utf8mb4', isDefault: true, binary: false, padAttribute: 'NO PAD', sortlen: 0 },
  { name: 'utf8mb4_general_ci', id: 45, charset: 'utf8mb4', isDefault: false, binary: false, padAttribute: 'PAD SPACE', sortlen: 1 },
  { name: 'utf8mb4_bin', id: 46, charset: 'utf8mb4', isDefault: false, binary: true, padAttribute: 'PAD SPACE', sortlen: 1 },
  { name: 'utf8mb4_unicode_ci', id: 224, charset: 'utf8mb4', isDefault: false, binary: false, padAttribute: 'PAD SPACE', sortlen: 8 },
  { name: 'utf8mb3_general_ci', id: 33, charset: 'utf8mb3', isDefault: true, binary: false, padAttribute: 'PAD SPACE', sortlen: 1 },
  { name: 'latin1_swedish_ci', id: 8, charset: 'latin1', isDefault: true, binary: false, padAttribute: 'PAD SPACE', sortlen: 1 },
  { name: 'binary', id: 63, charset: 'binary', isDefault: true, binary: true, padAttribute: 'NO PAD', sortlen: 1 },
];

/** The character sets of the supported collations. */
export const CHARSETS: readonly CharsetInfo[] = [
  { name: 'utf8mb4', description: 'UTF-8 Unicode', defaultCollation: 'utf8mb4_0900_ai_ci', maxlen: 4 },
  { name: 'utf8mb3', description: 'UTF-8 Unicode', defaultCollation: 'utf8mb3_general_ci', maxlen: 3 },
  { name: 'latin1', description: 'cp1252 West European', defaultCollation: 'latin1_swedish_ci', maxlen: 1 },
  { name: 'binary', description: 'Binary pseudo charset', defaultCollation: 'binary', maxlen: 1 },
];

const BY_NAME = new Map<string, CollationInfo>();
for (const c of COLLATIONS) BY_NAME.set(c.name, c);
// MySQL accepts utf8 as an alias of utf8mb3.
const ALIASES = new Map<string, string>([['utf8_general_ci', 'utf8mb3_general_ci'], ['utf8_bin', 'utf8mb4_bin']]);

/** Looks a collation up by name (case-insensitive, as MySQL does); undefined when unsupported. */
export function getCollation(name: string): CollationInfo | undefined {
  const lower = name.toLowerCase();
  return BY_NAME.get(lower) ?? BY_NAME.get(ALIASES.get(lower) ?? '');
}

/** Looks a collation up by its MySQL id (as clients send it in the handshake). */
export function getCollationById(id: number): CollationInfo | undefined {
  for (const c of COLLATIONS) if (c.id === id) return c;
  return undefined;
}

/** Looks a character set up by name (case-insensitive; utf8 means utf8mb3). */
export function getCharset(name: string): CharsetInfo | undefined {
  let lower = name.toLowerCase();
  if (lower === 'utf8') lower = 'utf8mb3';
  for (const c of CHARSETS) if (c.name === lower) return c;
  return undefined;
}

// Rules: 0 = default (case/accent-insensitive, NO PAD), 1 = default + PAD SPACE,
// 2 = binary NO PAD, 3 = binary + PAD SPACE. Unknown names get the default rules.
const RULES_CACHE = new Map<string, number>();
function rulesOf(collation: string | undefined): number {
  if (collation === undefined || collation === DEFAULT_COLLATION) return 0;
  const cached = RULES_CACHE.get(collation);
  if (cached !== undefined) return cached;
  const info = getCollation(collation);
  const r = info === undefined ? 0 : (info.binary ? 2 : 0) + (info.padAttribute === 'PAD SPACE' ? 1 : 0);
  // The map is keyed by the spellings callers use; bound it anyway.
  if (RULES_CACHE.size < 256) RULES_CACHE.set(collation, r);
  return r;
}

/** True when the collation compares by code point (utf8mb4_bin, binary). */
export function isBinaryCollation(collation: string | undefined): boolean {
  return (rulesOf(collation) & 2) !== 0;
}

/**
 * ASCII weights in the order of the Unicode collation algorithm (which
 * utf8mb4_0900_ai_ci follows): controls, whitespace, punctuation and symbols,
 * digits, then letters, with upper and lower case folded together. Every weight
 * is < 0x80 so folded non-ASCII text (code points >= 0x80) sorts after.
 */
const ASCII_WEIGHT = new Uint8Array(128);
{
  const order: number[] = [];
  for (let c = 0; c < 0x20; c++) if (c < 9 || c > 13) order.push(c);
  for (const c of [9, 10, 11, 12, 13, 32]) order.push(c);
  for (const ch of '_-,;:!?.\'"()[]{}@*/\\&#%`^+<=>|~$0123456789') order.push(ch.charCodeAt(0));
  for (let c = 97; c <= 122; c++) order.push(c);
  order.push(127);
  // Weights start at 1 so the key never contains 0x00 for ordinary text.
  order.forEach((c, i) => (ASCII_WEIGHT[c] = i + 1));
  for (let c = 65; c <= 90; c++) ASCII_WEIGHT[c] = ASCII_WEIGHT[c + 32];
  if (order.length + 26 !== 128) throw new Error('collation: ASCII weight table is incomplete');
}

const MARKS = /\p{M}+/gu;

function trimTrailingSpaces(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 32) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** Case and accent folding of non-ASCII text: full case mapping, NFD, combining marks removed. */
function foldSlow(s: string): string {
  return s.toUpperCase().toLowerCase().normalize('NFD').replace(MARKS, '');
}

/** Maps the ASCII characters of already-folded text to their weights; other code units are kept. */
function weighAscii(folded: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < folded.length; i++) {
    const c = folded.charCodeAt(i);
    if (c < 0x80) {
      if (i > start) out += folded.slice(start, i);
      out += String.fromCharCode(ASCII_WEIGHT[c]);
      start = i + 1;
    }
  }
  return start === 0 ? folded : out + folded.slice(start);
}

/** Scratch space for ASCII keys: weights are bytes < 0x80, so a latin1 read of them is the key string. */
let keyScratch = Buffer.alloc(256);

/** The key of pure-ASCII text (one weight per character), built without string concatenation; undefined for other text. */
function asciiKey(s: string): string | undefined {
  const n = s.length;
  if (n > keyScratch.length) keyScratch = Buffer.alloc(Math.max(n, keyScratch.length * 2));
  const out = keyScratch;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return undefined;
    out[i] = ASCII_WEIGHT[c];
  }
  return out.toString('latin1', 0, n);
}

/**
 * The sort key of `s` under `collation`: a string whose code point order (which
 * is also the UTF-8 byte order) is the collation order, and whose equality is
 * collation equality. Used for GROUP BY / DISTINCT / hash joins and index keys.
 */
export function collationKey(s: string, collation?: string): string {
  const rules = rulesOf(collation);
  if ((rules & 1) !== 0) s = trimTrailingSpaces(s);
  if ((rules & 2) !== 0) return s;
  const ascii = asciiKey(s);
  return ascii !== undefined ? ascii : weighAscii(foldSlow(s));
}

/** Code unit → code point order: surrogates (D800–DFFF) move above the rest of the BMP. */
function fixup(c: number): number {
  return c >= 0xe000 ? c - 0x800 : c >= 0xd800 ? c + 0x2000 : c;
}

/** Compares two strings by code point (= UTF-8 byte order), not by UTF-16 code unit. */
function compareCodePoints(a: string, b: string): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return fixup(x) < fixup(y) ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/**
 * Compares by ASCII weight up to the first difference, without scanning or
 * copying whole strings (sorts compare the same long values many times).
 * Undefined when the answer needs the full folding: non-ASCII text at or before
 * the difference, or, under PAD SPACE, a space where trimming could matter.
 */
function compareAsciiPrefix(a: string, b: string, padSpace: boolean): number | undefined {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if ((x | y) >= 0x80) return undefined;
    if (x === y) continue;
    const wx = ASCII_WEIGHT[x];
    const wy = ASCII_WEIGHT[y];
    if (wx === wy) continue;
    if (padSpace && (x === 32 || y === 32)) return undefined;
    return wx < wy ? -1 : 1;
  }
  if (a.length === b.length) return 0;
  // Equal over the shorter one: the longer is greater unless its tail is only spaces that PAD SPACE ignores.
  const longer = a.length > b.length ? a : b;
  for (let i = n; i < longer.length; i++) {
    const c = longer.charCodeAt(i);
    if (c >= 0x80) return undefined;
    if (!padSpace || c !== 32) return longer === a ? 1 : -1;
  }
  return 0;
}

/** Compares two strings under `collation` (default utf8mb4_0900_ai_ci): negative, 0 or positive. */
export function compareText(a: string, b: string, collation?: string): number {
  const rules = rulesOf(collation);
  if ((rules & 2) === 0) {
    const fast = compareAsciiPrefix(a, b, (rules & 1) !== 0);
    if (fast !== undefined) return fast;
  }
  if ((rules & 1) !== 0) {
    a = trimTrailingSpaces(a);
    b = trimTrailingSpaces(b);
  }
  if ((rules & 2) !== 0) return compareCodePoints(a, b);
  return compareCodePoints(collationKey(a), collationKey(b));
}
