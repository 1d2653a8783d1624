// `npm run bench:shard-moves`: write unavailability of a shard split and a move under a write load on loopback servers, and of a failover; writes bench/results.
import { WRITE_EVERY_MS, failoverAfterKill, splitThenMove } from '../testing/shard-moves-scenario.js';
import { writeBenchResult } from './results-file.js';

const WRITERS = 6;

const split = await splitThenMove(WRITERS);
const failover = await failoverAfterKill();
const date = new Date().toISOString();
const threads = process.env.MIZZLE_THREADS ?? '1';
const lines = [
  `# Shard moves: write unavailability (${date})`,
  '',
  `Four mizzle servers on loopback (--threads ${threads}), a file topology, keyspace \`app\` with \`t\` sharded by hash(id).`,
  `${WRITERS} writers, each starting a write every ${WRITE_EVERY_MS} ms at most, insert and update rows by id, routed by the topology (held while a shard is frozen, retried on 1290 or a lost connection).`,
  '',
  '| cut-over | frozen → serving (command) | longest a write waited (client) |',
  '| --- | ---: | ---: |',
  ...split.cutOvers.map((c) => `| ${c.what} | ${c.commandMs.toFixed(1)} ms | ${c.clientMaxWaitMs.toFixed(1)} ms |`),
  '',
  `Writes acknowledged: ${split.writes} (${split.acked} rows, ${split.retries} retries); rows per shard afterwards: ${Object.entries(split.rowsPerShard).map(([s, n]) => `${s} ${n}`).join(', ')}.`,
  `Missing: ${split.missing.length}, wrong value: ${split.wrongValue.length}, unacknowledged extra: ${split.extra.length}, on a shard that does not own them: ${split.misplaced.length}, on two shards: ${split.duplicated.length}.`,
  '',
  '## Failover after kill -9 of the primary',
  '',
  `Inserts acknowledged and replicated before the kill: ${failover.replicatedBeforeKill}, missing after failover: ${failover.missingReplicated.length}.`,
  `Acknowledged after the replica caught up but not replicated before the kill (asynchronous replication's window): ${failover.lostUnreplicated}.`,
  `From the kill until the first write acknowledged by the promoted replica (operator-triggered failover run at once): ${failover.writesResumedMs.toFixed(0)} ms; ${failover.afterFailover} inserts after it, missing: ${failover.missingAfterFailover.length}.`,
  '',
];
writeBenchResult('shard-moves', date, lines.join('\n'));
