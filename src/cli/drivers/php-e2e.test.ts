// PHP clients against a real mizzle server over TCP: PDO with emulated prepares (values escaped into the text)
// and native ones (the binary protocol), and mysqli's queries and prepared statements (Debian's php-cli, php-mysql).
// Then Laravel's database layer (Eloquent and the schema builder; Debian's php-illuminate-database and php-doctrine-dbal).
// The checks live in test/drivers/php_*.php; each prints "ok <check>" and stops with an error on the first failure.
import { test, before, after } from 'node:test';
import { existsSync } from 'node:fs';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { startServerProcess, type ServerProcess } from '../../testing/server-process.js';
import { driverScript, interpreterWith, runCheckScript } from '../../testing/check-script.js';

const php = interpreterWith(['php'], ['-r', 'exit(extension_loaded("pdo_mysql") && extension_loaded("mysqli") ? 0 : 1);']);
const MISSING = 'php-cli or php-mysql is not installed (apt-get install php-cli php-mysql)';
const ELOQUENT = ['/usr/share/php/Illuminate/Database/autoload.php', '/usr/share/php/Doctrine/DBAL/autoload.php'];
const ELOQUENT_MISSING = 'php-illuminate-database or php-doctrine-dbal is not installed (apt-get install php-illuminate-database php-doctrine-dbal)';

const PDO_CHECKS = ['connect', 'params', 'limit', 'fetch-modes', 'transactions', 'errors', 'unbuffered', 'multi', 'found-rows'];
const EXPECTED = [
  ...PDO_CHECKS.map((c) => `pdo-emulated-${c}`),
  ...PDO_CHECKS.map((c) => `pdo-native-${c}`),
  'mysqli-query', 'mysqli-prepared', 'mysqli-transactions-errors', 'mysqli-multi-query', 'mysqli-connection-commands',
];

let server: ServerProcess | undefined;

before(async () => {
  if (!php) return;
  server = await startServerProcess();
  const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
  await c.query('CREATE DATABASE phpdb');
  await c.query('CREATE DATABASE eloquentdb');
  await c.end();
});

after(async () => {
  if (!server) return;
  await server.stop();
  server.cleanup();
});

test('PDO (emulated and native prepares) and mysqli: types, fetch modes, LIMIT ?, transactions, SQLSTATE and errno, unbuffered and multiple results', { timeout: 60_000 }, async (t) => {
  if (!php) return t.skip(MISSING);
  const run = await runCheckScript(php, driverScript('php_clients.php'), ['127.0.0.1', String(server!.port), 'phpdb']);
  assert.equal(run.status, 0, `php_clients.php failed after [${run.passed.join(', ')}]:\n${run.output}`);
  assert.deepEqual(run.passed, EXPECTED);
});

test('Laravel Eloquent and schema builder: migrations with foreign keys and column changes, relations, JSON, soft deletes, upserts, transactions', { timeout: 60_000 }, async (t) => {
  if (!php) return t.skip(MISSING);
  if (!ELOQUENT.every((f) => existsSync(f))) return t.skip(ELOQUENT_MISSING);
  const run = await runCheckScript(php, driverScript('php_eloquent.php'), ['127.0.0.1', String(server!.port), 'eloquentdb']);
  assert.equal(run.status, 0, `php_eloquent.php failed after [${run.passed.join(', ')}]:\n${run.output}`);
  assert.deepEqual(run.passed, ['schema', 'eloquent', 'transactions', 'drop']);
});
