// Checks a password that arrived whole (HTTP Basic, the native HELLO) against what an authentication plugin decided.
import { timingSafeEqual } from 'node:crypto';
import type { AuthDecision, StoredCredential } from '../../kernel/plugin.js';
import { nativeStage2, sha2Stage2 } from '../../protocol/mysql/auth-methods.js';

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Whether `password` is the one the stored credential describes: hashed as MySQL
 * hashes it and compared in constant time with the stored stage-2 digest, or handed
 * to the plugin's own clear-text check.
 */
export function credentialAccepts(cred: StoredCredential, password: string): boolean {
  if (cred.nativeStage2 !== undefined) {
    if (cred.nativeStage2.length === 0) return password === '';
    return sameBytes(nativeStage2(password), cred.nativeStage2);
  }
  if (cred.sha256Stage2 !== undefined) return sameBytes(sha2Stage2(password), cred.sha256Stage2);
  return cred.verifyClearText?.(password) === true;
}

/** Why a decision does not let the user in, or undefined when it does. `checkTimeoutMs` bounds a plugin's own check. */
export async function decisionRefusal(decision: AuthDecision, password: string, checkTimeoutMs: number): Promise<string | undefined> {
  switch (decision.kind) {
    case 'allow':
      return undefined;
    case 'deny':
      return decision.reason;
    case 'verify':
      return credentialAccepts(decision.credential, password) ? undefined : 'wrong password';
    case 'verify-cleartext': {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the authentication plugin did not answer within ${checkTimeoutMs} ms`)), checkTimeoutMs);
      });
      try {
        const ok = await Promise.race([Promise.resolve().then(() => decision.check(password)), timedOut]);
        return ok === true ? undefined : 'wrong password';
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      } finally {
        clearTimeout(timer);
      }
    }
  }
}
