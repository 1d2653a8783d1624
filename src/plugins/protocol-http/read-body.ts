// Reads a request body up to a byte limit: a declared or actual size past it is refused (413) without reading the rest.
import type { IncomingMessage } from 'node:http';
import { sqlError } from '../../base/errors.js';
import { HttpFailure } from './http-failure.js';

function tooLarge(maxBytes: number): HttpFailure {
  return new HttpFailure(413, sqlError('NET_PACKET_TOO_LARGE', `The request body is larger than max_body_bytes (${maxBytes})`), { Connection: 'close' });
}

/** The body as UTF-8 text. Time limits are the listener's (requestTimeout), so a slow body ends there. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      reject(e);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        // Stop buffering; the answer closes the connection, so the rest is never read.
        req.pause();
        fail(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks, size).toString('utf8'));
    });
    req.once('error', (e) => fail(e));
    req.once('aborted', () => fail(new Error('the client aborted the request')));
  });
}
