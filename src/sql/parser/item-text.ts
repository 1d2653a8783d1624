// The source text of a select-list expression as MySQL names the column: comments removed.

/** `sql.slice(start, end)`, without comments and without the `/*!NNNNN` / `*\/` wrappers of executable comments. */
export function itemText(sql: string, start: number, end: number): string {
  const raw = sql.slice(start, end);
  if (raw.indexOf('/*') < 0 && raw.indexOf('#') < 0 && raw.indexOf('--') < 0 && raw.indexOf('*/') < 0) return raw;
  let out = '';
  let i = 0;
  let inVersion = false;
  while (i < raw.length) {
    const c = raw[i];
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < raw.length) {
        if (raw[j] === '\\' && c !== '`') j += 2;
        else if (raw[j] === c) {
          if (raw[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      out += raw.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && raw[i + 1] === '*') {
      if (raw[i + 2] === '!' && !inVersion) {
        i += 3;
        while (i < raw.length && raw[i] >= '0' && raw[i] <= '9') i++;
        inVersion = true;
      } else {
        const e = raw.indexOf('*/', i + 2);
        i = e < 0 ? raw.length : e + 2;
      }
    } else if (c === '*' && raw[i + 1] === '/' && inVersion) {
      inVersion = false;
      i += 2;
    } else if (c === '#' || (c === '-' && raw[i + 1] === '-' && (i + 2 >= raw.length || raw.charCodeAt(i + 2) <= 32))) {
      const e = raw.indexOf('\n', i);
      i = e < 0 ? raw.length : e + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out.trim();
}
