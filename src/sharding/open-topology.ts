// A topology source from its address: a file path (or file: URL) or etcd://host:port[,host:port…]/prefix.
import { fileURLToPath } from 'node:url';
import { FileTopology } from './file-topology.js';
import type { TopologySource } from './topology-source.js';

export interface OpenTopologyOptions {
  /** Where the store's warnings go (a bad value ignored, the store lost and found); stderr by default. */
  log?: (message: string) => void;
}

export async function openTopology(address: string, opts: OpenTopologyOptions = {}): Promise<TopologySource> {
  if (address.startsWith('etcd://')) {
    // Loaded only here, so a process without an etcd topology never loads gRPC.
    const { EtcdTopology } = await import('./etcd-topology.js');
    return new EtcdTopology(address, { log: opts.log });
  }
  return new FileTopology(address.startsWith('file:') ? fileURLToPath(address) : address);
}
