import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { extractCandidates } from '../../lf-runtime/src/llm/candidateExtraction.ts';
import { applyInsertionPlan, planInsertion } from '../../lf-runtime/src/llm/insertion.ts';
import { buildGenerationContext } from '../../lf-runtime/src/llm/generationContext.ts';
import type { ProjectSnapshot } from '../../lf-runtime/src/llm/generationContext.ts';
import { labelingFunctionNames } from '../../lf-runtime/src/llm/pythonSource.ts';
import type { Dataset } from '../../lf-runtime/src/data/types.ts';

const USER_FILE = readFileSync('examples/youtube-spam/lfs.py', 'utf8');

const REPLY = '```python\nimport re\nimport string\nfrom snorkel.labeling import labeling_function\nABSTAIN, HAM, SPAM = -1, 0, 1\nURL = re.compile(r"https?://")\n\ndef has_url(t):\n    return URL.search(t) is not None\n\n@labeling_function()\ndef keyword_my(x):\n    return SPAM if has_url(x.text) and string.digits else ABSTAIN\n```';

test('accepting inserts missing imports after the last import, helpers and the renamed LF at the end', () => {
  const [candidate] = extractCandidates(REPLY, { labels: ['HAM', 'SPAM'], existingNames: [] }).candidates;
  assert.equal(candidate!.name, 'keyword_my');
  const plan = planInsertion(USER_FILE, candidate!, []);
  assert.equal(plan.name, 'keyword_my_2', 'the file already defines keyword_my');
  const after = applyInsertionPlan(USER_FILE, plan);
  // `import re` and the labeling_function import are already there; `import string` is not.
  assert.equal(after.match(/^import re$/gm)?.length, 1);
  assert.equal(after.match(/^from snorkel\.labeling import labeling_function$/gm)?.length, 1);
  assert.match(after, /^from snorkel\.labeling import labeling_function\nimport string\n/m);
  // The file's own constants are kept, not redefined.
  assert.equal(after.match(/^ABSTAIN, HAM, SPAM = -1, 0, 1$/gm)?.length, 1);
  assert.match(after, /URL = re\.compile/);
  assert.match(after, /def has_url\(t\):/);
  assert.ok(after.startsWith(USER_FILE.split('\n')[0]!));
  assert.deepEqual(labelingFunctionNames(after), [...labelingFunctionNames(USER_FILE), 'keyword_my_2']);
  const lines = after.split('\n');
  assert.equal(lines[plan.functionLine - 1], '@labeling_function()');
  assert.equal(lines[plan.functionLine], 'def keyword_my_2(x):');
  assert.ok(after.endsWith('ABSTAIN\n'));
});

test('names taken elsewhere in the project are avoided too, and an empty file gets a clean start', () => {
  const [candidate] = extractCandidates(REPLY, { labels: ['HAM', 'SPAM'], existingNames: [] }).candidates;
  const plan = planInsertion('', candidate!, ['keyword_my', 'keyword_my_2']);
  assert.equal(plan.name, 'keyword_my_3');
  const after = applyInsertionPlan('', plan);
  assert.match(after, /^import re\nimport string\nfrom snorkel\.labeling import labeling_function\n/);
  assert.match(after, /ABSTAIN = -1|ABSTAIN, HAM, SPAM = -1, 0, 1/);
});

test('a candidate that does not parse cannot be inserted', () => {
  assert.throws(
    () => planInsertion(USER_FILE, { name: 'b', originalName: null, code: '', functionCode: '', support: [], parseError: 'unclosed "("' }, []),
    /cannot be inserted: unclosed/,
  );
});

function dataset(texts: string[], gold: number[] | null): Dataset {
  return { path: '/d.json', rows: texts.map((t, i) => ({ id: String(i), fields: { text: t } })), gold };
}

test('the generation context finds uncovered rows and an LF\'s mistakes and conflicts', () => {
  const sample = dataset(['my channel', 'nice song', 'hello there', 'my song'], null);
  const dev = dataset(['my video is great', 'check my channel', 'subscribe to me'], [0, 1, 1]);
  const project: ProjectSnapshot = {
    task: 'spam', labels: ['HAM', 'SPAM'], labelDescriptions: {}, textField: 'text', sample, dev,
    lfFiles: [{ file: '/w/lfs.py', source: USER_FILE }],
    lfNames: ['keyword_my', 'keyword_song'],
    sampleVotes: [Int8Array.from([1, -1, -1, 1]), Int8Array.from([-1, 0, -1, 0])],
    devVotes: [Int8Array.from([1, 1, -1]), Int8Array.from([-1, -1, -1])],
  };
  const uncovered = buildGenerationContext(project, { tier: 'task', mode: 'uncovered' });
  assert.deepEqual(uncovered.uncoveredRows.map((r) => r.text), ['hello there']);
  assert.ok(uncovered.existingNames.includes('short_comment'));
  assert.deepEqual(uncovered.lfFiles, ['/w/lfs.py']);
  const improve = buildGenerationContext(project, { tier: 'task', mode: 'improve', lfName: 'keyword_my' });
  const t = improve.improveTarget!;
  assert.deepEqual(t.falsePositives, [{ text: 'my video is great', voted: 'SPAM', gold: 'HAM' }]);
  assert.deepEqual(t.falseNegatives, [{ text: 'subscribe to me', gold: 'SPAM' }]);
  assert.deepEqual(t.conflicts, [{ text: 'my song', otherLf: 'keyword_song', otherVote: 'HAM' }]);
  assert.match(t.code, /def keyword_my/);
  assert.throws(() => buildGenerationContext(project, { tier: 'task', mode: 'improve', lfName: 'nope' }), /no LF named nope/);
});
