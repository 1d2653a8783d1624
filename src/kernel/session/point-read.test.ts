// Point reads by a whole unique key take the synchronous path, and answer exactly as the slices path does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEmbeddedWith, type Embedded } from '../../testing/embedded.js';
import type { KernelSession } from '../plugin.js';
import type { Row, Value } from '../../base/value.js';
import type { ResultColumn, RowSink, StatementResult } from '../../base/result.js';
import { pointReadStats } from '../../sql/executor/run-statement.js';

let db: Embedded;
let s: KernelSession;

before(async () => {
  ({ db, session: s } = await startEmbeddedWith([
    'CREATE DATABASE app',
    'USE app',
    'CREATE TABLE t (id INT PRIMARY KEY, u VARCHAR(10), c VARCHAR(40), UNIQUE KEY by_u (u))',
    `INSERT INTO t VALUES (1, 'a', 'one'), (2, 'b', 'two'), (3, 'c', 'three'), (4, 'd', '{"k": 4}'), (5, 'e', 'not json')`,
  ]));
});

after(async () => {
  await db.stop();
});

/** What a client sees of one execution: rows, column names, warnings, the error, FOUND_ROWS() and Com_select's step. */
interface Answer {
  rows: Row[];
  columns: string[];
  warnings: string[];
  error: number | undefined;
  foundRows: Value;
  comSelect: number;
}

class CollectingSink implements RowSink {
  columns: readonly ResultColumn[] = [];
  readonly got: Row[] = [];
  begin(columns: readonly ResultColumn[]): void {
    this.columns = columns;
  }
  rows(batch: readonly Row[]): void {
    for (const r of batch) this.got.push([...r]);
  }
  backlog(): null {
    return null;
  }
}

/** How many statements the point read path has answered (or failed) so far. */
function pointReadsTaken(): number {
  return pointReadStats.tried - pointReadStats.declined;
}

async function comSelect(session: KernelSession): Promise<number> {
  const r = await db.rows(session, "SHOW SESSION STATUS LIKE 'Com_select'");
  return Number(r[0][1]);
}

/** Runs prepared statement `id` once (through a sink when `streamed`), and what the client sees of it. */
async function execute(session: KernelSession, id: number, params: Value[], streamed: boolean): Promise<Answer> {
  const before = await comSelect(session);
  const sink = new CollectingSink();
  let result: StatementResult | undefined;
  let error: number | undefined;
  try {
    result = await session.executePrepared(id, params, streamed ? sink : undefined);
  } catch (e) {
    error = (e as { code?: number }).code;
  }
  const warnings = session.diagnostics().map((d) => `${d.level} ${d.code} ${d.message}`);
  const rows = result?.kind === 'rows' ? result.rows : sink.got;
  const columns = (result?.kind === 'rows' || result?.kind === 'streamed' ? result.columns : []).map((c) => c.name);
  const comSelectStep = (await comSelect(session)) - before;
  const foundRows = (await db.rows(session, 'SELECT FOUND_ROWS()'))[0][0];
  return { rows, columns, warnings, error, foundRows, comSelect: comSelectStep };
}

/**
 * Prepares `sql` and runs it with `first` (which marks whether its plan is a point read) and then
 * with each of `then`: each must take the point read path exactly when `fast`, and answer as the
 * slices path does for the same parameters in a fresh statement.
 */
async function samePaths(sql: string, first: Value[], then: Value[][], fast: boolean, session = s): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (const streamed of [true, false]) {
    const { id } = session.prepare(sql);
    await execute(session, id, first, streamed);
    for (const params of then) {
      const taken = pointReadsTaken();
      const got = await execute(session, id, params, streamed);
      assert.equal(pointReadsTaken() - taken, fast ? 1 : 0, `${sql} ${JSON.stringify(params)}: point read path ${fast ? 'not ' : ''}taken`);
      // The same parameters in a statement prepared anew whose text names SELECT twice: it is not
      // tried as a point read before it is planned, so this first execution runs in slices.
      const fresh = session.prepare(`${sql} /* not a select that is tried */`).id;
      const before = pointReadsTaken();
      const general = await execute(session, fresh, params, streamed);
      assert.equal(pointReadsTaken(), before, 'a first execution runs in slices');
      session.closePrepared(fresh);
      assert.deepEqual(got, general, `${sql} ${JSON.stringify(params)} streamed=${streamed}`);
      answers.push(got);
    }
    session.closePrepared(id);
  }
  return answers;
}

test('a point select by primary key takes the point read path and answers as the slices path', async () => {
  const [hit, missing] = await samePaths('SELECT c, id FROM t WHERE id = ?', [1], [[2], [99]], true);
  assert.deepEqual(hit.rows, [['two', 2]]);
  assert.deepEqual(hit.columns, ['c', 'id']);
  assert.equal(hit.comSelect, 1);
  assert.equal(hit.foundRows, 1);
  assert.deepEqual(missing.rows, []);
  assert.equal(missing.foundRows, 0);
});

