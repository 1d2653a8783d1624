// ALTER TABLE forms mizzle refuses say so in SQL words, never with the parser's internal names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmbeddedWith } from '../../testing/embedded.js';

test('refused ALTER TABLE forms are named in SQL words', async () => {
  const { db, session } = await startEmbeddedWith(['CREATE DATABASE a', 'USE a', 'CREATE TABLE t (id INT PRIMARY KEY, v INT, CHECK (v > 0))']);
  try {
    for (const [sql, words] of [
      ['ALTER TABLE t ADD COLUMN n INT AUTO_INCREMENT UNIQUE', /adding an AUTO_INCREMENT column with ALTER TABLE/],
      ['ALTER TABLE t DISCARD TABLESPACE', /ALTER TABLE \.\.\. DISCARD TABLESPACE/],
    ] as const) {
      await assert.rejects(db.run(session, sql), (e: Error & { code?: number }) => {
        assert.equal(e.code, 1235, `${sql}: ${e.message}`);
        assert.match(e.message, words);
        assert.doesNotMatch(e.message, /[a-z][A-Z]/, `no internal camelCase name in: ${e.message}`);
        return true;
      });
    }
  } finally {
    await db.stop();
  }
});
