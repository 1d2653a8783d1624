// Tests of SourceSettings: the stored source wins over the same --replica-of; a change made by another thread is seen at once; an unchanged file is not read again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SourceSettings } from './source-settings.js';

function withDatadir(body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-source-'));
  try {
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Dates the stored file back, as if it had been written long ago. */
function age(dir: string): void {
  const long = new Date(Date.now() - 60_000);
  utimesSync(join(dir, 'replication-source.json'), long, long);
}

test('the stored source wins over the --replica-of it was stored with; a different --replica-of wins over it', () => {
  withDatadir((dir) => {
    const flag = 'mizzle://root@flag:4406';
    const s = new SourceSettings(dir, flag);
    assert.equal(s.current()?.hostname, 'flag');
    s.store(new URL('mizzle://root@stored:4406'));
    assert.equal(s.current()?.hostname, 'stored');
    assert.equal(s.overridesFlag(), true);
    s.store(undefined);
    assert.equal(s.current(), undefined);
    assert.equal(new SourceSettings(dir, 'mizzle://root@other:4406').current()?.hostname, 'other');
  });
});

test('a change stored by another thread is seen at once, also one of the same size just after another', () => {
  withDatadir((dir) => {
    const writer = new SourceSettings(dir, '');
    const reader = new SourceSettings(dir, '');
    assert.equal(reader.current(), undefined);
    for (const host of ['a1', 'b2', 'c3', 'a1', 'd4']) {
      writer.store(new URL(`mizzle://root@${host}:4406`));
      assert.equal(reader.current()?.hostname, host);
    }
    age(dir);
    assert.equal(reader.current()?.hostname, 'd4');
    writer.store(new URL('mizzle://root@e5:4406'));
    assert.equal(reader.current()?.hostname, 'e5');
    rmSync(join(dir, 'replication-source.json'));
    assert.equal(reader.current(), undefined, 'a removed file: the flag again');
  });
});

test('an unchanged file is not read again: the same source object answers', () => {
  withDatadir((dir) => {
    const s = new SourceSettings(dir, '');
    s.store(new URL('mizzle://root@src:4406'));
    age(dir);
    const first = s.current();
    assert.equal(first?.hostname, 'src');
    assert.equal(s.current(), first);
    assert.equal(new SourceSettings(dir, '').current()?.href, first?.href);
  });
});
