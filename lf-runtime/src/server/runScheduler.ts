/**
 * Serialises LF runs: one batch at a time, requests for the same file coalesce, and edits arriving while a
 * run is in flight are picked up by the next batch instead of being lost or racing the current one. A batch
 * that throws is handed to `onError` and never rejects: debounced runs start from a timer, where a rejection
 * would go unhandled and take the language server down.
 *
 * An edit to a file whose run is in flight makes that run stale: `request(..., { cancelStale: true })` aborts
 * it (the batch's signal), so the newer text starts as soon as its debounce ends instead of waiting for figures
 * nobody will read. An aborted batch is not an error; its other files are queued again.
 */
export class RunScheduler {
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private controller: AbortController | null = null;
  private runningFiles = new Set<string>();
  private disposed = false;

  constructor(
    private readonly run: (files: string[], signal: AbortSignal) => Promise<void>,
    private readonly onError: (err: unknown, files: string[]) => void,
  ) {}

  /** Asks for `files` to be run after `delayMs` of quiet (debounce for typing; 0 for open/save). */
  request(files: string[], delayMs: number, options: { cancelStale?: boolean } = {}): void {
    if (this.disposed || files.length === 0) return;
    for (const f of files) this.pending.add(f);
    if (options.cancelStale && this.controller && files.some((f) => this.runningFiles.has(f))) this.controller.abort();
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
    const controller = new AbortController();
    this.controller = controller;
    this.runningFiles = new Set(batch);
    this.running = this.run(batch, controller.signal)
      .catch((err: unknown) => {
        // Aborted for a newer edit: not a failure. Files of the batch other than the edited one run again.
        if (controller.signal.aborted) for (const f of batch) this.pending.add(f);
        else this.onError(err, batch);
      })
      .finally(() => {
        this.running = null;
        this.controller = null;
        this.runningFiles = new Set();
      });
    await this.running;
    if (this.pending.size > 0 && !this.timer) await this.drain();
  }

  /** Whether `file` waits for a run or is running now (its figures may be about to change). */
  isPending(file: string): boolean {
    return this.pending.has(file) || this.runningFiles.has(file);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
  }
}

/**
 * How long to wait after a keystroke before running the file: a little longer than the user's own pause
 * between keystrokes (so a run rarely starts mid-word), within 100..400 ms. A lone edit, with no typing
 * rhythm to learn from, waits the minimum; a run that a newer edit makes stale is cancelled anyway.
 */
export class TypingDebounce {
  static readonly MIN_MS = 100;
  static readonly MAX_MS = 400;
  private readonly last = new Map<string, number>();
  private readonly gaps: number[] = [];

  next(uri: string, now = performance.now()): number {
    const previous = this.last.get(uri);
    this.last.set(uri, now);
    if (previous !== undefined && now - previous < 1000) {
      this.gaps.push(now - previous);
      if (this.gaps.length > 8) this.gaps.shift();
    } else if (previous !== undefined) {
      this.gaps.length = 0; // a pause of a second or more ends the burst: its rhythm no longer applies
    }
    if (this.gaps.length < 2) return TypingDebounce.MIN_MS;
    const sorted = [...this.gaps].sort((a, b) => a - b);
    const median = sorted[sorted.length >> 1];
    return Math.round(Math.min(TypingDebounce.MAX_MS, Math.max(TypingDebounce.MIN_MS, median * 1.5)));
  }
}
