// Token kinds and the token record the SQL lexer produces.

/** Token kinds, as small integers so comparisons stay cheap on the hot path. */
export const Tk = {
  EOF: 0,
  /** An unquoted word: identifier or keyword (`upper` holds the upper-cased text). */
  Word: 1,
  /** A backtick-quoted identifier (`text` is the unescaped name). */
  QIdent: 2,
  /** A '...' or "..." string (`text` is the decoded value). */
  Str: 3,
  /** A national string N'...' (`text` is the decoded value). */
  NStr: 4,
  /** An integer literal (`text` is the digits as written). */
  Int: 5,
  /** An exact numeric with a decimal point (`text` as written). */
  Dec: 6,
  /** An approximate numeric with an exponent (`text` as written). */
  Float: 7,
  /** X'4D' or 0x4D (`text` is the hex digits only). */
  Hex: 8,
  /** b'101' or 0b101 (`text` is the binary digits only). */
  Bit: 9,
  /** A `?` parameter marker. */
  Param: 10,
  /** `@name` / `@'name'` (`text` is the name). */
  UserVar: 11,
  /** `@@name`, `@@session.name`, `@@global.name` (`text` the name, `upper` the scope: GLOBAL, SESSION or ''). */
  SysVar: 12,
  /** An operator or punctuation (`text` and `upper` both hold it, e.g. '<=>'). */
  Op: 13,
  /** A charset introducer such as `_utf8mb4` (`text` is the lower-cased charset name without underscore). */
  Introducer: 14,
} as const;

export type TkKind = (typeof Tk)[keyof typeof Tk];

/** One token; `start`/`end` are character offsets into the statement text. */
export interface Token {
  kind: TkKind;
  start: number;
  end: number;
  text: string;
  upper: string;
}
