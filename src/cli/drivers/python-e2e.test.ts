// Python clients against a real mizzle server over TCP: PyMySQL and mysqlclient (MySQLdb) through DB-API,
// SQLAlchemy's ORM and Alembic's migrations on each, and Django's ORM on mysqlclient (Debian's python3-pymysql,
// -mysqldb, -sqlalchemy, -alembic, -django).
// The checks live in test/drivers/*.py; each prints "ok <check>" and stops with a traceback on the first failure.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { startServerProcess, type ServerProcess } from '../../testing/server-process.js';
import { driverScript, interpreterWith, runCheckScript } from '../../testing/check-script.js';

/** Debian's packages install for the system interpreter, which may not be the first python3 on PATH. */
const python = interpreterWith(['/usr/bin/python3', 'python3'], ['-c', 'import pymysql, MySQLdb, sqlalchemy, alembic, django']);
const MISSING = 'a Python client is not installed (apt-get install python3-pymysql python3-mysqldb python3-sqlalchemy python3-alembic python3-django)';

const DBAPI_CHECKS = ['connect', 'ddl', 'parameterized-types', 'description', 'executemany', 'transactions', 'errors',
  'server-side-cursor', 'dict-cursor', 'upsert', 'warnings', 'multi-statements', 'close'];
const ORM_CHECKS = ['create-all', 'session-crud', 'optimistic-locking', 'queries', 'errors', 'reflection', 'isolation-and-streaming', 'drop-all'];
const MIGRATION_CHECKS = ['upgrade-001', 'upgrade-002', 'upgrade-003', 'autogenerate-no-diff', 'downgrade-and-again'];
const DJANGO_CHECKS = ['migrate', 'queries', 'transactions', 'introspection', 'migrate-zero'];

let server: ServerProcess | undefined;

before(async () => {
  if (!python) return;
  server = await startServerProcess();
  const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
  for (const kind of ['dbapi', 'orm', 'alembic']) {
    for (const driver of ['pymysql', 'mysqldb']) await c.query(`CREATE DATABASE ${kind}_${driver}`);
  }
  await c.query('CREATE DATABASE django_mysqldb');
  await c.end();
});

after(async () => {
  if (!server) return;
  await server.stop();
  server.cleanup();
});

async function expectChecks(script: string, driver: string | undefined, database: string, expected: string[]): Promise<void> {
  const args = [...(driver ? [driver] : []), '127.0.0.1', String(server!.port), database];
  const run = await runCheckScript(python!, driverScript(script), args);
  assert.equal(run.status, 0, `${script} ${driver ?? ''} failed after [${run.passed.join(', ')}]:\n${run.output}`);
  assert.deepEqual(run.passed, expected);
}

for (const driver of ['pymysql', 'mysqldb']) {
  test(`${driver}: types, executemany, transactions, errno-mapped errors, server-side cursor, multi-statements`, { timeout: 60_000 }, async (t) => {
    if (!python) return t.skip(MISSING);
    await expectChecks('python_dbapi.py', driver, `dbapi_${driver}`, DBAPI_CHECKS);
  });

  test(`SQLAlchemy on ${driver}: create_all with foreign keys, session CRUD, joins, optimistic locking, inspect() reflection`, { timeout: 60_000 }, async (t) => {
    if (!python) return t.skip(MISSING);
    await expectChecks('sqlalchemy_orm.py', driver, `orm_${driver}`, ORM_CHECKS);
  });

  test(`Alembic on ${driver}: migrations up (tables, foreign keys, ALTER of every kind, renames), autogenerate finds no difference, down and up again`, { timeout: 60_000 }, async (t) => {
    if (!python) return t.skip(MISSING);
    await expectChecks('alembic_migrations.py', driver, `alembic_${driver}`, MIGRATION_CHECKS);
  });
}

test('Django on mysqlclient: makemigrations and migrate, JSON and date lookups in a time zone, savepoints, introspection, migrate to zero', { timeout: 60_000 }, async (t) => {
  if (!python) return t.skip(MISSING);
  await expectChecks('django_orm.py', undefined, 'django_mysqldb', DJANGO_CHECKS);
});
