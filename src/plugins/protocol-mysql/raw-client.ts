// A bare-bones MySQL client speaking raw packets, for tests that send what drivers rarely do.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { Capability as C, PacketFramer, PacketWriter, PayloadReader } from '../../protocol/mysql/index.js';

/** A bare-bones client speaking packets, with replies queued as they arrive. */
export class RawClient {
  readonly socket: Socket;
  private readonly got: Buffer[] = [];
  private wake: (() => void) | null = null;
  readonly closed: Promise<void>;
  private w = new PacketWriter();

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('error', () => undefined);
    const framer = new PacketFramer({ onPayload: (p) => this.push(Buffer.from(p)), onOversize: () => undefined }, 1 << 30);
    this.socket.on('data', (d: Buffer) => framer.push(d));
    this.closed = new Promise((resolve) => this.socket.on('close', () => {
      resolve();
      this.wake?.();
    }));
  }

  private push(p: Buffer): void {
    this.got.push(p);
    this.wake?.();
  }

  async read(): Promise<Buffer> {
    while (this.got.length === 0) {
      if (this.socket.destroyed) throw new Error('closed before a reply');
      await new Promise<void>((r) => (this.wake = r));
    }
    return this.got.shift() as Buffer;
  }

  send(payloads: Buffer[], seq = 0): void {
    for (const p of payloads) {
      this.w.seq = seq;
      this.w.begin().bytes(p).end();
    }
    this.socket.write(this.w.take());
  }

  async login(caps = C.PROTOCOL_41 | C.SECURE_CONNECTION | C.PLUGIN_AUTH | C.DEPRECATE_EOF): Promise<Buffer> {
    await this.read();
    const w = new PacketWriter();
    w.begin().u32(caps).u32(1 << 24).u8(255).zeros(23).nulString('root').u8(0).nulString('mysql_native_password').end();
    const bytes = w.take();
    bytes[3] = 1;
    this.socket.write(bytes);
    return this.read();
  }
}

export function cmd(code: number, rest: string | Buffer = ''): Buffer {
  return Buffer.concat([Buffer.from([code]), typeof rest === 'string' ? Buffer.from(rest) : rest]);
}

export function errOf(p: Buffer): { code: number; state: string; message: string } {
  assert.equal(p[0], 0xff, `expected ERR, got 0x${p[0].toString(16)}`);
  return { code: p.readUInt16LE(1), state: p.toString('latin1', 4, 9), message: p.toString('utf8', 9) };
}

export function okStatus(p: Buffer): number {
  const r = new PayloadReader(p, 1);
  r.lenencInt();
  r.lenencInt();
  return r.u16();
}

