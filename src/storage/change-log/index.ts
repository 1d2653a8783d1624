// The change log: every committed transaction as one protobuf message, stored with the rows it changed.
export { ChangeRecorder, type RecordedChange, type RecordedDdl, type RecordedRow } from './recorder.js';
export { appendTransaction, appendTransactionParts, decodeTransaction, lastSequence, lengthPrefix, logKey, readEncoded, readTransactions, splitDelimited } from './log-store.js';
export { commitIdText, rowChangeToSql, transactionToJson, transactionToSql, valueToJson, valueToSql } from './format.js';
export { toPbRow, toPbValue } from './value-codec.js';
export * as pb from './gen/mizzle/replication/v1/change_log_pb.js';
export { clearAppliedPosition, readAppliedPosition, writeAppliedPosition, type AppliedPosition, type ReplicatedOrigin } from './applied-position.js';
export { findOrigin, newestOrigin, originOf, type OriginId, type OriginSearch } from './origins.js';
export { firstEntry, logSummary, purgeStep, readLogStats, recordCountedBytes, sumBytes, type LogStats, type LogSummary, type PurgeLimits } from './log-stats.js';
export { readApplierPosition, writeApplierPosition } from './applier-position.js';
