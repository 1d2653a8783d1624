// MATCH (cols) AGAINST ('...' [mode]) over a FULLTEXT key, evaluated by scanning: the first row a statement evaluates
// reads the table's rows once (through the statement's subquery runner, in its transaction) to count, per word, how
// many rows hold it; each row's relevance is then InnoDB's sum of TF x IDF x IDF over the query's words.
import { sqlError } from '../../base/errors.js';
import { valueToString } from '../../base/format.js';
import type { Row, Value } from '../../base/value.js';
import type { MatchAgainstExpr } from '../parser/ast.js';
import { parse } from '../parser/index.js';
import { quoteIdentifier } from '../../base/identifier.js';
import type { EvalContext } from './eval-context.js';
import type { Compiled, CompileEnv } from './compile-expr.js';
import { T_DOUBLE } from '../types/infer.js';

/** innodb_ft_min_token_size and innodb_ft_max_token_size (their defaults). */
const MIN_TOKEN = 3;
const MAX_TOKEN = 84;
/** How deep boolean-mode parentheses nest. */
const MAX_GROUP_DEPTH = 32;
/** ft_query_expansion_limit: the top rows whose words WITH QUERY EXPANSION adds. */
const EXPANSION_ROWS = 20;

/** InnoDB's default stopword list (INFORMATION_SCHEMA.INNODB_FT_DEFAULT_STOPWORD). */
const STOPWORDS: ReadonlySet<string> = new Set([
  'a', 'about', 'an', 'are', 'as', 'at', 'be', 'by', 'com', 'de', 'en', 'for', 'from', 'how', 'i', 'in', 'is', 'it', 'la',
  'of', 'on', 'or', 'that', 'the', 'this', 'to', 'was', 'what', 'when', 'where', 'who', 'will', 'with', 'und', 'www',
]);

const WORD = /[\p{L}\p{N}_]+/gu;

/** Whether a word is indexed: long enough, not too long, not a stopword. */
function indexed(w: string): boolean {
  const n = [...w].length;
  return n >= MIN_TOKEN && n <= MAX_TOKEN && !STOPWORDS.has(w);
}

