// SQL LIKE patterns translated to regular expressions (shared by the LIKE operator and SHOW ... LIKE).

/**
 * Escapes exactly the regex syntax characters: under the `u` flag any other escaped character
 * (`\-`, `\'`, `\a`) is a syntax error, so a LIKE pattern with a dash would not compile.
 */
function escapeRe(ch: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? '\\' + ch : ch;
}

/** A RegExp matching the whole string against a LIKE pattern with `%`, `_` and an escape character. */
export function likeToRegExp(pattern: string, escape = '\\', caseInsensitive = false): RegExp {
  let out = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === escape && i + 1 < pattern.length) out += escapeRe(pattern[++i]);
    else if (ch === '%') out += '[\\s\\S]*';
    else if (ch === '_') out += '[\\s\\S]';
    else out += escapeRe(ch);
  }
  return new RegExp(out + '$', caseInsensitive ? 'isu' : 'su');
}

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Case- and accent-folds text character by character for LIKE under the
 * default collation, keeping `%`, `_` and the escape character intact
 * (collation keys are sort weights and would not).
 */
export function likeFold(s: string): string {
  if (!NON_ASCII.test(s)) return s.toLowerCase();
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}
