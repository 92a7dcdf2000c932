// A stand-in LF executor for engine tests: `def NAME(x):  # WORD -> CLASS` lines define LFs voting CLASS on
// rows whose text contains WORD, so every figure can be counted by hand (the real executor runs Python).
import type { Row } from '../../lf-runtime/src/data/types.ts';
import type { FileRunResult, LfExecutor } from '../../lf-runtime/src/sandbox/types.ts';

export function standInExecutor(): LfExecutor {
  const loaded = new Map<string, Row[]>();
  return {
    async loadRows(key, r) {
      loaded.set(key, r);
    },
    async runFile(o): Promise<FileRunResult> {
      const data = loaded.get(o.datasetKey) ?? [];
      const lfs = o.source.split('\n').flatMap((text, i) => {
        const m = /^def (\w+)\(x\):\s*# (\w+) -> (\d)/.exec(text);
        if (!m) return [];
        const [, name, word, vote] = m;
        const votes = Int8Array.from(data.map((r) => (String(r.fields.text).includes(word!) ? Number(vote) : -1)));
        return [{ name: name!, line: i + 1, votes, errors: 0, errorRowIds: [], firstError: null, noneCount: 0, timedOut: false, durationMs: 0 }];
      });
      return { file: o.file, lfs, fileError: null, durationMs: 0 };
    },
    async isolation() {
      return { separateProcess: false, environmentScrubbed: false, nodePermissionModel: false, networkNamespace: false, pyodideBridgesRemoved: false, memoryCapMb: null };
    },
    async dispose() {},
  };
}
