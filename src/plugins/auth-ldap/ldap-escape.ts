// Escaping user input for LDAP: attribute values in DNs (RFC 4514) and in search filters (RFC 4515).

/**
 * One attribute value for a DN string (RFC 4514 section 2.4): the special characters get a
 * backslash, a leading '#' or space and a trailing space too, and NUL and other control
 * characters become \XX hex pairs. The result can be placed in `uid=%u,ou=people,...`
 * without changing the DN's structure.
 */
export function escapeDnValue(value: string): string {
  let out = '';
  const chars = [...value];
  chars.forEach((ch, i) => {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) out += hexEscape(ch);
    else if ('"+,;<>\\='.includes(ch)) out += '\\' + ch;
    else if ((i === 0 && (ch === ' ' || ch === '#')) || (i === chars.length - 1 && ch === ' ')) out += '\\' + ch;
    else out += ch;
  });
  return out;
}

/**
 * One assertion value for a search filter (RFC 4515 section 3): '*', '(', ')', '\' and NUL
 * become \2a, \28, \29, \5c and \00, so a user name can neither widen a match (`*`) nor
 * close the filter and add terms of its own.
 */
export function escapeFilterValue(value: string): string {
  let out = '';
  for (const ch of value) out += ch === '*' || ch === '(' || ch === ')' || ch === '\\' || ch === '\0' ? hexEscape(ch) : ch;
  return out;
}

/** Every UTF-8 byte of `ch` as \xx. */
function hexEscape(ch: string): string {
  return [...Buffer.from(ch, 'utf8')].map((b) => '\\' + b.toString(16).padStart(2, '0')).join('');
}

/** Puts the escaped user name wherever the template says %u. */
export function fillTemplate(template: string, escapedUser: string): string {
  return template.split('%u').join(escapedUser);
}
