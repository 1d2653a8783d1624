// Splits a streamed body into JSON lines as its chunks arrive; no Node APIs (web streams and TextDecoder only).
import { protocolError } from '../errors.js';

/** Lines of an NDJSON body, each parsed; a line that is not JSON is a protocol error. */
export async function* ndjsonLines(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let pending = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      pending += decoder.decode(value, { stream: true });
      let nl = pending.indexOf('\n');
      while (nl >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (line !== '') yield parse(line);
        nl = pending.indexOf('\n');
      }
    }
    const rest = (pending + decoder.decode()).trim();
    if (rest !== '') yield parse(rest);
  } finally {
    // Stops the download when the caller stopped reading early.
    await reader.cancel().catch(() => undefined);
  }
}

function parse(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    throw protocolError(`The server sent a line that is not JSON: ${line.slice(0, 80)}`);
  }
}
