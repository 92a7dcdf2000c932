// A file with hundreds of LFs: a worker that answers fast sends many replies in one read of its pipe (an
// lfStart and an lfDone per LF), and every one must reach the run, whatever the count.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LfExecutor } from '../../lf-runtime/src/sandbox/types.ts';
import { bothRuntimes } from '../support/bothRuntimes.ts';

const ws = mkdtempSync(join(tmpdir(), 'lf-many-'));
after(() => rmSync(ws, { recursive: true, force: true }));

const N = 300;
const SOURCE =
  'from snorkel.labeling import labeling_function\n' +
  Array.from({ length: N }, (_, i) => `@labeling_function()\ndef lf_${i}(x):\n    return ${i % 2} if "a" in x.text else -1\n`).join('');

for (const [name, make, skip] of bothRuntimes(() => ws)) {
  describe(`a file of ${N} LFs in ${name}`, { skip, timeout: 300_000 }, () => {
    let executor: LfExecutor;
    before(async () => {
      executor = make();
      await executor.loadRows('rows', [
        { id: '1', fields: { text: 'a b' } },
        { id: '2', fields: { text: 'c' } },
      ]);
    });
    after(() => executor.dispose());

    it('gives every LF its votes, none lost to a worker killed for sending too many replies at once', async () => {
      for (let run = 0; run < 3; run++) {
        const r = await executor.runFile({ file: join(ws, `many${run}.py`), source: SOURCE, datasetKey: 'rows', cardinality: 2, timeoutMs: 60_000 });
        assert.equal(r.fileError, null, r.fileError?.message);
        assert.equal(r.lfs.length, N);
        const wrong = r.lfs.filter((lf, i) => lf.firstError !== null || [...lf.votes].join() !== `${i % 2},-1`);
        assert.deepEqual(
          wrong.map((lf) => `${lf.name}: ${lf.firstError?.message ?? [...lf.votes].join()}`),
          [],
        );
      }
    });
  });
}
