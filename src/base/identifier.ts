// A name as SQL text: back-quoted, a back-quote inside doubled, as MySQL prints identifiers.

export function quoteIdentifier(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}