test('a unique secondary key and IN lists take it too', async () => {
  const [byU] = await samePaths('SELECT id FROM t WHERE u = ?', ['a'], [['c']], true);
  assert.deepEqual(byU.rows, [[3]]);
  const [inList] = await samePaths('SELECT id FROM t WHERE id IN (?, ?) AND c <> ?', [1, 2, 'x'], [[3, 1, 'one']], true);
  assert.deepEqual(inList.rows, [[3]]);
});

test('NULL and converted keys answer as the slices path', async () => {
  const [nullKey] = await samePaths('SELECT id FROM t WHERE id = ?', [1], [[null]], true);
  assert.deepEqual(nullKey.rows, []);
  // A string key converts to the column's type ('2' finds 2); '2abc' warns as MySQL does.
  const answers = await samePaths('SELECT id, c FROM t WHERE id = ?', [1], [['2'], [2.0]], true);
  assert.deepEqual(answers.map((a) => a.rows), [[[2, 'two']], [[2, 'two']], [[2, 'two']], [[2, 'two']]]);
  // '3abc' is no key value of an INT column: that execution scans, so the point read path declines it.
  const [converted] = await samePaths('SELECT id, c FROM t WHERE id = ?', [1], [['3abc']], false);
  assert.deepEqual(converted.rows, [[3, 'three']]);
});

test('an error while projecting the row is the slices path\'s error', async () => {
  const [ok, bad] = await samePaths('SELECT JSON_EXTRACT(c, \'$.k\') FROM t WHERE id = ?', [4], [[4], [5]], true);
  assert.equal(ok.error, undefined);
  assert.equal(bad.error, 3141);
  assert.match(bad.warnings.join('\n'), /Error 3141/);
});

test('SELECT ... INTO and SQL_CALC_FOUND_ROWS keep their answers', async () => {
  const [into] = await samePaths('SELECT c INTO @got FROM t WHERE id = ?', [1], [[3], [42]], true);
  assert.equal(into.rows.length, 0);
  assert.deepEqual(await db.rows(s, 'SELECT @got'), [['three']]);
  const [calc] = await samePaths('SELECT SQL_CALC_FOUND_ROWS id FROM t WHERE id IN (?, ?) LIMIT 1', [1, 2], [[2, 3]], true);
  assert.deepEqual(calc.rows, [[2]]);
  assert.equal(calc.foundRows, 2);
});

test('inside a transaction the point read sees its own writes and deletes', async () => {
  const w = db.session('app');
  await db.run(w, 'BEGIN');
  await db.run(w, "INSERT INTO t VALUES (100, 'z', 'mine')");
  await db.run(w, 'DELETE FROM t WHERE id = 2');
  await db.run(w, "UPDATE t SET c = 'changed' WHERE id = 3");
  const answers = await samePaths('SELECT c FROM t WHERE id = ?', [1], [[100], [2], [3]], true, w);
  assert.deepEqual(answers.slice(0, 3).map((a) => a.rows), [[['mine']], [], [['changed']]]);
  await db.run(w, 'ROLLBACK');
  assert.deepEqual(await db.rows(s, 'SELECT c FROM t WHERE id IN (2, 3, 100) ORDER BY id'), [['two'], ['three']]);
});

test('REPEATABLE READ keeps its snapshot and READ COMMITTED sees the latest commit', async () => {
  const other = db.session('app');
  for (const [isolation, expected] of [['REPEATABLE READ', 'one'], ['READ COMMITTED', 'new']] as const) {
    const r = db.session('app');
    await db.run(r, `SET SESSION TRANSACTION ISOLATION LEVEL ${isolation}`);
    const { id } = r.prepare('SELECT c FROM t WHERE id = ?');
    await r.executePrepared(id, [1]);
    await db.run(r, 'BEGIN');
    const taken = pointReadsTaken();
    // Nothing runs between the two point reads: the second one's snapshot is up to what the first left.
    const read = async (): Promise<Row[]> => {
      const sink = new CollectingSink();
      await r.executePrepared(id, [1], sink);
      return sink.got;
    };
    assert.deepEqual(await read(), [['one']]);
    await db.run(other, "UPDATE t SET c = 'new' WHERE id = 1");
    assert.deepEqual(await read(), [[expected]], isolation);
    assert.equal(pointReadsTaken() - taken, 2);
    await db.run(r, 'COMMIT');
    await db.run(other, "UPDATE t SET c = 'one' WHERE id = 1");
    r.close();
  }
  other.close();
});

