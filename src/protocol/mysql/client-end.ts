// The client end of the protocol: login and commands over a ClientChannel, replies decoded into mizzle Values; the seed of mizzle's client library.
import type { ConnectionOptions } from 'node:tls';
import { SqlError } from '../../base/errors.js';
import { Decimal } from '../../base/decimal.js';
import type { Value } from '../../base/value.js';
import { clearTextToken, nativeToken, sha2RsaEncryptedPassword, sha2Token } from './auth-methods.js';
import { binaryParamOf, type BinaryParam } from './binary-params.js';
import { parseBinaryRow } from './binary-resultset.js';
import { ClientChannel } from './client-channel.js';
import { parseColumnDefinition, type ColumnDefinition } from './column-definition.js';
import { parseStatisticsReply, writeCommand, writeFieldList, writeSetOption, writeTextCommand } from './command-packets.js';
import { AuthMethod, Capability, Collation, Command, DEFAULT_MAX_ALLOWED_PACKET, Header, MAX_PACKET_PAYLOAD, ServerStatus, Sha2Status } from './constants.js';
import {
  parseAuthMoreData,
  parseAuthSwitchRequest,
  parseHandshakeV10,
  writeAuthResponse,
  writeChangeUser,
  writeHandshakeResponse,
  writeSslRequest,
  type HandshakeV10,
} from './handshake.js';
import type { PacketWriter } from './packet-writer.js';
import { MalformedPacketError } from './payload-reader.js';
import { CursorType, parsePrepareOk, writeExecute, writeFetch, writeSendLongData, writeStatementCommand } from './prepared-packets.js';
import { isEndPacket, parseEnd, parseEof, parseErr, parseOk, type EndFields, type OkPacket } from './responses.js';
import { parseColumnCount, parseTextRow } from './text-resultset.js';

/** What the client end asks for unless told otherwise: protocol 4.1 with plugin auth, multiple results, DEPRECATE_EOF. */
export const CLIENT_CAPABILITIES =
  Capability.LONG_PASSWORD | Capability.LONG_FLAG | Capability.PROTOCOL_41 | Capability.TRANSACTIONS |
  Capability.SECURE_CONNECTION | Capability.MULTI_RESULTS | Capability.PS_MULTI_RESULTS | Capability.PLUGIN_AUTH |
  Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA | Capability.CONNECT_ATTRS | Capability.SESSION_TRACK | Capability.DEPRECATE_EOF;

/** The credentials of a login or a COM_CHANGE_USER. */
export interface Credentials {
  user: string;
  password?: string;
  database?: string | null;
  /**
   * The method the first answer is computed with: mysql_native_password or
   * caching_sha2_password; by default the server's choice when it is one of those.
   */
  authMethod?: string;
  /** Whether to answer a switch to mysql_clear_password (the password crosses the wire as it is). Default false. */
  allowClearText?: boolean;
}

export interface ConnectOptions extends Credentials {
  port: number;
  host?: string;
  /** Capabilities to ask for (only those the server offers are used); default CLIENT_CAPABILITIES. */
  capabilities?: number;
  /** Adds CLIENT_MULTI_STATEMENTS: COM_QUERY may hold several statements. */
  multiStatements?: boolean;
  /** Collation id of the connection; default utf8mb4_0900_ai_ci. */
  charset?: number;
  maxPacketSize?: number;
  attributes?: ReadonlyMap<string, string>;
  /** TLS after the greeting (an SSLRequest), with these checks; absent: a clear connection. */
  tls?: ConnectionOptions;
  /** With `tls`: a server that does not offer TLS is refused instead of used in clear. */
  tlsRequired?: boolean;
  /** The RSA public key for caching_sha2_password's full authentication on a clear connection. */
  rsa?: Sha2RsaChoice;
}

/**
 * How caching_sha2_password's full authentication sends the password on a clear connection
 * (MySQL's --server-public-key-path and --get-server-public-key): encrypted with this
 * public key (PEM), or with the one the server sends when asked (which trusts whoever
 * answers). With neither, such a login is refused (2061), as MySQL's clients refuse it.
 */
