// The log-syslog plugin: statement events and server messages to the local syslog socket or a UDP syslog server.
import { spawnSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { ConfigError } from '../../kernel/config.js';
import type { LogLevel } from '../../kernel/logger.js';
import type { LogSink, Plugin, PluginOptions, ServerMessage, StatementEvent } from '../../kernel/plugin.js';
import { SELECTION_OPTIONS, StatementSelection, statementRecord } from '../shared/statement-record.js';
import { FACILITIES, fitJson, oneLine, rfc5424, SEVERITY, serverMessageText, STATEMENT_SEVERITY, structuredData } from './syslog-format.js';
import { LoggerChildTransport, UdpTransport, type SyslogTransport } from './transports.js';

const LEVELS: readonly (LogLevel | 'none')[] = ['none', 'error', 'warn', 'info', 'debug'];

export const plugin: Plugin<'logging'> = {
  manifest: {
    name: 'log-syslog',
    kind: 'logging',
    version: '0.1.0',
    description: 'Statement events and server messages to syslog: the local socket (/dev/log) or a UDP server, as RFC 5424',
    defaultEnabled: false,
    options: [
      { name: 'transport', type: 'string', default: 'socket', description: "'socket' (a local Unix datagram socket) or 'udp' (host:port)" },
      { name: 'socket', type: 'string', default: '/dev/log', description: 'The local syslog socket, for transport=socket' },
      { name: 'socket_format', type: 'string', default: 'local', description: "For transport=socket: 'local' (the syslog(3) form every local daemon parses) or 'rfc5424'" },
      { name: 'host', type: 'string', default: '127.0.0.1', description: 'The syslog server, for transport=udp' },
      { name: 'port', type: 'number', default: 514, description: 'Its UDP port, for transport=udp' },
      { name: 'facility', type: 'string', default: 'local0', description: 'Syslog facility: user, daemon, local0 ... local7, ...' },
      { name: 'tag', type: 'string', default: 'mizzle', description: 'APP-NAME (the tag) of every message' },
      { name: 'statements', type: 'boolean', default: true, description: 'Send statement events (severity info)' },
      { name: 'message_level', type: 'string', default: 'info', description: "Send server messages at this level or more severe: error, warn, info, debug, or none" },
      ...SELECTION_OPTIONS,
      { name: 'max_message_bytes', type: 'number', default: 8192, description: 'Longest message; an over-long statement text is cut (and marked truncated)' },
      { name: 'queue', type: 'number', default: 10000, description: 'Messages waiting for a slow destination, at most this many; more are dropped and counted' },
    ],
  },
  async init(ctx): Promise<LogSink> {
    const settings = readSettings(ctx.options);
    const { selection, facility, tag, maxBytes } = settings;
    const report = (msg: string, fields: Record<string, unknown>) => ctx.log.warn(msg, fields);
    let transport: SyslogTransport;
    // Messages through `logger` get their header from it (tag, pid, time); over UDP we write RFC 5424 ourselves.
    let format: (severity: number, msgId: 'statement' | 'server', sd: string, msg: string) => string;
    if (settings.transport === 'udp') {
      let address: { address: string; family: number };
      try {
        address = await lookup(settings.host);
      } catch (e) {
        throw new ConfigError(`log-syslog: cannot resolve host '${settings.host}': ${e instanceof Error ? e.message : String(e)}`);
      }
      transport = new UdpTransport(address.address, settings.port, address.family === 6 ? 6 : 4, settings.queue, report);
      const host = hostname();
      const procId = String(process.pid);
      format = (severity, msgId, sd, msg) => rfc5424({ facility, severity, time: new Date(), hostname: host, appName: tag, procId, msgId }, sd, msg);
    } else {
      const probe = spawnSync('logger', ['--version'], { encoding: 'utf8' });
      if (probe.error) throw new ConfigError(`log-syslog: transport=socket needs the 'logger' program (util-linux): ${probe.error.message}`);
      const args = ['--socket', settings.socket, '--socket-errors=on', '--prio-prefix', '--tag', tag, `--id=${process.pid}`, '--size', String(maxBytes + 512)];
      if (settings.socketFormat === 'rfc5424') args.push('--rfc5424=notq');
      transport = new LoggerChildTransport(args, settings.queue * 512, report);
      format = (severity, _msgId, _sd, msg) => `<${facility * 8 + severity}>${msg}`;
    }
    ctx.log.info('log-syslog: sending to syslog', { destination: settings.transport === 'udp' ? `udp ${settings.host}:${settings.port}` : settings.socket });
    const messageRank = LEVELS.indexOf(settings.messageLevel);
    return {
      statement: settings.statements
        ? (e: StatementEvent) => {
            if (!selection.selects(e)) return;
            const sd = structuredData({ session_id: e.sessionId, user: e.user, error_code: e.errorCode, duration_ms: e.durationMs, blocked_by: e.blockedBy });
            transport.send(format(STATEMENT_SEVERITY, 'statement', sd, fitJson(statementRecord(e, selection.format), maxBytes)));
          }
        : undefined,
      message: messageRank > 0
        ? (m: ServerMessage) => {
            if (LEVELS.indexOf(m.level) > messageRank) return;
            const text = serverMessageText(m.msg, m.fields);
            const cut = Buffer.byteLength(text) > maxBytes ? oneLine(Buffer.from(text).subarray(0, maxBytes).toString('utf8')) : text;
            transport.send(format(SEVERITY[m.level], 'server', '-', cut));
          }
        : undefined,
      close: () => transport.close(),
    };
  },
};

interface SyslogSettings {
  transport: 'socket' | 'udp';
  socket: string;
  socketFormat: 'local' | 'rfc5424';
  host: string;
  port: number;
  facility: number;
  tag: string;
  statements: boolean;
  messageLevel: LogLevel | 'none';
  selection: StatementSelection;
  maxBytes: number;
  queue: number;
}

/** Checks every option; a bad one is a ConfigError that says what to write instead. */
export function readSettings(o: PluginOptions): SyslogSettings {
  const fail = (msg: string): never => {
    throw new ConfigError(`log-syslog: ${msg}`);
  };
  const transport = String(o.transport);
  if (transport !== 'socket' && transport !== 'udp') fail(`option 'transport' must be 'socket' or 'udp', got '${transport}'`);
  const socketFormat = String(o.socket_format);
  if (socketFormat !== 'local' && socketFormat !== 'rfc5424') fail(`option 'socket_format' must be 'local' or 'rfc5424', got '${socketFormat}'`);
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`option 'port' must be a port number 1-65535, got '${String(o.port)}'`);
  const facilityName = String(o.facility).toLowerCase();
  const facility = FACILITIES[facilityName];
  if (facility === undefined) fail(`option 'facility' must be one of ${Object.keys(FACILITIES).join(', ')}; got '${String(o.facility)}'`);
  const tag = String(o.tag);
  if (!/^[\x21-\x7e]{1,48}$/.test(tag)) fail(`option 'tag' must be 1-48 printable ASCII characters without spaces, got '${tag}'`);
  const messageLevel = String(o.message_level).toLowerCase() as LogLevel | 'none';
  if (!LEVELS.includes(messageLevel)) fail(`option 'message_level' must be one of ${LEVELS.join(', ')}; got '${String(o.message_level)}'`);
  const maxBytes = Number(o.max_message_bytes);
  if (!Number.isInteger(maxBytes) || maxBytes < 480 || maxBytes > 60000) fail(`option 'max_message_bytes' must be a whole number 480-60000, got '${String(o.max_message_bytes)}'`);
  const queue = Number(o.queue);
  if (!Number.isInteger(queue) || queue < 1) fail(`option 'queue' must be a whole number >= 1, got '${String(o.queue)}'`);
  if (transport === 'socket' && String(o.socket) === '') fail("option 'socket' is empty");
  return {
    transport: transport as 'socket' | 'udp',
    socket: String(o.socket),
    socketFormat: socketFormat as 'local' | 'rfc5424',
    host: String(o.host),
    port,
    facility: facility!,
    tag,
    statements: o.statements !== false,
    messageLevel,
    selection: StatementSelection.fromOptions('log-syslog', o),
    maxBytes,
    queue,
  };
}
