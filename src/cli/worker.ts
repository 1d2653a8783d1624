// A worker thread of `mizzle --threads N`: one more server on the same data, serving its share of the clients.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { startServer } from '../kernel/server.js';
import { createLogger } from '../kernel/logger.js';
import { SHIPPED_PLUGINS } from '../plugins/index.js';
import { WorkerLink } from '../kernel/threads/worker-link.js';
import type { WorkerData } from '../kernel/threads/coordinator.js';
import type { ToWorker } from '../kernel/threads/messages.js';

/** Resolves when the main thread says it is ready for the workers (they are spawned early, to load their modules meanwhile). */
function begun(port: MessagePort): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (m: ToWorker) => {
      if (m.t !== 'begin') return;
      port.off('message', onMessage);
      resolve();
    };
    port.on('message', onMessage);
  });
}

async function run(): Promise<void> {
  const data = workerData as WorkerData;
  if (!parentPort) throw new Error('worker.ts runs only as a worker thread');
  await begun(parentPort);
  const log = createLogger({ json: data.argv.includes('--log-json') });
  // An error that escapes a statement must not end the thread: its descriptor is shared by every worker's listener.
  process.on('uncaughtException', (e: Error) => log.error(`worker ${data.index}: uncaught exception`, { error: e.stack ?? e.message }));
  process.on('unhandledRejection', (reason: unknown) => {
    log.error(`worker ${data.index}: unhandled rejection`, { error: reason instanceof Error ? reason.stack ?? reason.message : String(reason) });
  });
  const link = new WorkerLink(parentPort, data.index, data.memory);
  link.gaugesFull = (name) => log.warn('the shared gauge table is full: this number is counted per thread', { gauge: name });
  const server = await startServer({ argv: data.argv, env: data.env, cwd: data.cwd, plugins: SHIPPED_PLUGINS, log, worker: { index: data.index, memory: data.memory, link } });
  const kernel = server.kernel;
  link.duties = {
    report: () => kernel.report(),
    kill: (id, queryOnly) => kernel.killLocal(id, queryOnly),
    setGlobal: (name, value) => kernel.globals.applyFromPeer(name, value),
    flushHosts: () => kernel.flushHostsLocal(),
    reload: () => void server.reload(),
    stop: () => server.stop(),
  };
  link.started();
}

run().catch((e: unknown) => {
  process.stderr.write(`mizzle worker: fatal: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