export interface Sha2RsaChoice {
  serverPublicKey?: string;
  getServerPublicKey?: boolean;
}

/** MySQL's client error CR_AUTH_PLUGIN_ERR, with its text for a full authentication it may not do in clear. */
const CR_AUTH_PLUGIN_ERR = 2061;

/** What the exchange after the first answer needs to go on. */
interface AuthContext {
  password: string;
  allowClearText: boolean;
  /** The connection is TLS: a full authentication sends the password as it is. */
  secure: boolean;
  /** The scramble the first answer used (a switch brings a new one). */
  scramble: Buffer;
  rsa: Sha2RsaChoice;
}

export interface OkResult extends OkPacket {
  kind: 'ok';
}

export interface RowsResult extends EndFields {
  kind: 'rows';
  columns: ColumnDefinition[];
  rows: Value[][];
}

/** The reply to one statement. */
export type QueryResult = OkResult | RowsResult;

/** Where a streamed result set goes: its columns, then its rows in batches; a promise from rows() holds reading back until it settles. */
export interface RowReceiver {
  columns(columns: ColumnDefinition[]): void;
  rows(batch: Value[][]): Promise<void> | undefined;
}

/** How a streamed statement ended: its OK (no result set), or the end of its rows. */
export type StreamEnd = OkResult | (EndFields & { kind: 'end'; rowCount: number });

export interface PreparedStatement {
  id: number;
  params: ColumnDefinition[];
  columns: ColumnDefinition[];
  warnings: number;
}

export interface ExecuteOptions {
  /** Open a read-only cursor: the result's rows come from fetch(). */
  cursor?: boolean;
  /** Send parameter types (default); false relies on the types of the statement's previous execute. */
  sendTypes?: boolean;
}

/** An ERR packet as the error it reports. */
function errorOf(payload: Buffer): SqlError {
  const e = parseErr(payload);
  return new SqlError(e.code, e.sqlState, e.message);
}

/** A parameter as given (a Value, or a BinaryParam naming its wire type) as it is sent. */
function toBinaryParam(p: Value | BinaryParam): BinaryParam {
  if (p === null || typeof p !== 'object' || Buffer.isBuffer(p) || p instanceof Decimal) return binaryParamOf(p);
  return p;
}

/** The answer to a challenge with `method`; only methods this client speaks. */
function authAnswer(method: string, password: string, scramble: Buffer, allowClearText: boolean): Buffer {
  switch (method) {
    case AuthMethod.NATIVE:
      return nativeToken(password, scramble);
    case AuthMethod.CACHING_SHA2:
      return sha2Token(password, scramble);
    case AuthMethod.CLEAR_TEXT:
      if (allowClearText) return clearTextToken(password);
      throw new Error('the server asks for the password in clear text (mysql_clear_password), which was not allowed');
    default:
      throw new Error(`the server asks for the authentication method ${method}, which this client does not speak`);
  }
}

/**
 * One logged-in connection. Every command is written at once and its reply read in
 * turn, so commands issued without awaiting each other are pipelined. Replies that
 * are ERR packets reject with SqlError and leave the connection usable; anything
 * else that goes wrong (a malformed reply, a closed socket) rejects and closes it.
 */
export class ClientConnection {
  /** Status bits of the last OK or end-of-result packet (SERVER_STATUS_*). */
  status: number;
  private readonly exchange: Exchange;
  private turn: Promise<unknown> = Promise.resolve();
  private method: string;

  private constructor(
    readonly channel: ClientChannel,
    readonly greeting: HandshakeV10,
    /** Capabilities both ends have. */
    readonly capabilities: number,
    /** The OK packet that ended the login. */
    readonly loginOk: OkPacket,
    method: string,
    /** Collation id of the connection, sent again with COM_CHANGE_USER. */
    private readonly charset: number,
    /** The RSA key choice of the login, for COM_CHANGE_USER's. */
    private readonly rsa: Sha2RsaChoice,
  ) {
    this.status = loginOk.status;
    this.method = method;
    this.exchange = new Exchange(channel);
  }

