// The `mizzle` command line: a word that is not a command is an error, not a server start; options alone start the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startServerProcess } from '../testing/server-process.js';

const CLI = join(fileURLToPath(import.meta.url), '..', 'mizzle.js');

/**
 * Runs `mizzle ...args` in an empty directory with a free port and a datadir that only a starting
 * server creates. A server that wrongly starts never exits, so the run times out (status null).
 */
async function mizzle(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string; started: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-cli-'));
  try {
    const datadir = join(dir, 'data');
    const env = { ...process.env, MIZZLE_PORT: String(await freePort()), MIZZLE_DATADIR: datadir };
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, env, encoding: 'utf8', timeout: 10_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, started: existsSync(datadir) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a first word that is not a command is an error naming it and listing the commands (exit 2)', async () => {
  for (const args of [['shell'], ['shell', '--port', '3310'], ['Backup']]) {
    const r = await mizzle(args);
    assert.equal(r.status, 2, `mizzle ${args.join(' ')}: ${r.stderr}`);
    assert.ok(!r.started, 'no server started');
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`^mizzle: unknown command '${args[0]}' \\(commands: audit, backup, log, passwd, promote, router, shard, sql; with only options, mizzle starts the server\\)`));
    assert.match(r.stderr, /\n {2}mizzle passwd USER \[PASSWORD\] /);
    assert.match(r.stderr, /\n {2}mizzle backup --to DEST /);
    assert.match(r.stderr, /\n {2}mizzle shard SUB --topology ADDRESS /);
    assert.match(r.stderr, /\n {2}mizzle router --topology ADDRESS --keyspace NAME /);
    assert.match(r.stderr, /\n {2}mizzle --help /);
  }
});

test('a stray word after the options is a startup error, not ignored', async () => {
  for (const args of [['--log-level', 'info', 'shell'], ['-P3310']]) {
    const r = await mizzle(args);
    assert.equal(r.status, 1, `mizzle ${args.join(' ')}: ${r.stderr}`);
    assert.ok(!r.started, 'no server started');
    assert.match(r.stderr, new RegExp(`cannot start: unexpected argument '${args.at(-1)}'`));
  }
});

test('the commands still run, and options alone start the server', async () => {
  const r = await mizzle(['passwd', 'bob', 's3cret']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^bob:\S+\n$/);
  assert.ok(!r.started);
  const server = await startServerProcess();
  try {
    assert.match(server.log(), /mizzle started/);
  } finally {
    assert.equal(await server.stop(), 0, server.log());
    server.cleanup();
  }
});
