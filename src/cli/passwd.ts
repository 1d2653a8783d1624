// `mizzle passwd USER [PASSWORD]`: prints a users-file line for the auth-file plugin.
import { passwdLine } from '../plugins/auth-file/password-hash.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export async function passwdCommand(args: string[]): Promise<number> {
  const [user, given] = args;
  if (!user || !/^[^:\s#]+$/.test(user)) {
    process.stderr.write('usage: mizzle passwd USER [PASSWORD]   (user names cannot contain ":", "#" or spaces)\n');
    return 2;
  }
  const password = given ?? (await readStdin());
  process.stdout.write(passwdLine(user, password) + '\n');
  return 0;
}