  /** Connects, reads the greeting and logs in; rejects with SqlError when the server refuses. */
  static async connect(o: ConnectOptions): Promise<ClientConnection> {
    const channel = await ClientChannel.open(o.port, o.host);
    try {
      return await ClientConnection.login(channel, o);
    } catch (e) {
      channel.destroy();
      throw e;
    }
  }

  /** Logs in over a channel whose greeting has not been read yet. */
  static async login(channel: ClientChannel, o: Omit<ConnectOptions, 'port' | 'host'>): Promise<ClientConnection> {
    const exchange = new Exchange(channel);
    const first = await exchange.packet();
    if (first[0] === Header.ERR) throw errorOf(first);
    const greeting = parseHandshakeV10(first);
    if ((greeting.capabilities & Capability.PROTOCOL_41) === 0) throw new Error('the server does not speak protocol 4.1');
    let wanted = o.capabilities ?? CLIENT_CAPABILITIES;
    if (o.database) wanted |= Capability.CONNECT_WITH_DB;
    if (o.multiStatements) wanted |= Capability.MULTI_STATEMENTS;
    let capabilities = (wanted & greeting.capabilities) >>> 0;
    const offered = greeting.authPluginName;
    const method = o.authMethod ?? (offered === AuthMethod.NATIVE || offered === AuthMethod.CACHING_SHA2 ? offered : AuthMethod.NATIVE);
    const password = o.password ?? '';
    const charset = o.charset ?? Collation.UTF8MB4_0900_AI_CI;
    const token = authAnswer(method, password, greeting.scramble, o.allowClearText ?? false);
    const secure = o.tls !== undefined && (greeting.capabilities & Capability.SSL) !== 0;
    if (o.tls !== undefined && !secure && o.tlsRequired === true) throw new Error('the server does not offer TLS, and TLS is required');
    if (secure) {
      capabilities |= Capability.SSL;
      const sslCapabilities = capabilities;
      exchange.answer((w) => writeSslRequest(w, sslCapabilities, o.maxPacketSize ?? DEFAULT_MAX_ALLOWED_PACKET, charset));
      await channel.startTls(o.tls!);
    }
    exchange.answer(
      (w) =>
        writeHandshakeResponse(w, {
          capabilities,
          maxPacketSize: o.maxPacketSize ?? DEFAULT_MAX_ALLOWED_PACKET,
          charset,
          user: o.user,
          authResponse: token,
          database: o.database ?? null,
          authPlugin: method,
          attributes: new Map(o.attributes ?? []),
        }),
    );
    const rsa = o.rsa ?? {};
    const ok = await authenticate(exchange, method, { password, allowClearText: o.allowClearText ?? false, secure, scramble: greeting.scramble, rsa });
    return new ClientConnection(channel, greeting, capabilities >>> 0, ok, method, charset, rsa);
  }

  get connectionId(): number {
    return this.greeting.connectionId;
  }

  /** Whether result sets end with an OK packet (0xFE) instead of EOF, and column lists have no EOF. */
  get deprecateEof(): boolean {
    return (this.capabilities & Capability.DEPRECATE_EOF) !== 0;
  }

  // ---------------------------------------------------------------- the exchange of one command

  /**
   * Sends a command now and reads its reply once the replies to earlier commands
   * have been read. A failure other than an ERR packet closes the connection, as
   * the position in the stream of replies is lost.
   */
  private command<T>(build: (w: PacketWriter) => void, reply: () => Promise<T>): Promise<T> {
    let replySeq: number;
    try {
      replySeq = this.channel.send(build);
    } catch (e) {
      // Nothing was sent (the command could not be encoded): the connection is as it was.
      return Promise.reject(e);
    }
    const mine = this.turn.then(() => {
      this.exchange.nextSeq = replySeq;
      return reply();
    });
    this.turn = mine.catch(() => undefined);
    return mine.catch((e: unknown) => {
      if (!(e instanceof SqlError)) this.channel.destroy();
      throw e;
    });
  }

