// Whether an address the topology names is this server: --shard-advertise when set, else the native protocol's bind and port.
import { hostname, networkInterfaces } from 'node:os';
import { sameAddress, type ServerAddress } from '../../sharding/topology.js';
import { isLoopbackAddress } from '../shared/address.js';
import { parseRedirectTarget } from './redirect-policy.js';

const WILDCARDS = new Set(['0.0.0.0', '::', '0:0:0:0:0:0:0:0']);
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

function hostKey(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

/**
 * A test for "this server". With --shard-advertise the topology must name the server exactly
 * so (host compared case-insensitively, no DNS lookups): that is the setting for servers on
 * several machines. Without it the native protocol's bind:port stands in: a loopback bind
 * also answers to 'localhost', '127.0.0.1' and '::1'; a wildcard bind (0.0.0.0, ::) to those,
 * this host's name and its interfaces' addresses. The port must always be the same.
 */
export function selfMatcher(advertise: string, bind: string, port: number): (a: ServerAddress) => boolean {
  const given = parseRedirectTarget(advertise);
  if (given !== undefined) return (a) => sameAddress({ host: hostKey(a.host), port: a.port }, { host: hostKey(given.host), port: given.port });
  const names = new Set([hostKey(bind)]);
  const wildcard = WILDCARDS.has(hostKey(bind));
  if (wildcard || isLoopbackAddress(hostKey(bind)) || hostKey(bind) === 'localhost') for (const n of LOOPBACK_NAMES) names.add(n);
  if (wildcard) {
    names.add(hostname().toLowerCase());
    for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) names.add(hostKey(i.address));
  }
  return (a) => a.port === port && names.has(hostKey(a.host));
}
