// A TCP relay that keeps every byte crossing it, as a packet capture would: for tests that TLS hides what a clear connection shows.
import { connect as tcpConnect, createServer, type Socket } from 'node:net';

export interface Wiretap {
  /** The relay's port on 127.0.0.1. */
  port: number;
  /** Every byte seen so far, both directions. */
  bytes(): Buffer;
  close(): void;
}

/** A relay on loopback to `port` on 127.0.0.1. */
export async function wiretap(port: number): Promise<Wiretap> {
  const seen: Buffer[] = [];
  const sockets: Socket[] = [];
  const relay = createServer((client) => {
    const upstream = tcpConnect(port, '127.0.0.1');
    sockets.push(client, upstream);
    for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
      from.on('data', (d: Buffer) => {
        seen.push(Buffer.from(d));
        to.write(d);
      });
      from.on('end', () => to.end());
      from.on('error', () => to.destroy());
    }
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const address = relay.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    bytes: () => Buffer.concat(seen),
    close: () => {
      for (const s of sockets) s.destroy();
      relay.close();
    },
  };
}