  private packet(): Promise<Buffer> {
    return this.exchange.packet();
  }

  private okResult(p: Buffer): OkResult {
    const ok = parseOk(p);
    this.status = ok.status;
    return { kind: 'ok', ...ok };
  }

  private async readOk(): Promise<OkResult> {
    const p = await this.packet();
    if (p[0] === Header.ERR) throw errorOf(p);
    return this.okResult(p);
  }

  private async readEnd(): Promise<EndFields> {
    const p = await this.packet();
    if (p[0] === Header.ERR) throw errorOf(p);
    const end = parseEnd(p, this.deprecateEof);
    this.status = end.status;
    return end;
  }

  /** Column definitions, and the EOF after them for clients without DEPRECATE_EOF. */
  private async readDefinitions(count: number): Promise<{ columns: ColumnDefinition[]; eof: EndFields | null }> {
    const columns: ColumnDefinition[] = [];
    for (let i = 0; i < count; i++) columns.push(parseColumnDefinition(await this.packet()));
    const eof = count > 0 && !this.deprecateEof ? parseEof(await this.packet()) : null;
    return { columns, eof };
  }

  /** Rows up to the end marker; an ERR in their place (a failure while streaming) rejects. */
  private async readRows(columns: ColumnDefinition[], binary: boolean): Promise<RowsResult> {
    const rows: Value[][] = [];
    for (;;) {
      const p = await this.packet();
      if (isEndPacket(p)) {
        const end = parseEnd(p, this.deprecateEof);
        this.status = end.status;
        return { kind: 'rows', columns, rows, warnings: end.warnings, status: end.status };
      }
      if (p[0] === Header.ERR) throw errorOf(p);
      rows.push(binary ? parseBinaryRow(p, columns) : parseTextRow(p, columns));
    }
  }

  /** The start of one statement's reply: its OK, or the column definitions of its result set (ERR rejects). */
  private async readHead(): Promise<OkResult | { kind: 'columns'; columns: ColumnDefinition[]; eof: EndFields | null }> {
    const first = await this.packet();
    if (first[0] === Header.OK) return this.okResult(first);
    if (first[0] === Header.ERR) throw errorOf(first);
    if (first[0] === Header.NULL_VALUE) throw new MalformedPacketError('LOCAL INFILE requests are not supported by this client');
    return { kind: 'columns', ...(await this.readDefinitions(parseColumnCount(first))) };
  }

  /** One statement's reply: OK, or a result set in the text or binary protocol. */
  private async readResult(binary: boolean): Promise<QueryResult> {
    const head = await this.readHead();
    if (head.kind === 'ok') return head;
    const { columns, eof } = head;
    if (eof !== null && (eof.status & ServerStatus.CURSOR_EXISTS) !== 0) {
      // A cursor was opened: no rows follow until COM_STMT_FETCH.
      this.status = eof.status;
      return { kind: 'rows', columns, rows: [], warnings: eof.warnings, status: eof.status };
    }
    return this.readRows(columns, binary);
  }

  /** Every result of a command, while the server says more exist; an ERR rejects. */
  private async readResults(binary: boolean): Promise<QueryResult[]> {
    const { results, error } = await this.readResultsUntilError(binary);
    if (error !== undefined) throw error;
    return results;
  }

  /** The results of a command up to the first ERR, and that error (the server sends nothing after it). */
  private async readResultsUntilError(binary: boolean): Promise<{ results: QueryResult[]; error?: SqlError }> {
    const results: QueryResult[] = [];
    do {
      try {
        results.push(await this.readResult(binary));
      } catch (e) {
        if (e instanceof SqlError) return { results, error: e };
        throw e;
      }
    } while ((this.status & ServerStatus.MORE_RESULTS_EXISTS) !== 0);
    return { results };
  }

