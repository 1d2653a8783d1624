// Standalone reproduction (for an lmdb-js report) of how `mizzle backup` can make a running server lose an
// acknowledged commit: another process opening the same LMDB environment, even read-only, stores the
// txnid of the meta page it read at open into the shared lock file (mdb_env_open2 in lmdb-js's fork of
// mdb.c sets mti_txnid unconditionally; upstream LMDB does it only under MDB_PREVSNAPSHOT, `if (prev &&
// env->me_txns)`). If the writer commits between that process's read of the meta page and its store,
// mti_txnid goes back one transaction: the writer's next transaction starts from the snapshot before its
// last commit and overwrites that commit's meta page, so the commit vanishes (or a later commit fails
// with MDB_BAD_TXN / mdb_page_touch). Needs a busy machine (the opener must be preempted in that window).
//
// Usage: node scripts/lmdb-open-race.mjs [opener processes (3)] [seconds (20)]
// Exit code 1 when a commit was lost or failed. With 0 openers it is the control run.
import { open } from 'lmdb';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

if (process.argv[2] === '--opener') {
  // Opens and closes the environment read-only, over and over, as each `mizzle backup` run does once.
  for (;;) {
    const db = open({ path: process.argv[3], keyEncoding: 'binary', encoding: 'binary', readOnly: true });
    await db.close();
  }
}

const openers = Number(process.argv[2] ?? 3);
const seconds = Number(process.argv[3] ?? 20);
const path = mkdtempSync(join(tmpdir(), 'lmdb-open-race-'));
const db = open({ path, keyEncoding: 'binary', encoding: 'binary', overlappingSync: false, noSync: true });
const key = Buffer.from('counter');
const encoded = (n) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
};
const counter = () => Number(db.getBinary(key).readBigUInt64BE());
db.putSync(key, encoded(0));

const children = [];
for (let i = 0; i < openers; i++) {
  children.push(spawn(process.execPath, [fileURLToPath(import.meta.url), '--opener', path], { stdio: ['ignore', 'ignore', 'inherit'] }));
}

// Each write transaction reads the counter its predecessor wrote and adds one: reading anything but the
// previous commit's value means a committed transaction was lost.
let lastWritten = 0;
let commits = 0;
let lost = 0;
let failed = 0;
const end = Date.now() + seconds * 1000;
while (Date.now() < end) {
  try {
    db.transactionSync(() => {
      const seen = counter();
      if (seen !== lastWritten) {
        lost++;
        if (lost <= 5) console.log(`commit ${commits}: read ${seen}, but the previous commit wrote ${lastWritten}`);
      }
      db.putSync(key, encoded(seen + 1));
      lastWritten = seen + 1;
    });
  } catch (e) {
    failed++;
    if (failed <= 3) console.log(`commit ${commits} failed: ${e.message}`);
    lastWritten = counter();
  }
  commits++;
  if ((commits & 255) === 0) await new Promise((r) => setImmediate(r));
}
for (const c of children) c.kill();
console.log(`openers ${openers}: ${commits} commits, ${lost} lost, ${failed} failed`);
await db.close();
rmSync(path, { recursive: true, force: true });
process.exit(lost + failed > 0 ? 1 : 0);
