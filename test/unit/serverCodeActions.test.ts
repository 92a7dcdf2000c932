// Quick fixes on LF Studio diagnostics, the typing debounce, and cancelling a run an edit made stale.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyEdits } from 'jsonc-parser';
import { addToLfFiles, codeActionsFor, labelingFunctionLine, notInLfFilesDiagnostic } from '../../lf-runtime/src/server/codeActions.ts';
import { RunScheduler, TypingDebounce } from '../../lf-runtime/src/server/runScheduler.ts';

/** Applies LSP text edits to `text` (the editor's job), by turning positions back into offsets. */
function apply(text: string, edits: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((s, l) => s + l.length + 1, 0) + p.character;
  return applyEdits(text, edits.map((e) => ({ offset: offset(e.range.start), length: offset(e.range.end) - offset(e.range.start), content: e.newText })));
}

describe('lfFiles quick fix', () => {
  it('appends the file to an existing lfFiles list and keeps everything else', () => {
    const text = '{\n  "labels": ["A", "B"],\n  // a comment stays\n  "lfFiles": ["lfs.py"]\n}\n';
    const out = apply(text, addToLfFiles(text, 'more/lfs2.py')!);
    assert.match(out, /\/\/ a comment stays/);
    assert.deepEqual(JSON.parse(out.replace(/\/\/.*\n/, '\n')).lfFiles, ['lfs.py', 'more/lfs2.py']);
  });

  it('writes out the default when lfFiles is absent, so lfs.py keeps running', () => {
    const text = '{"labels": ["A", "B"], "data": {"sample": "x.json"}}';
    assert.deepEqual(JSON.parse(apply(text, addToLfFiles(text, 'other.py')!)).lfFiles, ['lfs.py', 'other.py']);
  });

  it('hints only files with @labeling_function inside the workspace, with an edit as quick fix', () => {
    assert.equal(labelingFunctionLine('import re\n\n@labeling_function(name="x")\ndef f(x): ...'), 2);
    assert.equal(labelingFunctionLine('@snorkel.labeling.labeling_function()\n'), 0);
    assert.equal(labelingFunctionLine('def labeling_function(): pass\n'), -1);
    assert.equal(notInLfFilesDiagnostic('/ws', '/elsewhere/x.py', '@labeling_function()\n'), null);
    const d = notInLfFilesDiagnostic('/ws', '/ws/sub/x.py', 'import re\n@labeling_function()\ndef f(x): return 0\n')!;
    assert.equal(d.range.start.line, 1);
    const actions = codeActionsFor([d], { uri: 'file:///ws/lfstudio.json', text: '{"lfFiles": ["lfs.py"]}' });
    assert.equal(actions.length, 1);
    assert.equal(actions[0].title, 'Add sub/x.py to "lfFiles" in lfstudio.json');
    const edits = actions[0].edit!.changes!['file:///ws/lfstudio.json'];
    assert.deepEqual(JSON.parse(apply('{"lfFiles": ["lfs.py"]}', edits)).lfFiles, ['lfs.py', 'sub/x.py']);
  });

  it('links a failing LF to the rows it failed on', () => {
    const d = { range: { start: { line: 3, character: 0 }, end: { line: 3, character: 9 } }, source: 'LF Studio', code: 'exception', message: 'x', data: { lf: 'kw' } };
    const [action] = codeActionsFor([d, { ...d, code: 'no-votes' }], null);
    assert.equal(action.command?.command, 'lfStudio.showExamples');
    assert.deepEqual(action.command?.arguments, [{ split: 'sample', lf: 'kw', errors: true }]);
  });
});

describe('TypingDebounce', () => {
  it('waits the minimum after a lone edit and a little longer than the typing rhythm in a burst', () => {
    const d = new TypingDebounce();
    assert.equal(d.next('a', 0), TypingDebounce.MIN_MS);
    assert.equal(d.next('a', 5000), TypingDebounce.MIN_MS, 'a pause of seconds is not a rhythm');
    let t = 5000;
    let last = 0;
    for (let i = 0; i < 6; i++) last = d.next('a', (t += 180));
    assert.equal(last, 270);
    for (let i = 0; i < 8; i++) last = d.next('a', (t += 40));
    assert.equal(last, TypingDebounce.MIN_MS);
    for (let i = 0; i < 8; i++) last = d.next('a', (t += 900));
    assert.equal(last, TypingDebounce.MAX_MS);
  });
});

describe('RunScheduler cancelling stale runs', () => {
  it('aborts the run of a file edited again and runs the newer request, without reporting an error', async () => {
    const started: string[][] = [];
    const aborted: string[][] = [];
    const s = new RunScheduler(
      (files, signal) =>
        new Promise<void>((resolve, reject) => {
          started.push(files);
          const timer = setTimeout(resolve, 200);
          signal.addEventListener('abort', () => {
            clearTimeout(timer);
            aborted.push(files);
            reject(new Error('aborted'));
          });
        }),
      (err) => {
        throw new Error(`unexpected: ${String(err)}`);
      },
    );
    s.request(['a.py', 'b.py'], 0);
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(s.isPending('a.py'));
    s.request(['a.py'], 10, { cancelStale: true });
    await new Promise((r) => setTimeout(r, 400));
    await s.runNow([]);
    assert.deepEqual(aborted, [['a.py', 'b.py']]);
    // The edited file and the other file of the aborted batch both ran again.
    assert.deepEqual(started.at(-1)?.sort(), ['a.py', 'b.py']);
    assert.equal(s.isPending('a.py'), false);
  });

  it('does not cancel for an edit of a file that is not running', async () => {
    let aborts = 0;
    const s = new RunScheduler(
      (files, signal) =>
        new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => aborts++);
          setTimeout(resolve, 50);
        }),
      () => {},
    );
    s.request(['a.py'], 0);
    await new Promise((r) => setTimeout(r, 10));
    s.request(['b.py'], 0, { cancelStale: true });
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(aborts, 0);
  });
});
