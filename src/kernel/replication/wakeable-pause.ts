// A pause between retries that a stop cuts short: the replica's reconnects and an applier plugin's redeliveries.
export class WakeablePause {
  private cut: (() => void) | undefined;

  /** Waits `ms`, or until wake(). */
  async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.cut = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.cut = undefined;
  }

  /** Ends the pause under way now; nothing when none is. */
  wake(): void {
    this.cut?.();
  }
}