  // ---------------------------------------------------------------- commands

  /**
   * COM_QUERY whose rows go to `receiver` in batches as they are read (up to `batchRows`, fewer
   * when no more have arrived yet), never all held at once. Any later results of the command (a
   * CALL's) are read and dropped.
   */
  queryStream(sql: string, receiver: RowReceiver, batchRows = 256): Promise<StreamEnd> {
    return this.command(
      (w) => writeTextCommand(w, Command.QUERY, sql),
      async () => {
        const end = await this.streamResult(receiver, batchRows);
        while ((this.status & ServerStatus.MORE_RESULTS_EXISTS) !== 0) await this.readResult(false);
        return end;
      },
    );
  }

  private async streamResult(receiver: RowReceiver, batchRows: number): Promise<StreamEnd> {
    const head = await this.readHead();
    if (head.kind === 'ok') return head;
    const { columns } = head;
    receiver.columns(columns);
    let batch: Value[][] = [];
    let rowCount = 0;
    for (;;) {
      const p = await this.packet();
      if (isEndPacket(p)) {
        if (batch.length > 0) await receiver.rows(batch);
        const end = parseEnd(p, this.deprecateEof);
        this.status = end.status;
        return { ...end, kind: 'end', rowCount };
      }
      if (p[0] === Header.ERR) throw errorOf(p);
      batch.push(parseTextRow(p, columns));
      rowCount++;
      if (batch.length >= batchRows || this.channel.pending === 0) {
        const wait = receiver.rows(batch);
        batch = [];
        if (wait !== undefined) await wait;
      }
    }
  }

  /** COM_QUERY of several statements (multi-statements on): the results up to the first error, and that error (the server runs nothing after it). */
  queryScript(sql: string): Promise<{ results: QueryResult[]; error?: SqlError }> {
    return this.command((w) => writeTextCommand(w, Command.QUERY, sql), () => this.readResultsUntilError(false));
  }

  /** COM_QUERY: one result per statement (several with multi-statements), in order. */
  query(sql: string): Promise<QueryResult[]> {
    return this.command((w) => writeTextCommand(w, Command.QUERY, sql), () => this.readResults(false));
  }

  /** COM_STMT_PREPARE: the statement id and the definitions of its parameters and result columns. */
  prepare(sql: string): Promise<PreparedStatement> {
    return this.command(
      (w) => writeTextCommand(w, Command.STMT_PREPARE, sql),
      async () => {
        const p = await this.packet();
        if (p[0] === Header.ERR) throw errorOf(p);
        const head = parsePrepareOk(p);
        const params = (await this.readDefinitions(head.paramCount)).columns;
        const columns = (await this.readDefinitions(head.columnCount)).columns;
        return { id: head.statementId, params, columns, warnings: head.warnings };
      },
    );
  }

  /**
   * COM_STMT_EXECUTE with `params` (Values sent as binaryParamOf types them, or
   * BinaryParams naming their wire types); binary result rows.
   */
  execute(statementId: number, params: readonly (Value | BinaryParam)[] = [], o: ExecuteOptions = {}): Promise<QueryResult[]> {
    const request = {
      statementId,
      flags: o.cursor ? CursorType.READ_ONLY : CursorType.NO_CURSOR,
      params: params.map(toBinaryParam),
      sendTypes: o.sendTypes ?? true,
    };
    return this.command((w) => writeExecute(w, request), () => this.readResults(true));
  }

  /** COM_STMT_FETCH: up to `rows` more rows of the open cursor, whose `columns` the execute returned. */
  fetch(statementId: number, rows: number, columns: ColumnDefinition[]): Promise<RowsResult> {
    return this.command((w) => writeFetch(w, statementId, rows), () => this.readRows(columns, true));
  }

  /** COM_STMT_SEND_LONG_DATA: a chunk of parameter `param`'s value; no reply. */
  sendLongData(statementId: number, param: number, data: Buffer): void {
    this.channel.send((w) => writeSendLongData(w, statementId, param, data));
  }