/** The words of a text, lower-cased, in order (short words and stopwords kept: phrases need positions). */
function words(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

/** One row's document: each column's words (a phrase never spans two columns) and each indexed word's count. */
interface Doc {
  columns: string[][];
  tf: Map<string, number>;
}

/** A row's document; with `only` (a natural-language search's words) just those words are counted, and no positions kept. */
function docOf(values: readonly Value[], only?: ReadonlySet<string>): Doc {
  const columns: string[][] = [];
  const tf = new Map<string, number>();
  for (const v of values) {
    if (v === null) continue;
    const ws = words(valueToString(v));
    if (only === undefined) columns.push(ws);
    for (const w of ws) if (only === undefined ? indexed(w) : only.has(w)) tf.set(w, (tf.get(w) ?? 0) + 1);
  }
  return { columns, tf };
}

/** The table as the search sees it: how many rows, and in how many rows each word appears. */
interface Corpus {
  rows: number;
  df: Map<string, number>;
  docs: Doc[];
}

/** InnoDB's IDF: log10(rows / rows with the word); a word in every row gets log10(1.0001), so it still counts a little. */
function idf(c: Corpus, df: number): number {
  if (df === 0) return 0;
  return df === c.rows ? Math.log10(1.0001) : Math.log10(c.rows / df);
}

function termWeight(c: Corpus, doc: Doc, word: string): number {
  const tf = doc.tf.get(word) ?? 0;
  if (tf === 0) return 0;
  const i = idf(c, c.df.get(word) ?? 0);
  return tf * i * i;
}

/** Rows holding a word starting with `prefix` (a boolean-mode `word*`), with their counts. */
function prefixWeight(c: Corpus, doc: Doc, prefix: string): number {
  let sum = 0;
  for (const [w, tf] of doc.tf) {
    if (!w.startsWith(prefix)) continue;
    const i = idf(c, c.df.get(w) ?? 0);
    sum += tf * i * i;
  }
  return sum;
}

// ---------------------------------------------------------------- boolean mode

type Modifier = '+' | '-' | '>' | '<' | '~' | '';
type BoolNode =
  | { kind: 'word'; mod: Modifier; word: string; prefix: boolean }
  | { kind: 'phrase'; mod: Modifier; words: string[] }
  | { kind: 'group'; mod: Modifier; items: BoolNode[] };

/** InnoDB's answer to a malformed boolean-mode search string: 1064 with its parser's words. */
function syntaxError(what: string): never {
  throw sqlError('PARSE', `syntax error, unexpected ${what}`);
}

function unexpected(q: string, i: number): string {
  return i >= q.length ? '$end' : `'${q[i]}'`;
}

/**
 * Parses a boolean-mode search string with InnoDB's grammar: an operator (+ - > < ~) before a word, a "phrase" or a
 * ( group ), word* for a prefix. What that grammar refuses is 1064 as in InnoDB (two operators in a row, an operator
 * or '*' with nothing to apply to, unbalanced parentheses, the '@' distance operator); an unterminated quote gives its
 * words as plain ones, and other punctuation separates words.
 */
function parseBoolean(q: string): BoolNode[] {
  let i = 0;
  const skipSpace = (): void => {
    while (i < q.length && /\s/u.test(q[i])) i++;
  };
  const parseList = (depth: number): BoolNode[] => {
    const items: BoolNode[] = [];
    for (;;) {
      skipSpace();
      if (i >= q.length) {
        if (depth > 0) syntaxError('$end');
        return items;
      }
      if (q[i] === ')') {
        if (depth === 0) syntaxError("')', expecting $end");
        i++;
        return items;
      }
      let mod: Modifier = '';
      if ('+-><~'.includes(q[i])) {
        mod = q[i++] as Modifier;
        skipSpace();
        if (i >= q.length || '+-><~)*@'.includes(q[i])) syntaxError(unexpected(q, i));
      }
      const ch = q[i];
      if (ch === '(') {
        i++;
        if (depth >= MAX_GROUP_DEPTH) syntaxError('\'(\': parentheses nested too deeply');
        items.push({ kind: 'group', mod, items: parseList(depth + 1) });
      } else if (ch === '"') {
        const end = q.indexOf('"', i + 1);
        const text = q.slice(i + 1, end < 0 ? q.length : end);
        i = end < 0 ? q.length : end + 1;
        if (end < 0) for (const w of words(text)) items.push({ kind: 'word', mod: '', word: w, prefix: false });
        else items.push({ kind: 'phrase', mod, words: words(text) });
      } else if (ch === '*' || ch === '@') {
        syntaxError(unexpected(q, i));
      } else {
        WORD.lastIndex = i;
        const m = WORD.exec(q);
        if (m === null || m.index !== i) {
          // Other punctuation only separates words (an operator before it had nothing to apply to).
          if (mod !== '') syntaxError(unexpected(q, i));
          i++;
          continue;
        }
        i += m[0].length;
        const prefix = q[i] === '*';
        if (prefix) i++;
        if (q[i] === '@') syntaxError("'@', expecting $end");
        items.push({ kind: 'word', mod, word: m[0].toLowerCase(), prefix });
      }
    }
  };
  return parseList(0);
}

/** Whether `phrase` appears as consecutive words in one of the row's columns. */
function hasPhrase(doc: Doc, phrase: string[]): boolean {
  if (phrase.length === 0) return false;
  for (const col of doc.columns) {
    for (let s = 0; s + phrase.length <= col.length; s++) {
      let k = 0;
      while (k < phrase.length && col[s + k] === phrase[k]) k++;
      if (k === phrase.length) return true;
    }
  }
  return false;
}

/** A node's relevance in a row, or undefined when it does not match (ignored words match nothing and are left out). */
function nodeScore(c: Corpus, doc: Doc, n: BoolNode): number | undefined {
  switch (n.kind) {
    case 'word': {
      if (n.prefix) {
        const s = prefixWeight(c, doc, n.word);
        return [...doc.tf.keys()].some((w) => w.startsWith(n.word)) ? s : undefined;
      }
      return doc.tf.has(n.word) ? termWeight(c, doc, n.word) : undefined;
    }
    case 'phrase': {
      if (!hasPhrase(doc, n.words)) return undefined;
      return n.words.filter(indexed).reduce((s, w) => s + termWeight(c, doc, w), 0);
    }
    case 'group':
      return listScore(c, doc, n.items);
  }
}

/** A word that is too short or a stopword is not searched for at all (InnoDB ignores it, even with +). */
function searchable(n: BoolNode): boolean {
  if (n.kind === 'word') return n.prefix ? [...n.word].length >= 1 : indexed(n.word);
  if (n.kind === 'phrase') return n.words.some(indexed);
  return n.items.some(searchable);
}

/**
 * A list's relevance: undefined (no match) when a + item is missing or a - item present, or when it has only optional
 * items and none is there; > and < raise and lower an item's part, ~ makes it count against the row.
 */
function listScore(c: Corpus, doc: Doc, items: readonly BoolNode[]): number | undefined {
  let score = 0;
  let required = false;
  let optionalHit = false;
  for (const n of items) {
    if (!searchable(n)) continue;
    const s = nodeScore(c, doc, n);
    switch (n.mod) {
      case '+':
        required = true;
        if (s === undefined) return undefined;
        score += s;
        break;
      case '-':
        if (s !== undefined) return undefined;
        break;
      default:
        if (s === undefined) break;
        // A ~ word lowers a row that matches otherwise; alone it finds nothing, as in InnoDB.
        if (n.mod !== '~') optionalHit = true;
        score += n.mod === '>' ? s * 1.5 : n.mod === '<' ? s / 1.5 : n.mod === '~' ? -s / 2 : s;
    }
  }
  if (!required && !optionalHit) return undefined;
  return score;
}

// ---------------------------------------------------------------- compile

type Mode = 'natural' | 'boolean' | 'expansion';

/** Per statement: each search's corpus, by table and columns. */
const corpora = new WeakMap<EvalContext, Map<string, Corpus>>();

/**
 * MATCH (a, b) AGAINST (expr [mode]): the columns must be one table's, covered by one of its FULLTEXT keys with exactly
 * those columns (1191 otherwise, in every mode, as InnoDB); the search string must be constant (1210).
 */
export function compileMatch(expr: MatchAgainstExpr, env: CompileEnv, compile: (e: MatchAgainstExpr['against'], env: CompileEnv) => Compiled): Compiled {
  const positions = expr.columns.map((ref) => {
    const i = env.scope.find(ref.column, ref.table, ref.schema);
    if (i < 0) {
      const full = [ref.schema, ref.table, ref.column].filter((p) => p !== undefined).join('.');
      throw sqlError('BAD_FIELD', `Unknown column '${full}' in '${env.clause}'`);
    }
    if (env.columnsRead !== undefined) env.columnsRead[i] = true;
    return i;
  });
  const cols = positions.map((i) => env.scope.columns[i]);
  const table = cols[0].catalogTable;
  const sameTable = table !== undefined && cols.every((c) => c.catalogTable === table && c.table === cols[0].table);
  const wanted = new Set(cols.map((c) => c.name.toLowerCase()));
  const key = sameTable ? table.fulltext?.find((f) => f.columns.length === wanted.size && f.columns.every((n) => wanted.has(n.toLowerCase()))) : undefined;
  if (table === undefined || key === undefined) throw sqlError('FT_MATCHING_KEY_NOT_FOUND', "Can't find FULLTEXT index matching the column list");
  // Constant for the statement: literals, functions of them, ? parameters and variables, but no column or subquery.
  if (readsRows(expr.against)) throw sqlError('WRONG_ARGUMENTS', 'Incorrect arguments to AGAINST');
  const against = compile(expr.against, env);
  const mode: Mode = expr.mode === undefined || expr.mode === 'NATURAL LANGUAGE MODE' ? 'natural' : expr.mode === 'BOOLEAN MODE' ? 'boolean' : 'expansion';
  const subquery = env.subquery;
  if (subquery === undefined) throw sqlError('NOT_SUPPORTED_YET', 'This version of mizzle does not yet support MATCH ... AGAINST here');
  const names = cols.map((c) => quoteIdentifier(c.orgName));
  const scan = subquery(parse(`SELECT ${names.join(', ')} FROM ${quoteIdentifier(table.schema)}.${quoteIdentifier(cols[0].orgTable)}`) as Parameters<typeof subquery>[0]);
  const cacheKey = `${table.schema}\u0000${table.name}\u0000${names.join(',')}`;
  /** The search as parsed, for the last search text (a ? parameter changes between executions). */
  let parsed: { text: string; terms: string[]; only?: ReadonlySet<string>; bool: BoolNode[] } | undefined;
  // A natural-language search needs only its own words counted; boolean mode and expansion need every word.
  const corpusOf = (ctx: EvalContext, only: ReadonlySet<string> | undefined, text: string): Corpus => {
    let byKey = corpora.get(ctx);
    if (byKey === undefined) corpora.set(ctx, (byKey = new Map()));
    const key = only === undefined ? cacheKey : `${cacheKey}\u0000${text}`;
    let c = byKey.get(key);
    if (c === undefined) {
      const docs = scan.run([], ctx).map((r: Row) => docOf(r, only));
      const df = new Map<string, number>();
      for (const d of docs) for (const w of d.tf.keys()) df.set(w, (df.get(w) ?? 0) + 1);
      c = { rows: docs.length, df, docs: mode === 'expansion' ? docs : [] };
      byKey.set(key, c);
    }
    return c;
  };
  const queryOf = (ctx: EvalContext): { text: string; terms: string[]; only?: ReadonlySet<string>; bool: BoolNode[] } => {
    const v = against.eval([], ctx);
    const text = v === null ? '' : valueToString(v);
    if (parsed === undefined || parsed.text !== text) {
      const terms = [...new Set(words(text).filter(indexed))];
      parsed = mode === 'natural' ? { text, terms, only: new Set(terms), bool: [] } : { text, terms, bool: mode === 'boolean' ? parseBoolean(text) : [] };
    }
    return parsed;
  };
  let expanded: { corpus: Corpus; text: string; terms: string[] } | undefined;
  return {
    type: T_DOUBLE,
    nullable: false,
    constant: false,
    eval: (row, ctx) => {
      const q = queryOf(ctx);
      const c = corpusOf(ctx, q.only, q.text);
      const doc = docOf(positions.map((i) => row[i]), q.only);
      if (mode === 'boolean') {
        const s = listScore(c, doc, q.bool);
        // A matching row is never 0 (that is what WHERE reads as no match): one held down by ~ gets the least relevance.
        return s === undefined ? 0 : s > 0 ? s : Number.MIN_VALUE;
      }
      let terms = q.terms;
      if (mode === 'expansion') {
        if (expanded === undefined || expanded.corpus !== c || expanded.text !== q.text) expanded = { corpus: c, text: q.text, terms: expand(c, q.terms) };
        terms = expanded.terms;
      }
      let score = 0;
      for (const w of terms) score += termWeight(c, doc, w);
      return score;
    },
  };
}

/** Whether an expression reads a column or runs a subquery (anything that may change from row to row). */
function readsRows(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(readsRows);
  if (node === null || typeof node !== 'object' || Buffer.isBuffer(node)) return false;
  const t = (node as { type?: unknown }).type;
  if (t === 'column' || t === 'subquery' || t === 'exists' || t === 'inSubquery' || t === 'quantified' || t === 'match') return true;
  return Object.values(node).some(readsRows);
}

/** WITH QUERY EXPANSION: the words of the rows most relevant to the first search join the query, and it runs again. */
function expand(c: Corpus, terms: string[]): string[] {
  const ranked = c.docs
    .map((d) => ({ d, s: terms.reduce((sum, w) => sum + termWeight(c, d, w), 0) }))
    .filter((x) => x.s > 0)
    .sort((a, b) => b.s - a.s)
    .slice(0, EXPANSION_ROWS);
  const out = new Set(terms);
  for (const { d } of ranked) for (const w of d.tf.keys()) out.add(w);
  return [...out];
}
