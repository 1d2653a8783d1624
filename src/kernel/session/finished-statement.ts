// A finished statement as logs and metrics see it (the StatementEvent handed to observers).
import type { StatementEvent } from '../plugin.js';
import { statementDigest } from '../../sql/lexer/digest.js';

/** A finished statement as logs and metrics see it; the digest is computed only if someone asks. */
export class FinishedStatement implements StatementEvent {
  private digestText: string | undefined;
  constructor(
    readonly time: Date,
    readonly sessionId: number,
    readonly user: string,
    readonly host: string,
    readonly schema: string | null,
    readonly text: string,
    readonly kind: string,
    readonly durationMs: number,
    readonly rowsSent: number,
    readonly rowsExamined: number,
    readonly rowsAffected: number,
    readonly errorCode: number,
    readonly errorMessage: string | undefined,
    readonly blockedBy: string | undefined,
    readonly filterNotes: readonly { by: string; note: string }[] | undefined,
  ) {}

  digest(): string {
    return (this.digestText ??= statementDigest(this.text));
  }
}
