// The server end of the HTTP protocol's requests: JSON text checked field by field into typed requests with mizzle Values.
import { sqlError, type SqlError } from '../../base/errors.js';
import type { Value } from '../../base/value.js';

/** One statement to run: its text and, when given, its parameters (bound through the prepared path). */
export interface StatementRequest {
  sql: string;
  params?: Value[];
}

/** Where a request runs: a new session or a kept one, and whether to keep it after (see QueryRequestJson.keep). */
export interface SessionChoice {
  database?: string | null;
  session?: string;
  keep?: boolean;
}

export interface QueryRequest extends StatementRequest, SessionChoice {}

export interface BatchRequest extends SessionChoice {
  statements: StatementRequest[];
  transaction: boolean;
}

/** The most parameters one statement may have, as MySQL's prepared statements allow. */
export const MAX_PARAMS = 65535;

function malformed(message: string): SqlError {
  return sqlError('MALFORMED_PACKET', `Malformed request: ${message}`);
}

function wrongType(message: string): SqlError {
  return sqlError('WRONG_ARGUMENTS', `Incorrect arguments: ${message}`);
}

/** The body as JSON; not JSON at all is a malformed request. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw malformed('the body is empty; send a JSON object such as {"sql": "SELECT 1"}');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw malformed(`the body is not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkFields(o: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw wrongType(`unknown field '${k}' in ${what} (known: ${allowed.join(', ')})`);
}

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

/** One parameter as the Value it binds. */
export function paramValue(p: unknown, at: string): Value {
  if (p === null) return null;
  if (typeof p === 'boolean') return p ? 1 : 0;
  if (typeof p === 'number') {
    if (!Number.isFinite(p)) throw wrongType(`${at} is not a finite number`);
    return p;
  }
  if (typeof p === 'string') return p;
  if (isObject(p) && Object.keys(p).length === 1 && typeof p.base64 === 'string') {
    const text = p.base64;
    if (text.length % 4 !== 0 || !BASE64_RE.test(text)) throw wrongType(`${at}.base64 is not base64 text`);
    return Buffer.from(text, 'base64');
  }
  throw wrongType(`${at} must be null, a boolean, a number, a string or {"base64": "..."}`);
}

function paramsOf(v: unknown, at: string): Value[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw wrongType(`${at} must be an array`);
  if (v.length > MAX_PARAMS) throw wrongType(`${at} has more than ${MAX_PARAMS} values`);
  return v.map((p: unknown, i) => paramValue(p, `${at}[${i}]`));
}

function sqlOf(v: unknown, at: string): string {
  if (typeof v !== 'string') throw wrongType(`${at} must be a string holding one SQL statement`);
  if (v.trim() === '') throw sqlError('EMPTY_QUERY', 'Query was empty');
  return v;
}

function databaseOf(v: unknown): string | null | undefined {
  if (v === undefined || v === null) return v;
  if (typeof v !== 'string' || v === '') throw wrongType('database must be a non-empty string or null');
  return v;
}

function sessionOf(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw wrongType('session must be the token string a BEGIN answered with');
  return v;
}

function keepOf(v: unknown): boolean | undefined {
  if (v === undefined || typeof v === 'boolean') return v;
  throw wrongType('keep must be true or false');
}

/** A /v1/query body. */
export function parseQueryRequest(body: unknown): QueryRequest {
  if (!isObject(body)) throw wrongType('the body must be a JSON object such as {"sql": "SELECT 1"}');
  checkFields(body, ['sql', 'params', 'database', 'session', 'keep'], 'a query');
  return { sql: sqlOf(body.sql, 'sql'), params: paramsOf(body.params, 'params'), database: databaseOf(body.database), session: sessionOf(body.session), keep: keepOf(body.keep) };
}

/** A /v1/batch body; `maxStatements` bounds its length. */
export function parseBatchRequest(body: unknown, maxStatements: number): BatchRequest {
  if (!isObject(body)) throw wrongType('the body must be a JSON object such as {"statements": ["SELECT 1"]}');
  checkFields(body, ['statements', 'transaction', 'database', 'session', 'keep'], 'a batch');
  const list = body.statements;
  if (!Array.isArray(list) || list.length === 0) throw wrongType('statements must be a non-empty array');
  if (list.length > maxStatements) throw sqlError('NET_PACKET_TOO_LARGE', `A batch may hold at most ${maxStatements} statements, not ${list.length}`);
  if (body.transaction !== undefined && typeof body.transaction !== 'boolean') throw wrongType('transaction must be true or false');
  const statements = list.map((s: unknown, i): StatementRequest => {
    if (typeof s === 'string') return { sql: sqlOf(s, `statements[${i}]`) };
    if (!isObject(s)) throw wrongType(`statements[${i}] must be a string or {"sql": ..., "params": [...]}`);
    checkFields(s, ['sql', 'params'], `statements[${i}]`);
    return { sql: sqlOf(s.sql, `statements[${i}].sql`), params: paramsOf(s.params, `statements[${i}].params`) };
  });
  return { statements, transaction: body.transaction === true, database: databaseOf(body.database), session: sessionOf(body.session), keep: keepOf(body.keep) };
}
