import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LfSummary, ProjectAnalysis } from '../../lf-runtime/src/protocol.ts';
import {
  displayAnalysis,
  displayScoreOutcome,
  fileDiagnostics,
  hoverMarkdown,
  lensParts,
  lfHeaderLength,
} from '../../lf-runtime/src/server/presentation.ts';
import { hasUnsafeChars, PLACEHOLDER } from '../../lf-runtime/src/text/controlChars.ts';

const lf = (over: Partial<LfSummary> = {}): LfSummary => ({
  name: 'keyword_my',
  file: '/ws/lfs.py',
  line: 9,
  polarity: [1],
  coverage: 0.19925,
  overlaps: 0.1204,
  conflicts: 0.031,
  correct: null,
  incorrect: null,
  empiricalAccuracy: null,
  estimatedAccuracy: null,
  errors: 0,
  timedOut: false,
  firstError: null,
  noneCount: 0,
  ...over,
});

const analysis = (lfs: LfSummary[]): ProjectAnalysis => ({
  version: 1,
  task: 't',
  labels: ['HAM', 'SPAM'],
  rows: 1686,
  devRows: null,
  lfs,
  totalCoverage: 0.5,
  totalConflict: 0.1,
  labelModel: null,
  fileProblems: [],
  durationMs: 5,
});

describe('editor presentation', () => {
  it('says in the hover when an LF is treated as an exception to a broader one, and on the broader one', () => {
    const a = analysis([lf({ name: 'what_stands_for' }), lf({ name: 'what_any' }), lf({ name: 'keyword_my' })]);
    a.labelModel = {
      name: 'default (agreement)',
      classBalance: [0.5, 0.5],
      uncoveredRows: 3,
      chosenBy: 'the default',
      usedDevSet: false,
      overrides: [{ narrow: 'what_stands_for', broad: 'what_any', rows: 34 }],
    };
    assert.match(hoverMarkdown(a.lfs[0], a), /Treated as an exception to `what_any` on 34 rows/);
    assert.match(hoverMarkdown(a.lfs[1], a), /set aside on 34 rows where narrower LFs inside it disagree \(`what_stands_for`\)/);
    assert.doesNotMatch(hoverMarkdown(a.lfs[2], a), /exception|set aside/);
  });

  it('gives each LFAnalysis figure its own lens, with label names for polarity', () => {
    const titles = (x: Parameters<typeof lensParts>[0]) => lensParts(x, ['HAM', 'SPAM']).map((p) => p.title);
    assert.deepEqual(titles(lf()), ['coverage 19.9%', 'overlaps 12.0%', 'conflicts 3.1%', 'polarity SPAM', 'improve with LLM']);
    assert.equal(titles(lf({ polarity: [] }))[3], 'polarity none');
    assert.equal(titles(lf({ polarity: [0, 1] }))[3], 'polarity HAM, SPAM');
  });

  it('adds accuracy and problem lenses only when there is something to say, each opening its rows', () => {
    const parts = lensParts(lf({ estimatedAccuracy: 0.9, empiricalAccuracy: 0.75, correct: 3, incorrect: 1, errors: 2 }), ['HAM', 'SPAM']);
    assert.deepEqual(parts.map((p) => p.title).slice(4), ['est. accuracy 90.0%', 'dev precision 75.0% (3/4)', '2 errors', 'improve with LLM']);
    const byTitle = (t: string) => parts.find((p) => p.title.startsWith(t))!;
    assert.deepEqual(byTitle('coverage').arguments, [{ split: 'sample', lf: lf().name, lfFile: lf().file, vote: 'fires' }]);
    assert.deepEqual(byTitle('conflicts').arguments, [{ split: 'sample', lf: lf().name, lfFile: lf().file, conflicts: true }]);
    assert.deepEqual(byTitle('dev precision').arguments, [{ split: 'labeled', lf: lf().name, lfFile: lf().file, outcome: 'wrong' }]);
    assert.deepEqual(byTitle('2 errors').arguments, [{ split: 'sample', lf: lf().name, lfFile: lf().file, errors: true }]);
    assert.equal(byTitle('est. accuracy').command, 'lfStudio.openDashboard');
    // No wrong votes: dev precision opens the labeled rows it votes on instead of an empty bucket.
    const right = lensParts(lf({ empiricalAccuracy: 1, correct: 4, incorrect: 0 }), ['HAM', 'SPAM']).find((p) => p.title.startsWith('dev precision'))!;
    assert.deepEqual(right.arguments, [{ split: 'labeled', lf: lf().name, lfFile: lf().file, vote: 'fires' }]);
    assert.deepEqual(lensParts(lf({ timedOut: true, errors: 4 }), ['HAM', 'SPAM']).map((p) => p.title).slice(4, 5), ['timed out']);
  });

  it('turns LF failures into diagnostics at the failing line', () => {
    const failing = lf({
      errors: 12,
      firstError: { kind: 'exception', message: 'ZeroDivisionError: division by zero', line: 11, traceback: null },
      noneCount: 3,
    });
    const d = fileDiagnostics('/ws/lfs.py', analysis([failing, lf({ name: 'other', file: '/ws/other.py' })]), [
      { file: '/ws/lfs.py', message: 'SyntaxError', line: 4 },
    ]);
    assert.deepEqual(
      d.map((x) => [x.line, x.severity, x.code]),
      [
        [4, 'error', 'file-problem'],
        [11, 'warning', 'exception'],
        [9, 'information', 'returned-none'],
      ],
    );
    assert.match(d[1].message, /keyword_my failed on 12 of 1686 rows/);
  });

  it('shows a file problem marked as a warning (a file with no LFs) as a warning, not an error', () => {
    const d = fileDiagnostics('/ws/helpers.py', analysis([lf()]), [
      { file: '/ws/helpers.py', message: 'helpers.py defines no labeling functions', line: 1, severity: 'warning' },
    ]);
    assert.deepEqual(d.map((x) => [x.line, x.severity, x.code]), [[1, 'warning', 'file-problem']]);
  });

  it('takes decorators and the def signature as an LF header, and no line of the body', () => {
    assert.equal(lfHeaderLength(['@labeling_function()', 'def my(x):', '    """Docstring."""', '    print(x)']), 2);
    assert.equal(lfHeaderLength(['@labeling_function(', '    resources=dict(k=1),', ')', 'def my(', '    x,', '):  # note', '    with open("f"):']), 6);
    assert.equal(lfHeaderLength(['@labeling_function()', 'async def my(x): return 1']), 2);
    assert.equal(lfHeaderLength(['@labeling_function()', 'def my(x']), 2, 'a signature still being typed is all header');
  });

  it('explains emp. accuracy as precision in the hover', () => {
    const a = { ...analysis([lf({ correct: 3, incorrect: 1, empiricalAccuracy: 0.75 })]), devRows: 120 };
    const md = hoverMarkdown(a.lfs[0], a);
    assert.match(md, /precision/);
    assert.match(md, /\| Coverage \| 19\.93% \|/);
  });
});

