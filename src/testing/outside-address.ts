// This host's first non-loopback IPv4 address, so a test client can connect from off loopback.
import { networkInterfaces } from 'node:os';

export function outsideAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}