test('locking point reads in a transaction stay off the point read path and take their row locks', async () => {
  const a = db.session('app');
  const b = db.session('app');
  await db.run(b, 'SET innodb_lock_wait_timeout = 1');
  await db.run(a, 'BEGIN');
  await samePaths('SELECT c FROM t WHERE id = ? FOR UPDATE', [1], [[1]], false, a);
  await samePaths('SELECT c FROM t WHERE id = ? LOCK IN SHARE MODE', [2], [[2]], false, a);
  await assert.rejects(db.run(b, 'DELETE FROM t WHERE id = 1'), (e: { code?: number }) => e.code === 1205);
  await assert.rejects(db.run(b, "UPDATE t SET c = 'x' WHERE id = 2"), (e: { code?: number }) => e.code === 1205);
  await db.run(a, 'ROLLBACK');
  // SERIALIZABLE turns plain reads in a transaction into shared-locking ones.
  await db.run(a, 'SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE');
  await db.run(a, 'BEGIN');
  await samePaths('SELECT c FROM t WHERE id = ?', [1], [[1]], false, a);
  await assert.rejects(db.run(b, 'UPDATE t SET c = c WHERE id = 1'), (e: { code?: number }) => e.code === 1205);
  await db.run(a, 'ROLLBACK');
  a.close();
  b.close();
});

test('a plan that is no longer a point read runs in slices, and a dropped table is 1146', async () => {
  const x = db.session('app');
  await db.run(x, 'CREATE TABLE p (id INT PRIMARY KEY, u INT, UNIQUE KEY by_u (u))');
  await db.run(x, 'INSERT INTO p VALUES (1, 10), (2, 20)');
  const { id } = x.prepare('SELECT id FROM p WHERE u = ?');
  await x.executePrepared(id, [10]);
  let taken = pointReadsTaken();
  assert.deepEqual((await execute(x, id, [20], true)).rows, [[2]]);
  assert.equal(pointReadsTaken() - taken, 1);
  await db.run(x, 'DROP INDEX by_u ON p');
  taken = pointReadsTaken();
  assert.deepEqual((await execute(x, id, [20], true)).rows, [[2]]);
  assert.deepEqual((await execute(x, id, [10], true)).rows, [[1]]);
  assert.equal(pointReadsTaken(), taken, 'a scan is no point read');
  await db.run(x, 'DROP TABLE p');
  assert.equal((await execute(x, id, [10], true)).error, 1146);
  x.close();
});

test('a text seen for the first time is tried as a point read when it may be one', async () => {
  for (const id of [1, 2, 3]) {
    const taken = pointReadsTaken();
    assert.deepEqual(await db.rows(s, `SELECT c FROM t WHERE id = ${id}`), [[['one', 'two', 'three'][id - 1]]]);
    assert.equal(pointReadsTaken() - taken, 1, `id = ${id}`);
  }
  // A range, a subquery, a join, ORDER BY: not tried, or declined once planned; answered by the slices path.
  const cases: [string, Row[]][] = [
    ['SELECT id FROM t WHERE id < 3', [[1], [2]]],
    ['SELECT id FROM t WHERE id = (SELECT MIN(id) FROM t)', [[1]]],
    ['SELECT a.id FROM t a JOIN t b ON a.id = b.id WHERE a.id = 2', [[2]]],
    ['SELECT id FROM t WHERE id = 2 ORDER BY c', [[2]]],
  ];
  for (const [sql, expected] of cases) {
    const taken = pointReadsTaken();
    assert.deepEqual(await db.rows(s, sql), expected, sql);
    assert.equal(pointReadsTaken(), taken, sql);
  }
  // A new text of one table is tried, planned and declined; the same text again (its AST is cached) is not tried.
  const { tried, declined } = pointReadStats;
  assert.deepEqual(await db.rows(s, 'SELECT id FROM t WHERE id <= 2'), [[1], [2]]);
  assert.deepEqual(await db.rows(s, 'SELECT id FROM t WHERE id <= 2'), [[1], [2]]);
  assert.deepEqual([pointReadStats.tried - tried, pointReadStats.declined - declined], [1, 1]);
});

test('a first-time text tried and declined warns as the slices path does (its plan is made twice when not cached)', async () => {
  const texts = [
    "SELECT id FROM t WHERE u = CAST('3abc' AS SIGNED)",
    "SELECT id FROM t WHERE c = 1 + CAST('1abc' AS SIGNED) AND @@autocommit = 1",
    "SELECT id FROM t WHERE id = 1 + CAST('1abc' AS SIGNED) AND @nothing IS NULL",
  ];
  for (const sql of texts) {
    const answer = async (text: string): Promise<[Row[], string[]]> => {
      const sink = new CollectingSink();
      await s.execute(text, false, () => undefined, sink);
      return [sink.got, s.diagnostics().map((d) => `${d.level} ${d.code} ${d.message}`)];
    };
    const tried = pointReadStats.tried;
    const got = await answer(sql);
    assert.equal(pointReadStats.tried - tried, 1, sql);
    // The same text naming SELECT twice is not tried: the slices path alone.
    assert.deepEqual(got, await answer(`${sql} /* no select tried */`), sql);
    assert.equal(pointReadStats.tried - tried, 1, sql);
  }
});
