// Authentication without passwords: any user name is accepted, from loopback clients only unless told otherwise.
import type { AuthDecision, AuthRequest, Authenticator } from '../../kernel/plugin.js';

export class NoneAuthenticator implements Authenticator {
  constructor(private readonly allowRemote: boolean) {}

  async authenticate(req: AuthRequest): Promise<AuthDecision> {
    if (req.loopback || this.allowRemote) return { kind: 'allow' };
    return {
      kind: 'deny',
      reason: `auth-none accepts only loopback clients (${req.host} is not); set auth-none.allow_remote=true or use auth-file`,
    };
  }
}
