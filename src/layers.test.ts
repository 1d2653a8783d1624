// The layers' one-way rule: every import points down the stack base ← storage/protocol ← sql ← kernel ← plugins ← embedded/cli.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

/**
 * What each layer may import besides itself. Tests, `src/testing` and `src/bench` are harnesses that
 * assemble whole servers, so they are not checked; everything they ship to production code is.
 */
const ALLOWED: Record<string, readonly string[]> = {
  base: [],
  storage: ['base'],
  protocol: ['base'],
  sql: ['base', 'storage'],
  kernel: ['base', 'storage', 'sql', 'sharding'],
  plugins: ['base', 'storage', 'protocol', 'sql', 'kernel', 'sharding'],
  // Sharding (topology, sharding functions) is shared by the client library, the router and the servers.
  sharding: ['base'],
  client: ['base', 'protocol', 'sharding'],
  // Embedded mode assembles a whole server in-process behind the client library's API.
  embedded: ['base', 'storage', 'protocol', 'kernel', 'plugins', 'client', 'sharding'],
  // The router fronts a sharded keyspace with the MySQL protocol: it parses and merges, and reaches shards through the client library.
  router: ['base', 'protocol', 'sql', 'kernel', 'plugins', 'client', 'sharding'],
  cli: ['base', 'storage', 'protocol', 'sql', 'kernel', 'plugins', 'client', 'sharding', 'router'],
};

/** Inside sql, the pipeline's order: a stage may import the stages before it, never after. */
const SQL_STAGE: Record<string, number> = { types: 0, lexer: 1, parser: 2, analyzer: 3, functions: 3, planner: 4, executor: 5 };

interface ImportEdge {
  from: string;
  to: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(relative(SRC, path));
  }
  return out;
}

const IMPORT_RE = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?'(\.{1,2}\/[^']+)'|import\(\s*'(\.{1,2}\/[^']+)'\s*\)/gm;

function importsOf(file: string): ImportEdge[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const edges: ImportEdge[] = [];
  for (const m of text.matchAll(IMPORT_RE)) {
    const spec = m[3] ?? m[4];
    const to = normalize(join(dirname(file), spec.replace(/\.js$/, '.ts')));
    edges.push({ from: file, to, typeOnly: m[2] !== undefined });
  }
  return edges;
}

function isHarness(file: string): boolean {
  return file.endsWith('.test.ts') || file.endsWith('-fixture.ts') || file.startsWith('testing/') || file.startsWith('bench/');
}

/** Edges still being moved; each entry names work in progress and must go, never grow. */
const KNOWN_VIOLATIONS = new Set<string>([]);

const layerOf = (file: string): string => file.split('/')[0];

/** Why an import breaks the rule, or undefined when it is fine. */
function violation(edge: ImportEdge): string | undefined {
  const from = layerOf(edge.from);
  const to = layerOf(edge.to);
  if (!(from in ALLOWED)) return `${edge.from} is in no known layer (add it to ALLOWED)`;
  if (from !== to) return ALLOWED[from].includes(to) ? undefined : `${from} may not import ${to}`;
  if (from === 'sql') {
    const a = SQL_STAGE[edge.from.split('/')[1]];
    const b = SQL_STAGE[edge.to.split('/')[1]];
    if (a === undefined || b === undefined) return `${edge.from} or ${edge.to} is in no known sql stage`;
    return b > a ? `sql/${edge.from.split('/')[1]} may not import the later stage sql/${edge.to.split('/')[1]}` : undefined;
  }
  if (from === 'plugins') {
    // A plugin is its own folder: it shares code through plugins/shared, never by reaching into another plugin.
    const a = edge.from.split('/')[1];
    const b = edge.to.split('/')[1];
    if (a !== b && b !== 'shared' && edge.from !== 'plugins/index.ts') return `plugin ${a} may not import plugin ${b}`;
  }
  return undefined;
}

const files = sourceFiles(SRC);
const edges = files.filter((f) => !isHarness(f)).flatMap(importsOf);

test('imports point down the layers', () => {
  const bad = edges
    .map((e) => ({ e, why: violation(e) }))
    .filter((x) => x.why !== undefined && !KNOWN_VIOLATIONS.has(`${x.e.from} -> ${x.e.to}`));
  assert.deepEqual(bad.map(({ e, why }) => `${e.from} -> ${e.to}: ${why}`), []);
});

test('the rule itself rejects an upward import', () => {
  assert.ok(violation({ from: 'storage/catalog.ts', to: 'sql/types/coerce.ts', typeOnly: false }));
  assert.ok(violation({ from: 'base/value.ts', to: 'kernel/plugin.ts', typeOnly: true }));
  assert.ok(violation({ from: 'sql/parser/ast.ts', to: 'sql/executor/query.ts', typeOnly: true }));
  assert.ok(violation({ from: 'plugins/auth-none/index.ts', to: 'plugins/protocol-mysql/server.ts', typeOnly: false }));
  assert.equal(violation({ from: 'kernel/session/session.ts', to: 'sql/executor/query.ts', typeOnly: false }), undefined);
});

test('the scan finds the imports it checks', () => {
  // Guards the regex: if it stopped matching, the first test would pass on nothing.
  assert.ok(edges.length > 300, `only ${edges.length} imports found`);
  assert.ok(edges.some((e) => e.from === 'kernel/plugin.ts' && e.to === 'base/result.ts' && e.typeOnly));
});

/**
 * Runtime import cycles that cross folders (type-only imports are erased, so they cannot form one).
 * Files of one folder may recurse into each other (a recursive-descent parser does); folders may not.
 */
function runtimeCycles(): string[][] {
  const graph = new Map<string, string[]>();
  for (const e of edges) {
    if (e.typeOnly) continue;
    const list = graph.get(e.from) ?? [];
    list.push(e.to);
    graph.set(e.from, list);
  }
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const s = state.get(next);
      if (s === 'open') {
        const cycle = [...stack.slice(stack.indexOf(next)), next];
        if (new Set(cycle.map(dirname)).size > 1) cycles.push(cycle);
      }
      else if (s === undefined) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

test('no runtime import cycle crosses folders', () => {
  assert.deepEqual(runtimeCycles().map((c) => c.join(' -> ')), []);
});
