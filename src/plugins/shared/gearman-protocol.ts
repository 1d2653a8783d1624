// The few Gearman binary packets a background-job client needs: "\0REQ"/"\0RES", type, size, NUL-separated args; and the job server options its plugins share.
import { ConfigError } from '../../kernel/config.js';
import type { OptionSpec, PluginOptions } from '../../kernel/plugin.js';

/** The options naming a job server and a function, as the Gearman plugins declare them. */
export function gearmanServerOptions(defaultFunction: string): OptionSpec[] {
  return [
    { name: 'host', type: 'string', default: '127.0.0.1', description: 'The Gearman job server' },
    { name: 'port', type: 'number', default: 4730, description: "The job server's port" },
    { name: 'function', type: 'string', default: defaultFunction, description: 'The function name jobs are submitted under' },
  ];
}

/** Those options, checked: a ConfigError naming the plugin for an empty host, a bad port or function name. */
export function gearmanServer(plugin: string, o: PluginOptions): { host: string; port: number; functionName: string } {
  const fail = (msg: string): never => {
    throw new ConfigError(`${plugin}: ${msg}`);
  };
  const host = String(o.host);
  if (host === '') fail("option 'host' is empty");
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`option 'port' must be a port number 1-65535, got '${String(o.port)}'`);
  const functionName = String(o.function);
  if (functionName === '' || functionName.includes('\0') || Buffer.byteLength(functionName) > 512) fail(`option 'function' must be a name of 1-512 bytes without NUL, got '${functionName}'`);
  return { host, port, functionName };
}

export const REQ_MAGIC = Buffer.from('\0REQ', 'latin1');
export const RES_MAGIC = Buffer.from('\0RES', 'latin1');
const HEADER_BYTES = 12;

/** Packet types (the protocol's numbers). */
export const PacketType = {
  CAN_DO: 1,
  PRE_SLEEP: 4,
  NOOP: 6,
  JOB_CREATED: 8,
  GRAB_JOB: 9,
  NO_JOB: 10,
  JOB_ASSIGN: 11,
  WORK_COMPLETE: 13,
  ECHO_REQ: 16,
  ECHO_RES: 17,
  SUBMIT_JOB_BG: 18,
  ERROR: 19,
} as const;

/** A request packet; every argument but the last must not contain NUL. */
export function encodeRequest(type: number, args: readonly (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [];
  args.forEach((a, i) => {
    const b = typeof a === 'string' ? Buffer.from(a, 'utf8') : a;
    if (i < args.length - 1 && b.includes(0)) throw new Error('a Gearman argument other than the last contains NUL');
    parts.push(b);
    if (i < args.length - 1) parts.push(Buffer.from([0]));
  });
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(HEADER_BYTES);
  REQ_MAGIC.copy(header, 0);
  header.writeUInt32BE(type, 4);
  header.writeUInt32BE(body.length, 8);
  return Buffer.concat([header, body]);
}

/** SUBMIT_JOB_BG: function name, unique id, workload. The server answers JOB_CREATED with a handle. */
export function submitJobBackground(fn: string, unique: string, workload: string | Buffer): Buffer {
  return encodeRequest(PacketType.SUBMIT_JOB_BG, [fn, unique, workload]);
}

export interface Packet {
  magic: 'REQ' | 'RES';
  type: number;
  body: Buffer;
}

/** Splits a body into `count` arguments: the last one takes the rest, NULs included (workloads are binary). */
export function packetArgs(body: Buffer, count: number): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < count - 1; i++) {
    const nul = body.indexOf(0, start);
    if (nul < 0) break;
    out.push(body.subarray(start, nul));
    start = nul + 1;
  }
  out.push(body.subarray(start));
  return out;
}

/** Reassembles packets from a byte stream. A bad magic is a protocol error (the caller drops the connection). */
export class PacketReader {
  private buffered: Buffer = Buffer.alloc(0);

  /** Largest body accepted; bigger means the stream is not Gearman. */
  constructor(private readonly maxBody = 64 * 1024 * 1024) {}

  push(chunk: Buffer): Packet[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const out: Packet[] = [];
    while (this.buffered.length >= HEADER_BYTES) {
      const magic = this.buffered.subarray(0, 4);
      const isRes = magic.equals(RES_MAGIC);
      if (!isRes && !magic.equals(REQ_MAGIC)) throw new Error(`not a Gearman packet (magic ${magic.toString('hex')})`);
      const type = this.buffered.readUInt32BE(4);
      const size = this.buffered.readUInt32BE(8);
      if (size > this.maxBody) throw new Error(`Gearman packet of ${size} bytes is too large`);
      if (this.buffered.length < HEADER_BYTES + size) break;
      out.push({ magic: isRes ? 'RES' : 'REQ', type, body: Buffer.from(this.buffered.subarray(HEADER_BYTES, HEADER_BYTES + size)) });
      this.buffered = this.buffered.subarray(HEADER_BYTES + size);
    }
    return out;
  }
}
