// Unit tests of what the audit log keeps of a statement: the classes parsed, and password literals masked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditText, parseClasses } from './audit-records.js';

test('password literals are masked, other text is kept', () => {
  const cases: [string, string][] = [
    ["CREATE USER 'bob'@'%' IDENTIFIED BY 'p@ss'", "CREATE USER 'bob'@'%' IDENTIFIED BY '***'"],
    ["ALTER USER bob IDENTIFIED WITH caching_sha2_password BY \"it's\"", "ALTER USER bob IDENTIFIED WITH caching_sha2_password BY '***'"],
    ["SET PASSWORD = 'x'", "SET PASSWORD = '***'"],
    ["SET PASSWORD FOR bob = 'a\\'b'", "SET PASSWORD FOR bob = '***'"],
    ["CHANGE REPLICATION SOURCE TO SOURCE_PASSWORD='s3', SOURCE_HOST='h'", "CHANGE REPLICATION SOURCE TO SOURCE_PASSWORD='***', SOURCE_HOST='h'"],
    ["SELECT * FROM t WHERE name = 'password'", "SELECT * FROM t WHERE name = 'password'"],
    ['SELECT 1', 'SELECT 1'],
  ];
  for (const [text, want] of cases) assert.equal(auditText(text), want, text);
});

test('event classes: known names only', () => {
  assert.deepEqual([...parseClasses(' connect, DDL ,write')], ['connect', 'ddl', 'write']);
  assert.throws(() => parseClasses('connect,reads'), /unknown event class 'reads'/);
});
