// The editor's runtime choice over LSP: with lfStudio.runtime "auto", a file that imports pandas runs in the
// user's own Python in a trusted workspace (figures, "run by your Python" on its lens, the interpreter in the
// status), and never in an untrusted one, where its problem says how to get it to run. The other file stays in
// the pyodide sandbox either way. Needs bubblewrap and Debian's python3-pandas; skipped with the reason otherwise.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bubblewrap } from '../../lf-runtime/src/sandbox/nativeRuntime.ts';
import { LspTestClient, copyWorkspace } from '../support/lspClient.ts';

const PYTHON = '/usr/bin/python3';
const skip = !bubblewrap()
  ? 'bubblewrap is not installed (apt-get install bubblewrap)'
  : !(existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import pandas'], { stdio: 'ignore' }).status === 0)
    ? `${PYTHON} has no pandas (apt-get install python3-pandas)`
    : false;

const PANDAS_LFS = `import pandas as pd
from snorkel.labeling import labeling_function

WORDS = pd.Series(["subscribe", "check"])

@labeling_function()
def pandas_words(x):
    return 1 if WORDS.map(lambda w: w in x.text.lower()).any() else -1
`;

function workspace(): string {
  const root = copyWorkspace();
  const project = JSON.parse(readFileSync(join(root, 'lfstudio.json'), 'utf8'));
  project.lfFiles = ['lfs.py', 'pandas_lfs.py'];
  writeFileSync(join(root, 'lfstudio.json'), JSON.stringify(project, null, 2));
  writeFileSync(join(root, 'pandas_lfs.py'), PANDAS_LFS);
  return root;
}

describe('language server runtimes', { skip }, () => {
  it('runs a pandas file in your own Python in a trusted workspace, and says so', async () => {
    const root = workspace();
    const texts = Object.values(JSON.parse(readFileSync(join(root, 'data', 'train.json'), 'utf8')) as Record<string, { data: { text: string } }>).map((r) => r.data.text.toLowerCase());
    const client = await LspTestClient.start(root, { runtime: 'auto', pythonInterpreter: PYTHON, workspaceTrusted: true });
    try {
      await client.open('pandas_lfs.py');
      const analysis = await client.waitFor(() => client.analyses.find((a) => a.lfs.some((l) => l.name === 'pandas_words')), 'figures for pandas_words', 120_000);
      const lf = analysis.lfs.find((l) => l.name === 'pandas_words')!;
      assert.equal(lf.runtime, 'python');
      assert.equal(lf.coverage, texts.filter((t) => t.includes('subscribe') || t.includes('check')).length / texts.length);
      assert.equal(analysis.lfs.find((l) => l.name === 'keyword_my')?.runtime, 'sandbox');
      const lenses = await client.codeLenses('pandas_lfs.py');
      assert.ok(lenses.some((l) => /run by your Python/.test(l.command?.title ?? '')), JSON.stringify(lenses.map((l) => l.command?.title)));
      const status = await client.waitFor(() => client.statuses.findLast((s) => s.state === 'ready' && s.isolation.some((i) => /your Python/.test(i))), 'a status naming the interpreter');
      assert.ok(status.isolation.some((i) => i.includes('/usr/bin/python3')), status.isolation.join('; '));
    } finally {
      await client.stop();
    }
  });

  it('never starts your Python in an untrusted workspace, and says how to get the file to run', async () => {
    const client = await LspTestClient.start(workspace(), { runtime: 'auto', pythonInterpreter: PYTHON, workspaceTrusted: false });
    try {
      await client.open('pandas_lfs.py');
      const diags = await client.waitFor(() => client.diagnostics.get(client.uri('pandas_lfs.py'))?.filter((d) => /pandas/.test(String(d.message))), 'a diagnostic about pandas', 120_000);
      assert.equal(diags[0]!.range.start.line, 0);
      assert.match(String(diags[0]!.message), /not trusted.*trust the workspace/);
      const analysis = await client.waitFor(() => client.analyses.at(-1), 'an analysis');
      assert.ok(analysis.lfs.some((l) => l.name === 'keyword_my'), 'the sandbox files ran');
      assert.ok(!analysis.lfs.some((l) => l.runtime === 'python'), 'nothing ran in your Python');
    } finally {
      await client.stop();
    }
  });
});
