// fetch for https:// with the URL's own TLS settings (a CA file, verify-ca): Node's https underneath, answering a standard Response. Node only.
import { urlHost } from '../base/host-port.js';
import { Agent, request } from 'node:https';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { FetchFunction } from './http/transport.js';
import type { TlsOptionsFor } from './node-tls.js';

/**
 * A fetch whose connections trust and check what `tls` says. Node's global fetch takes no
 * TLS options without the undici package, so this goes through node:https, keeping
 * connections alive as fetch does, and hands the body on as a stream (NDJSON arrives as it comes).
 */
export function httpsFetch(tls: TlsOptionsFor): FetchFunction {
  const agents = new Map<string, Agent>();
  const agentFor = (host: string): Agent => {
    let a = agents.get(host);
    if (a === undefined) {
      a = new Agent({ keepAlive: true, ...tls(host) });
      agents.set(host, a);
    }
    return a;
  };
  return (url, init) => new Promise<Response>((resolve, reject) => {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    const req = request(target, {
      method: init.method ?? 'GET',
      headers: Object.fromEntries(headers),
      agent: agentFor(urlHost(target)),
      signal: init.signal ?? undefined,
    }, (res) => {
      const answer = new Headers();
      for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) answer.set(name, Array.isArray(value) ? value.join(', ') : value);
      const body = Readable.toWeb(res) as NodeReadableStream<Uint8Array> as unknown as ReadableStream<Uint8Array>;
      resolve(new Response(body, { status: res.statusCode ?? 502, statusText: res.statusMessage, headers: answer }));
    });
    req.on('error', reject);
    req.end(typeof init.body === 'string' ? init.body : undefined);
  });
}
