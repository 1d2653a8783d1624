// The native protocol plugin: mizzle's own framed binary wire (docs/protocol.md) with pipelining, typed rows and REDIRECT; off by default.
// Its server's modules load in init, so a server that does not enable it does not load them (start-up time, memory per worker).
import { ConfigError } from '../../kernel/config.js';
import type { OptionSpec, Plugin, PluginOptions, ProtocolServer } from '../../kernel/plugin.js';
import { DEFAULT_FRAME_BYTES_MAX } from '../../protocol/native/constants.js';
import { parseTlsPolicy, tlsPolicyOption } from '../shared/tls-transport.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'port', type: 'number', default: 4406, description: 'TCP port of the native protocol' },
  { name: 'bind', type: 'string', default: '127.0.0.1', description: 'Address the native protocol listens on (0.0.0.0 or :: for all)' },
  { name: 'max_frame_bytes', type: 'number', default: DEFAULT_FRAME_BYTES_MAX, description: 'Largest frame a client may send; a bigger one is answered 1153 and the connection closed' },
  { name: 'max_in_flight', type: 'number', default: 64, description: 'Pipelined requests a connection may have queued or running; one more is answered 1040' },
  { name: 'handshake_timeout_ms', type: 'number', default: 5000, description: 'Time a client has from connecting to a complete HELLO (then 1159 and closed)' },
  { name: 'frame_timeout_ms', type: 'number', default: 10000, description: 'Time the rest of a frame may take once its first byte arrived (then 1159 and closed)' },
  { name: 'statement_timeout_ms', type: 'number', default: 0, description: 'max_execution_time of native sessions (ms); 0 = the server default' },
  { name: 'auth_timeout_ms', type: 'number', default: 5000, description: 'Time an authentication plugin may take to check a password' },
  { name: 'redirect_to', type: 'string', default: '', description: 'host:port clients are sent to (REDIRECT) for writes when read-only, and for everything while draining' },
  { name: 'read_only', type: 'boolean', default: false, description: 'Refuse writes (REDIRECT read-only to redirect_to, else 1290); the server\'s read_only global does the same' },
  { name: 'drain_ms', type: 'number', default: 0, description: 'On shutdown, how long open connections keep being answered (REDIRECT draining) before they are closed' },
  tlsPolicyOption(),
];

function whole(o: PluginOptions, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = Number(o[name]);
  if (!Number.isInteger(v) || v < min || v > max) throw new ConfigError(`protocol-native.${name} must be a whole number from ${min} to ${max}, not '${String(o[name])}'`);
  return v;
}

export const plugin: Plugin<'protocol'> = {
  manifest: {
    name: 'protocol-native',
    kind: 'protocol',
    version: '0.1.0',
    description: 'mizzle\'s own binary protocol (mizzle://): pipelined requests, typed rows in chunks, REDIRECT for read-only and draining servers',
    defaultEnabled: false,
    options: OPTIONS,
  },
  async init(ctx): Promise<ProtocolServer> {
    const o = ctx.options;
    const bind = String(o.bind).trim();
    if (bind === '') throw new ConfigError('protocol-native.bind must be an address, e.g. 127.0.0.1');
    const [{ parseRedirectTarget }, { NativeProtocolServer }] = await Promise.all([import('./redirect-policy.js'), import('./server.js')]);
    let redirectTo;
    try {
      redirectTo = parseRedirectTarget(String(o.redirect_to));
    } catch (e) {
      throw new ConfigError(`protocol-native.redirect_to: ${e instanceof Error ? e.message : String(e)}`);
    }
    return new NativeProtocolServer(ctx.kernel, ctx.log, {
      port: whole(o, 'port', 0, 65535),
      bind,
      frameBytesMax: whole(o, 'max_frame_bytes', 1024, 1 << 30),
      inFlightMax: whole(o, 'max_in_flight', 1, 65535),
      handshakeTimeoutMs: whole(o, 'handshake_timeout_ms', 10),
      frameTimeoutMs: whole(o, 'frame_timeout_ms', 10),
      statementTimeoutMs: whole(o, 'statement_timeout_ms', 0),
      authTimeoutMs: whole(o, 'auth_timeout_ms', 10),
      redirectTo,
      readOnly: o.read_only === true || o.read_only === 'true' || o.read_only === 1,
      drainMs: whole(o, 'drain_ms', 0, 600_000),
      tls: parseTlsPolicy('protocol-native', o.tls),
    });
  },
};
