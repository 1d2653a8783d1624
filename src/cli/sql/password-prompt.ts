// Asks for a password on the terminal without echoing it (`-p` without a value).

/** Reads one line from the terminal `input` in raw mode, echoing nothing; Ctrl-C rejects. */
export function promptPassword(input: NodeJS.ReadStream, prompt: NodeJS.WritableStream, text = 'Enter password: '): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = '';
    const wasRaw = input.isRaw;
    input.setRawMode(true);
    input.setEncoding('utf8');
    prompt.write(text);
    const done = (f: () => void) => {
      input.off('data', onData);
      input.setRawMode(wasRaw);
      input.pause();
      prompt.write('\n');
      f();
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done(() => resolve(value));
        if (ch === '\u0003') return done(() => reject(new Error('cancelled')));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    input.on('data', onData);
    input.resume();
  });
}
