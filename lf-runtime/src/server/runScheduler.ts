/**
 * Serialises LF runs: one batch at a time, requests for the same file coalesce, and edits arriving while a
 * run is in flight are picked up by the next batch instead of being lost or racing the current one. A batch
 * that throws is handed to `onError` and never rejects: debounced runs start from a timer, where a rejection
 * would go unhandled and take the language server down.
 */
export class RunScheduler {
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private disposed = false;

  constructor(
    private readonly run: (files: string[]) => Promise<void>,
    private readonly onError: (err: unknown, files: string[]) => void,
  ) {}

  /** Asks for `files` to be run after `delayMs` of quiet (debounce for typing; 0 for open/save). */
  request(files: string[], delayMs: number): void {
    if (this.disposed || files.length === 0) return;
    for (const f of files) this.pending.add(f);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.drain();
    }, delayMs);
  }

  /** Runs `files` (plus anything pending) now and resolves when they, and whatever queued behind, are done. */
  async runNow(files: string[]): Promise<void> {
    for (const f of files) this.pending.add(f);
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    await this.drain();
  }

  private async drain(): Promise<void> {
    while (this.running) await this.running;
    if (this.pending.size === 0 || this.disposed) return;
    const batch = [...this.pending];
    this.pending.clear();
    this.running = this.run(batch)
      .catch((err: unknown) => this.onError(err, batch))
      .finally(() => {
        this.running = null;
      });
    await this.running;
    if (this.pending.size > 0 && !this.timer) await this.drain();
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