describe('project problems in lfstudio.json', () => {
  it('points at the key the JSON pointer names, or the given line, or line 1', async () => {
    const { projectProblemLine } = await import('../../lf-runtime/src/server/presentation.ts');
    const text = '{\n  "labels": ["A", "B"],\n  "data": {\n    "sample": "x.json"\n  }\n}\n';
    assert.equal(projectProblemLine(text, { path: '/data/sample' }), 4);
    assert.equal(projectProblemLine(text, { path: '/labels/1' }), 2);
    assert.equal(projectProblemLine(text, { line: 3, path: '/data/sample' }), 3);
    assert.equal(projectProblemLine(text, {}), 1);
    assert.equal(projectProblemLine(text, { path: '/nowhere' }), 1);
  });
});

describe('text an LF controls, on its way to the editor', () => {
  const hostileName = '\x1b]0;pwned\x07evil\u202e';
  const hostileMessage = 'ValueError: \x1b[2J\x1b]52;c;ZWNobw==\x07\u009b31m';
  const hostile = () => {
    const a = analysis([
      lf({
        name: hostileName,
        errors: 3,
        noneCount: 2,
        firstError: { kind: 'exception', message: hostileMessage, line: 12, traceback: 'Traceback:\n  line 12\n\x1b[31mValueError\r\n' },
      }),
      lf({ name: 'plain', file: '/ws/other.py', line: 3 }),
    ]);
    a.labels = ['HAM\x1b[8m', 'SPAM\u0085'];
    a.labelModel = { name: 'default', classBalance: [0.5, 0.5], uncoveredRows: 1, chosenBy: 'the default', usedDevSet: false, overrides: [{ narrow: hostileName, broad: 'plain', rows: 4 }] };
    a.fileProblems = [{ file: '/ws/lfs.py', line: 1, message: `LF name '${hostileName}' is also used in other.py` }];
    return a;
  };

  it('lens titles, hovers and diagnostics carry no control character, and say where one was', () => {
    const a = hostile();
    const parts = lensParts(a.lfs[0], a.labels);
    const title = parts.map((p) => p.title).join(' | ');
    assert.equal(hasUnsafeChars(title), false, title);
    assert.match(parts[3].title, /^polarity HAM\uFFFD, SPAM\uFFFD$|polarity SPAM\uFFFD$/);
    const md = hoverMarkdown(a.lfs[0], a);
    assert.equal(hasUnsafeChars(md), false, md);
    assert.ok(md.startsWith(`**${PLACEHOLDER}evil${PLACEHOLDER}** on 1686 sample rows`), md);
    assert.doesNotMatch(md, /pwned/, 'the payload of an escape sequence is dropped, not shown');
    assert.match(hoverMarkdown(a.lfs[1], a), /narrower LFs inside it disagree \(`\uFFFDevil\uFFFD`\)/);
    const d = fileDiagnostics('/ws/lfs.py', a, a.fileProblems);
    assert.equal(d.length, 3);
    for (const x of d) assert.equal(hasUnsafeChars(x.message), false, x.message);
    assert.equal(d[1].message, `${PLACEHOLDER}evil${PLACEHOLDER} failed on 3 of 1686 rows (counted as abstain): ValueError: ${PLACEHOLDER}${PLACEHOLDER}${PLACEHOLDER}`);
    assert.doesNotMatch(d.map((x) => x.message).join('\n'), /ZWNobw/);
  });

  it('keeps a name that would be markdown from becoming a link, HTML or a table cell in the hover', () => {
    const a = analysis([lf({ name: '[click](https://example.com)<img src=x>' })]);
    a.labels = ['A|B', 'C'];
    const md = hoverMarkdown({ ...a.lfs[0], polarity: [0] }, a);
    assert.match(md, /^\*\*\\\[click\\\]\(https:\/\/example\.com\)\\<img src=x\\>\*\* on/);
    assert.match(md, /\| Polarity \| A\\\|B \[0\] \|/);
  });

  it('gives the webviews a sanitised copy of the analysis: names and texts clean, file paths exact, the original untouched', () => {
    const a = hostile();
    const before = structuredClone(a);
    const shown = displayAnalysis(a);
    assert.deepEqual(a, before, 'the engine keeps the exact values');
    for (const text of [
      ...shown.labels,
      ...shown.lfs.flatMap((l) => [l.name, l.firstError?.message ?? '', l.firstError?.traceback ?? '']),
      ...shown.fileProblems.map((p) => p.message),
      ...(shown.labelModel?.overrides ?? []).flatMap((o) => [o.narrow, o.broad]),
    ]) {
      assert.equal(hasUnsafeChars(text), false, JSON.stringify(text));
    }
    assert.equal(shown.lfs[0].name, `${PLACEHOLDER}evil${PLACEHOLDER}`);
    assert.equal(shown.labelModel?.overrides[0].narrow, shown.lfs[0].name, 'overrides name LFs as the table does');
    assert.equal(shown.lfs[0].firstError?.traceback, `Traceback:\n  line 12\n${PLACEHOLDER}ValueError\n`, 'a traceback keeps its lines');
    assert.deepEqual(shown.lfs.map((l) => l.file), ['/ws/lfs.py', '/ws/other.py']);
    assert.equal(displayAnalysis(null), null);
  });

  it('sanitises what a scored candidate raised before the review panel shows it', () => {
    const shown = displayScoreOutcome({
      ok: true,
      score: { coverage: 0.1, estimatedAccuracy: null, devAccuracy: null, devVotes: 0, maxOverlap: 0.2, maxOverlapWith: 'x\x1b[2J', conflict: 0, deltaLabelModelAccuracy: null, deltaCoverage: 0, polarity: [1], errors: 2, firstError: 'KeyError: \x1b]0;t\x07', timedOut: false, exampleRows: [] },
    });
    assert.ok(shown.ok);
    assert.equal(shown.score.firstError, `KeyError: ${PLACEHOLDER}`);
    assert.equal(shown.score.maxOverlapWith, `x${PLACEHOLDER}`);
    assert.deepEqual(displayScoreOutcome({ ok: false, error: 'boom\x07' }), { ok: false, error: `boom${PLACEHOLDER}` });
  });
});
