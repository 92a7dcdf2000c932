/**
 * Per-LF results kept between runs. Keys are computed in the parent from the unit's source texts
 * (cacheKeys.ts); the scope adds the runtime version, the dataset fingerprint and the number of classes.
 * Editing one LF therefore changes one key. Only clean results are kept: an LF with an error re-runs, so
 * its error lines always match the current text, and timed-out or crashed LFs are never cached.
 */
import type { LfRunResult } from './types.ts';

const MAX_ENTRIES = 400;
/** Votes are one byte per row; stop keeping results beyond this many bytes of votes. */
const MAX_VOTE_BYTES = 256 * 1024 * 1024;

export class LfResultCache {
  private readonly entries = new Map<string, LfRunResult>();
  private voteBytes = 0;

  get(lfKey: string, scope: string): LfRunResult | undefined {
    const k = `${lfKey}|${scope}`;
    const hit = this.entries.get(k);
    if (hit) {
      // Refresh recency: Map iteration order is insertion order.
      this.entries.delete(k);
      this.entries.set(k, hit);
    }
    return hit;
  }

  clear(): void {
    this.entries.clear();
    this.voteBytes = 0;
  }

  put(lfKey: string, scope: string, result: LfRunResult): void {
    if (result.timedOut || result.firstError || result.errors > 0) return;
    const k = `${lfKey}|${scope}`;
    const old = this.entries.get(k);
    if (old) {
      this.voteBytes -= old.votes.length;
      this.entries.delete(k);
    }
    this.entries.set(k, result);
    this.voteBytes += result.votes.length;
    for (const [key, value] of this.entries) {
      if (this.entries.size <= MAX_ENTRIES && this.voteBytes <= MAX_VOTE_BYTES) break;
      this.entries.delete(key);
      this.voteBytes -= value.votes.length;
    }
  }
}
