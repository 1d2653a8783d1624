// The thread an LMDB store applies big commit batches on: it opens the same environment and runs each batch in one synchronous, durable write transaction.
import { parentPort, workerData } from 'node:worker_threads';
import { applyCommitBatch } from '../../storage/commit-batch.js';
import { LmdbStore } from './lmdb-store.js';
import type { CommitMessage, CommitReply, CommitWorkerData } from './commit-thread.js';

const data = workerData as CommitWorkerData;
// The same environment as the store that started this thread (lmdb-js shares one environment between a process's threads).
const store = LmdbStore.open(data.dir, { sync: data.sync, mapSize: data.mapSize, encryptionKey: data.encryptionKey, flushTimer: false });
const port = parentPort;
if (port === null) throw new Error('commit-worker runs as a worker thread');

port.on('message', (m: CommitMessage) => {
  if ('close' in m) {
    // Between two writes (messages run one at a time): nothing is half done.
    // process.exit in a worker thread ends this thread only.
    void store.close().finally(() => process.exit(0));
    return;
  }
  let reply: CommitReply;
  try {
    // With sync on, the write is flushed to disk before it returns: the reply means durable.
    store.write((w) => applyCommitBatch(w, m.chunks));
    reply = { id: m.id };
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    reply = { id: m.id, error: e instanceof Error ? e.message : String(e), ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}) };
  }
  port.postMessage(reply);
});
