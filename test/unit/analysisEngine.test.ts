// The engine combining files: what it reports about the project as a whole, with a stand-in executor whose
// LFs vote by a rule written beside their name (the real executor runs Python).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AnalysisEngine } from '../../lf-runtime/src/engine/analysisEngine.ts';
import { builderCall } from '../../lf-runtime/src/engine/noLfsAdvice.ts';
import type { Dataset, Row } from '../../lf-runtime/src/data/types.ts';
import { standInExecutor } from '../support/standInExecutor.ts';

const rows: Row[] = ['check my channel', 'nice song', 'subscribe please'].map((text, i) => ({ id: String(i), fields: { text } }));
const sample: Dataset = { path: '/ws/data/train.json', rows, gold: null };


function engine(lfFiles: string[]): AnalysisEngine {
  return new AnalysisEngine(standInExecutor(), { task: 't', labels: ['HAM', 'SPAM'], sample, dev: null, lfFiles, timeoutMs: 1000 });
}

describe('analysis engine', () => {
  it('names the exceptions the label model honoured: a narrow LF inside a broader one that votes differently', async () => {
    const texts = [...Array(30).fill('what does it stand for'), ...Array(30).fill('what is this'), ...Array(40).fill('nice song')];
    const many: Dataset = { path: '/ws/data/train.json', rows: texts.map((text, i) => ({ id: String(i), fields: { text } })), gold: null };
    const e = new AnalysisEngine(standInExecutor(), { task: 't', labels: ['A', 'B'], sample: many, dev: null, lfFiles: ['/ws/lfs.py'], timeoutMs: 1000 });
    await e.runFile('/ws/lfs.py', 'def what_any(x):  # what -> 0\ndef stand_for(x):  # stand -> 1\ndef song(x):  # song -> 0\n');
    const a = e.analyze();
    assert.deepEqual(a.labelModel?.overrides, [{ narrow: 'stand_for', broad: 'what_any', rows: 30 }]);
  });

  it('warns on line 1 of a file that defines no LFs, without an error', async () => {
    const e = engine(['/ws/lfs.py', '/ws/helpers.py']);
    await e.runFile('/ws/lfs.py', 'def my(x):  # my -> 1\n');
    await e.runFile('/ws/helpers.py', 'import re\n');
    const a = e.analyze();
    assert.deepEqual(a.lfs.map((l) => l.name), ['my']);
    assert.deepEqual(
      a.fileProblems.map((p) => [p.file, p.line, p.severity]),
      [['/ws/helpers.py', 1, 'warning']],
    );
    assert.match(a.fileProblems[0]!.message, /^helpers\.py defines no labeling functions; decorate each one with @labeling_function\(\)/);
  });

  it('re-runs unchanged text after forget() ("Re-run All"), and has the runtime forget its cached results too', async () => {
    const executor = standInExecutor();
    let runs = 0;
    let cleared = 0;
    const spy = { ...executor, runFile: (o: Parameters<typeof executor.runFile>[0]) => (runs++, executor.runFile(o)), clearResults: () => void cleared++ };
    const e = new AnalysisEngine(spy, { task: 't', labels: ['HAM', 'SPAM'], sample, dev: null, lfFiles: ['/ws/lfs.py'], timeoutMs: 1000 });
    assert.equal(await e.runFile('/ws/lfs.py', 'def my(x):  # my -> 1\n'), true);
    assert.equal(await e.runFile('/ws/lfs.py', 'def my(x):  # my -> 1\n'), false);
    e.forget();
    assert.equal(cleared, 1);
    assert.equal(await e.runFile('/ws/lfs.py', 'def my(x):  # my -> 1\n'), true);
    assert.equal(runs, 2);
  });

  it("finds the raising statement that calls the file's LF builder, so a file with none is told that, not to call it", () => {
    const source = [
      'from snorkel.labeling import LabelingFunction',
      "with open('missing.yaml') as f:",
      '    words = f.read().split()',
      'def make_lf(name, words, label):',
      '    return LabelingFunction(name=name, f=lambda x: label, resources=dict(words=words))',
      'lfs = [',
      "    make_lf('kw', words, 1),",
      ']',
      'other = len(words)',
    ].join('\n');
    assert.deepEqual(builderCall(source, [2, 6, 9]), { name: 'make_lf', line: 6 });
    assert.equal(builderCall(source, [2, 9]), null, 'no raising statement calls it: the generic advice stands');
    // make_lf builds no LF: the statement that assigns the LF list is what raised.
    assert.deepEqual(builderCall(source.replace('LabelingFunction(name', 'dict(name'), [2, 6]), { name: 'lfs', line: 6 });
    // A builder method, called on an object (as an LFGenerator class's generate_lfs()).
    const method = [
      'from snorkel.labeling import LabelingFunction',
      'class LFGenerator:',
      '    def __init__(self, path):',
      '        self.words = open(path).read().split()',
      '    def generate_lfs(self):',
      '        return {"AI": [LabelingFunction(name=w, f=lambda x: 1) for w in self.words]}',
      'LFG = LFGenerator("missing.txt")',
      'lfs = LFG.generate_lfs()',
    ].join('\n');
    assert.deepEqual(builderCall(method, [7, 8]), { name: 'generate_lfs', line: 8 });
    assert.equal(builderCall(method, [7]), null, 'the constructor builds no LF');
  });

  it('warns on every copy of a duplicate LF name, naming the others relative to it', async () => {
    const e = engine(['/ws/lfs.py', '/ws/more/extra.py']);
    await e.runFile('/ws/lfs.py', 'def my(x):  # my -> 1\n');
    await e.runFile('/ws/more/extra.py', '\ndef my(x):  # song -> 0\n');
    const problems = e.analyze().fileProblems;
    assert.deepEqual(problems.map((p) => [p.file, p.line]), [['/ws/lfs.py', 1], ['/ws/more/extra.py', 2]]);
    assert.match(problems[0]!.message, /^LF name 'my' is also used at more\/extra\.py:2; Snorkel's appliers refuse LFs with the same name/);
    assert.match(problems[1]!.message, /^LF name 'my' is also used at \.\.\/lfs\.py:1; /);
  });

  it('warns on the first LF file when the class names fit the dev labels far better in another order', async () => {
    const texts = [...Array(12)].flatMap(() => ['check this', 'a song']);
    const devRows = texts.map((text, i) => ({ id: `d${i}`, fields: { text } }));
    const make = (gold: number[]) =>
      new AnalysisEngine(standInExecutor(), { task: 't', labels: ['HAM', 'SPAM'], sample, dev: { path: '/ws/dev.json', rows: devRows, gold }, lfFiles: ['/ws/lfs.py'], timeoutMs: 1000 });
    const source = 'def check(x):  # check -> 1\ndef song(x):  # song -> 0\n';
    // Gold swapped: "check" rows are HAM, "song" rows SPAM, as when the labels list is in the other order.
    const swapped = make(texts.map((t) => (t.startsWith('check') ? 0 : 1)));
    await swapped.runFile('/ws/lfs.py', source);
    const problem = swapped.analyze().fileProblems.find((p) => /named otherwise/.test(p.message));
    assert.deepEqual([problem?.file, problem?.line, problem?.severity], ['/ws/lfs.py', 1, 'warning']);
    assert.match(problem!.message, /on 0% of 24 votes, but on 100% with the class ids named otherwise \(0 as SPAM, 1 as HAM\)/);
    const right = make(texts.map((t) => (t.startsWith('check') ? 1 : 0)));
    await right.runFile('/ws/lfs.py', source);
    assert.ok(!right.analyze().fileProblems.some((p) => /named otherwise/.test(p.message)));
  });

  it('says once that LFs a factory made at one line share a name', async () => {
    const e = engine(['/ws/lfs.py']);
    await e.runFile('/ws/lfs.py', 'def my(x):  # my -> 1\ndef my(x):  # song -> 0\n');
    const problems = e.analyze().fileProblems;
    assert.equal(problems.length, 2, JSON.stringify(problems));
    assert.match(problems[0]!.message, /^LF name 'my' is also used at line 2 of this file; /);
  });

  it("keeps the data files that hold gold labels from every LF: the dev set, a labeled sample, the editor's labels file", async () => {
    const seen: unknown[] = [];
    const executor = standInExecutor();
    const spy = { ...executor, runFile: (o: Parameters<typeof executor.runFile>[0]) => (seen.push(o.hiddenFiles), executor.runFile(o)) };
    const dev: Dataset = { path: '/ws/data/valid.json', rows, gold: [1, 0, 1] };
    const labeled: Dataset = { ...sample, gold: [null, 0, null] };
    const extra = [{ path: '/ws/.lfstudio/labels.jsonl', what: 'the gold labels added in the editor' }];
    const e = new AnalysisEngine(spy, { task: 't', labels: ['HAM', 'SPAM'], sample: labeled, dev, lfFiles: ['/ws/lfs.py'], timeoutMs: 1000, hiddenFiles: extra });
    await e.runFile('/ws/lfs.py', 'def my(x):  # my -> 1\n');
    assert.ok(seen.length > 0);
    for (const hidden of seen) {
      assert.deepEqual(
        (hidden as { path: string }[]).map((h) => h.path),
        ['/ws/data/valid.json', '/ws/data/train.json', '/ws/.lfstudio/labels.jsonl'],
      );
    }
    // A sample without gold labels stays readable (an LF file may build a word list from it).
    seen.length = 0;
    const plain = new AnalysisEngine(spy, { task: 't', labels: ['HAM', 'SPAM'], sample, dev: null, lfFiles: ['/ws/lfs.py'], timeoutMs: 1000 });
    await plain.runFile('/ws/lfs.py', 'def my(x):  # my -> 1\n');
    assert.deepEqual(seen, [[]]);
  });
});