  /** COM_STMT_RESET: drops long data and closes the cursor. */
  resetStatement(statementId: number): Promise<OkResult> {
    return this.command((w) => writeStatementCommand(w, Command.STMT_RESET, statementId), () => this.readOk());
  }

  /** COM_STMT_CLOSE; no reply. */
  closeStatement(statementId: number): void {
    this.channel.send((w) => writeStatementCommand(w, Command.STMT_CLOSE, statementId));
  }

  ping(): Promise<OkResult> {
    return this.command((w) => writeCommand(w, Command.PING), () => this.readOk());
  }

  /** COM_INIT_DB: makes `database` the default. */
  initDb(database: string): Promise<OkResult> {
    return this.command((w) => writeTextCommand(w, Command.INIT_DB, database), () => this.readOk());
  }

  /** COM_STATISTICS: the server's one-line status text. */
  statistics(): Promise<string> {
    return this.command(
      (w) => writeCommand(w, Command.STATISTICS),
      async () => {
        const p = await this.packet();
        if (p[0] === Header.ERR) throw errorOf(p);
        return parseStatisticsReply(p);
      },
    );
  }

  /** COM_SET_OPTION (SetOption.*); answered by an end marker. */
  setOption(option: number): Promise<EndFields> {
    return this.command((w) => writeSetOption(w, option), () => this.readEnd());
  }

  /** COM_FIELD_LIST: the definitions of a table's columns, with their defaults. */
  fieldList(table: string, wildcard = ''): Promise<ColumnDefinition[]> {
    return this.command(
      (w) => writeFieldList(w, table, wildcard),
      async () => {
        const columns: ColumnDefinition[] = [];
        for (;;) {
          const p = await this.packet();
          if (p[0] === Header.ERR) throw errorOf(p);
          if (isEndPacket(p)) {
            this.status = parseEnd(p, this.deprecateEof).status;
            return columns;
          }
          columns.push(parseColumnDefinition(p, true));
        }
      },
    );
  }

  /** COM_RESET_CONNECTION: the session as if new, prepared statements gone. */
  resetConnection(): Promise<OkResult> {
    return this.command((w) => writeCommand(w, Command.RESET_CONNECTION), () => this.readOk());
  }

  /** COM_CHANGE_USER: a new login on this connection, answering the greeting's scramble. */
  changeUser(c: Credentials): Promise<OkResult> {
    const method = c.authMethod ?? this.method;
    const password = c.password ?? '';
    const allowClearText = c.allowClearText ?? false;
    return this.command(
      (w) => {
        const authResponse = authAnswer(method, password, this.greeting.scramble, allowClearText);
        writeChangeUser(w, { user: c.user, authResponse, database: c.database ?? null, charset: this.charset, authPlugin: method }, this.capabilities);
      },
      async () => {
        const secure = (this.capabilities & Capability.SSL) !== 0;
        const ok = await authenticate(this.exchange, method, { password, allowClearText, secure, scramble: this.greeting.scramble, rsa: this.rsa });
        this.method = method;
        this.status = ok.status;
        return { kind: 'ok', ...ok };
      },
    );
  }

  /** COM_QUIT, then waits for the server to close. */
  async quit(): Promise<void> {
    this.channel.send((w) => writeCommand(w, Command.QUIT));
    await this.channel.closed;
  }

  destroy(): void {
    this.channel.destroy();
  }
}

/**
 * One exchange (a login, or a command and its reply): reads the server's packets,
 * checking their sequence ids, and numbers the client's answers inside it.
 */
class Exchange {
  /** The sequence id the next packet of the exchange must carry. */
  nextSeq = 0;

  constructor(private readonly channel: ClientChannel) {}

