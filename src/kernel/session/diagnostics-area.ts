// The session's diagnostics area: the warnings, notes and error of the last statement (SHOW WARNINGS, warning_count).
import type { Diagnostic } from '../../base/errors.js';

/** At most this many diagnostics are kept per statement (MySQL's max_error_count default). */
const DIAGNOSTICS_MAX = 1024;

/** An error as the area records it. */
interface ErrorLike {
  readonly code: number;
  readonly message: string;
}

/** A position in the area (DiagnosticsArea.mark), or a count of conditions. */
export interface DiagnosticsMark {
  listed: number;
  raised: number;
}

export class DiagnosticsArea {
  private items: Diagnostic[] = [];
  /** Warnings and notes raised, including those past DIAGNOSTICS_MAX (the count OK packets report). */
  private raised = 0;

  /** What SHOW WARNINGS lists. */
  get list(): readonly Diagnostic[] {
    return this.items;
  }

  get raisedCount(): number {
    return this.raised;
  }

  warn(code: number, message: string, level: 'Note' | 'Warning'): void {
    this.raised++;
    if (this.items.length < DIAGNOSTICS_MAX) this.items.push({ level, code, message });
  }

  /**
   * Forgets the conditions raised since `at` (see mark): an attempt that was given up and is made
   * again (a point read declined after binding its key) raises them again.
   */
  rewind(at: DiagnosticsMark): void {
    if (this.items.length > at.listed) this.items.length = at.listed;
    this.raised = at.raised;
  }

  /** Where the area stands: conditions listed and raised so far (see rewind, forgetRepeated). */
  mark(): DiagnosticsMark {
    return { listed: this.items.length, raised: this.raised };
  }

  /**
   * Forgets what a statement's second run raised again from `at` on: the first `repeated`
   * conditions after it, as many as its first run raised before it was undone (see Session.runStaged).
   */
  forgetRepeated(at: DiagnosticsMark, repeated: DiagnosticsMark): void {
    this.items.splice(at.listed, repeated.listed);
    this.raised -= Math.min(repeated.raised, this.raised - at.raised);
  }

  /** A statement that starts empties the area (SHOW WARNINGS and SHOW ERRORS do not: they read it). */
  clear(): void {
    this.items = [];
    this.raised = 0;
  }

  /** Forgets the listed conditions, keeping the count (COM_RESET_CONNECTION). */
  clearList(): void {
    this.items = [];
  }

  /** The error that ended the running statement, after the warnings it raised. */
  addError(e: ErrorLike): void {
    this.items.push({ level: 'Error', code: e.code, message: e.message });
  }

  /** An error that ended a statement before it ran: the area holds just that error. */
  onlyError(e: ErrorLike): void {
    this.items = [{ level: 'Error', code: e.code, message: e.message }];
  }

  /** A statement refused before it ran (authorization, filters, sql_safe_updates): the error is its one condition. */
  refused(e: ErrorLike): void {
    this.onlyError(e);
    this.raised = 1;
  }
}
