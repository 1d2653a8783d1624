// A topology source from its address: a file path (or file: URL) or etcd://host:port[,host:port…]/prefix.
import { fileURLToPath } from 'node:url';
import { FileTopology } from './file-topology.js';
import type { TopologySource } from './topology-source.js';

export async function openTopology(address: string): Promise<TopologySource> {
  if (address.startsWith('etcd://')) {
    // Loaded only here, so a process without an etcd topology never loads gRPC.
    const { EtcdTopology } = await import('./etcd-topology.js');
    return new EtcdTopology(address);
  }
  return new FileTopology(address.startsWith('file:') ? fileURLToPath(address) : address);
}
