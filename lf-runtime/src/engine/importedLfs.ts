/**
 * One LF, one vote column. A project's LF file may import LFs from another of its LF files
 * (`from keyword_lfs import lf_check` in main_lfs.py, both files in the project), and the runtime then finds
 * the same LF in both. Snorkel's applier, given each file's LFs, would be given it twice; the user meant it once,
 * so it counts for the file that defines it. LFs imported from a helper module that is not one of the
 * project's LF files count for the file that imports them, as before.
 */
import type { LfRunResult } from '../sandbox/types.ts';

/**
 * Indices of `file`'s LFs that count for it, in its order: all but those another of `lfFiles` defines itself
 * under the same name (`lfsOf` gives a file's latest LFs, undefined before it ran).
 */
export function countedLfIndices(
  file: string,
  lfs: readonly LfRunResult[],
  lfFiles: readonly string[],
  lfsOf: (file: string) => readonly LfRunResult[] | undefined,
): number[] {
  const out: number[] = [];
  lfs.forEach((lf, j) => {
    const home = lf.definedIn !== undefined && lf.definedIn !== file && lfFiles.includes(lf.definedIn) ? lfsOf(lf.definedIn) : undefined;
    if (!home?.some((other) => other.name === lf.name && other.definedIn === undefined)) out.push(j);
  });
  return out;
}

/**
 * Whether an LF that counts for `file` goes into the label model: its file has no list for the applier (`lfs`),
 * or the list holds it, or another of `lfFiles` lists it (`from a import a2` and `lfs = [b1, a2]` in b.py), as
 * Snorkel's applier given that list would apply it.
 */
export function inModel(file: string, lf: LfRunResult, lfFiles: readonly string[], lfsOf: (file: string) => readonly LfRunResult[] | undefined): boolean {
  if (lf.listed !== false) return true;
  return lfFiles.some((other) => other !== file && (lfsOf(other) ?? []).some((o) => o.name === lf.name && o.definedIn === file && o.listed === true));
}