  /** The next payload; an ERR out of turn (e.g. a server's timeout notice, sent with id 0) is let through to be reported. */
  async packet(): Promise<Buffer> {
    const p = await this.channel.read();
    // A payload of n whole 16 MiB parts took n + 1 packets, hence as many sequence ids.
    const parts = Math.floor(p.length / MAX_PACKET_PAYLOAD) + 1;
    const first = (this.channel.lastSeq - parts + 1) & 0xff;
    if (first !== this.nextSeq && p[0] !== Header.ERR) throw new MalformedPacketError(`packet out of order: sequence id ${first}, expected ${this.nextSeq}`);
    this.nextSeq = (this.channel.lastSeq + 1) & 0xff;
    return p;
  }

  /** Sends the client's next packet of the exchange (an answer in the login); the exchange continues after it. */
  answer(build: (w: PacketWriter) => void): void {
    this.nextSeq = this.channel.send(build, this.nextSeq);
  }

  /** Closes the connection: the client gives up in the middle of the exchange, where the server waits for an answer. */
  abandon(): void {
    this.channel.destroy();
  }
}

/**
 * After the first answer of a login or COM_CHANGE_USER: follows switches to other
 * methods and caching_sha2_password's fast-path notice until OK (resolves) or ERR
 * (rejects with SqlError).
 */
async function authenticate(exchange: Exchange, method: string, ctx: AuthContext): Promise<OkPacket> {
  const { password, allowClearText, secure } = ctx;
  let scramble = ctx.scramble;
  for (;;) {
    const p = await exchange.packet();
    switch (p[0]) {
      case Header.OK:
        return parseOk(p);
      case Header.ERR:
        throw errorOf(p);
      case Header.AUTH_SWITCH: {
        const req = parseAuthSwitchRequest(p);
        method = req.method;
        scramble = req.scramble;
        const answer = authAnswer(method, password, req.scramble, allowClearText);
        exchange.answer((w) => writeAuthResponse(w, answer));
        break;
      }
      case Header.AUTH_MORE_DATA: {
        const data = parseAuthMoreData(p);
        if (method === AuthMethod.CACHING_SHA2 && data[0] === Sha2Status.FAST_AUTH_SUCCESS) break;
        // Full authentication: over TLS the password itself, NUL-terminated, as MySQL's clients send it; in clear RSA-encrypted.
        if (method === AuthMethod.CACHING_SHA2 && data[0] === Sha2Status.PERFORM_FULL_AUTHENTICATION) {
          const answer = secure ? clearTextToken(password) : await rsaEncryptedAnswer(exchange, password, scramble, ctx.rsa);
          exchange.answer((w) => writeAuthResponse(w, answer));
          break;
        }
        throw new Error(`the server wants more ${method} data than this client gives`);
      }
      default:
        throw new MalformedPacketError(`unexpected packet 0x${p[0].toString(16)} during authentication`);
    }
  }
}

/**
 * On a clear connection: the password encrypted with the given public key, or with the one
 * the server sends when asked (0x02); refused (2061, the connection closed) when neither was allowed.
 */
async function rsaEncryptedAnswer(exchange: Exchange, password: string, scramble: Buffer, rsa: Sha2RsaChoice): Promise<Buffer> {
  let key = rsa.serverPublicKey;
  if (key === undefined) {
    if (rsa.getServerPublicKey !== true) {
      exchange.abandon();
      throw new SqlError(CR_AUTH_PLUGIN_ERR, 'HY000', "Authentication plugin 'caching_sha2_password' reported error: Authentication requires secure connection.");
    }
    exchange.answer((w) => writeAuthResponse(w, Buffer.from([Sha2Status.REQUEST_PUBLIC_KEY])));
    const reply = await exchange.packet();
    if (reply[0] === Header.ERR) throw errorOf(reply);
    if (reply[0] !== Header.AUTH_MORE_DATA) throw new MalformedPacketError(`expected the server's public key, got packet 0x${reply[0].toString(16)}`);
    key = parseAuthMoreData(reply).toString('latin1');
  }
  try {
    return sha2RsaEncryptedPassword(password, scramble, key);
  } catch (e) {
    throw new Error(`the server's RSA public key cannot encrypt the password: ${e instanceof Error ? e.message : String(e)}`);
  }
}
