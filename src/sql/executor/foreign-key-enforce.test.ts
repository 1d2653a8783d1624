// Foreign keys between concurrent transactions: a child insert locks its parent row, so a parent delete waits for it and then sees the child.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmbeddedWith } from '../../testing/embedded.js';

test('a parent delete waits for an uncommitted child insert, then is refused', async () => {
  const { db, session: a } = await startEmbeddedWith([
    'CREATE DATABASE f', 'USE f',
    'CREATE TABLE p (id INT PRIMARY KEY)',
    'CREATE TABLE c (id INT PRIMARY KEY, pid INT, FOREIGN KEY (pid) REFERENCES p (id))',
    'INSERT INTO p VALUES (1), (2)',
  ]);
  const b = db.session('f');
  try {
    await db.run(a, 'BEGIN');
    await db.run(a, 'INSERT INTO c VALUES (1, 1)');
    let settled = false;
    const deleting = db.run(b, 'DELETE FROM p WHERE id = 1').finally(() => { settled = true; });
    deleting.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(settled, false, 'the delete waits for the child insert to commit');
    // Another parent is not held.
    await db.run(b, 'DELETE FROM p WHERE id = 2');
    await db.run(a, 'COMMIT');
    await assert.rejects(deleting, (e: Error & { code?: number }) => e.code === 1451);
  } finally {
    await db.stop();
  }
});

test('a child insert waits for an uncommitted parent delete, then is refused', async () => {
  const { db, session: a } = await startEmbeddedWith([
    'CREATE DATABASE f', 'USE f',
    'CREATE TABLE p (id INT PRIMARY KEY)',
    'CREATE TABLE c (id INT PRIMARY KEY, pid INT, FOREIGN KEY (pid) REFERENCES p (id))',
    'INSERT INTO p VALUES (1)',
  ]);
  const b = db.session('f');
  try {
    await db.run(a, 'BEGIN');
    await db.run(a, 'DELETE FROM p WHERE id = 1');
    const inserting = db.run(b, 'INSERT INTO c VALUES (1, 1)');
    inserting.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
    await db.run(a, 'COMMIT');
    await assert.rejects(inserting, (e: Error & { code?: number }) => e.code === 1452);
  } finally {
    await db.stop();
  }
});
