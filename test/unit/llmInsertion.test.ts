// Accepting a candidate into an LF file, and the generation context's view of the project's LFs, read through
// Python's own parser in the real sandbox.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { extractCandidates } from '../../lf-runtime/src/llm/candidateExtraction.ts';
import { applyInsertionPlan, planInsertion } from '../../lf-runtime/src/llm/insertion.ts';
import { buildGenerationContext } from '../../lf-runtime/src/llm/generationContext.ts';
import type { ProjectSnapshot } from '../../lf-runtime/src/llm/generationContext.ts';
import { lfNames } from '../../lf-runtime/src/llm/pythonSource.ts';
import type { Candidate } from '../../lf-runtime/src/llm/types.ts';
import type { Dataset } from '../../lf-runtime/src/data/types.ts';
import { sandboxParser } from '../support/sandboxParser.ts';

const USER_FILE = readFileSync('examples/youtube-spam/lfs.py', 'utf8');

const REPLY = '```python\nimport re\nimport string\nfrom snorkel.labeling import labeling_function\nABSTAIN, HAM, SPAM = -1, 0, 1\nURL = re.compile(r"https?://")\n\ndef has_url(t):\n    return URL.search(t) is not None\n\n@labeling_function()\ndef keyword_my(x):\n    return SPAM if has_url(x.text) and string.digits else ABSTAIN\n```';

/** Snorkel's names of a text's LFs, from the sandbox's parser. */
async function namesIn(text: string): Promise<string[]> {
  const [outcome] = await sandboxParser().parsePython([text]);
  assert.ok(outcome!.ok, text);
  return outcome!.ok ? lfNames(outcome!.structure) : [];
}

async function candidateOf(reply: string, existingNames: string[] = []): Promise<Candidate> {
  const { candidates } = await extractCandidates(reply, { labels: ['HAM', 'SPAM'], existingNames, parser: sandboxParser() });
  assert.equal(candidates.length, 1);
  assert.equal(candidates[0]!.parseError, null);
  return candidates[0]!;
}

test('accepting inserts missing imports after the last import, helpers and the renamed LF at the end', async () => {
  const candidate = await candidateOf(REPLY);
  assert.equal(candidate.name, 'keyword_my');
  const plan = await planInsertion(USER_FILE, candidate, [], sandboxParser());
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
  assert.deepEqual(await namesIn(after), [...(await namesIn(USER_FILE)), 'keyword_my_2']);
  const lines = after.split('\n');
  assert.equal(lines[plan.functionLine - 1], '@labeling_function()');
  assert.equal(lines[plan.functionLine], 'def keyword_my_2(x):');
  assert.ok(after.endsWith('ABSTAIN\n'));
});

test('names taken elsewhere in the project are avoided too, and an empty file gets a clean start', async () => {
  const candidate = await candidateOf(REPLY);
  const plan = await planInsertion('', candidate, ['keyword_my', 'keyword_my_2'], sandboxParser());
  assert.equal(plan.name, 'keyword_my_3');
  const after = applyInsertionPlan('', plan);
  assert.match(after, /^import re\nimport string\nfrom snorkel\.labeling import labeling_function\n/);
  assert.match(after, /ABSTAIN = -1|ABSTAIN, HAM, SPAM = -1, 0, 1/);
  assert.deepEqual(await namesIn(after), ['keyword_my_3']);
});

test('a candidate that does not parse cannot be inserted', async () => {
  await assert.rejects(
    planInsertion(USER_FILE, { name: 'b', originalName: null, code: '', functionCode: '', support: [], parseError: 'unclosed "("' }, [], sandboxParser()),
    /cannot be inserted: unclosed/,
  );
});

const GUARDED_FILE = [
  '"""LFs that need an optional package."""',
  'try:',
  '    import regex as re',
  'except ImportError:',
  '    import re',
  'from snorkel.labeling import labeling_function',
  '',
  'if re:',
  '    @labeling_function()',
  '    def keyword_my(x):',
  '        return 1 if re.search("my", x.text) else -1',
  '',
].join('\n');

test('an LF the file defines under a top-level if still takes its name; names bound under try count as defined', async () => {
  const candidate = await candidateOf(REPLY);
  const plan = await planInsertion(GUARDED_FILE, candidate, [], sandboxParser());
  assert.equal(plan.name, 'keyword_my_2');
  const after = applyInsertionPlan(GUARDED_FILE, plan);
  // `re` is bound by the try statement, so `import re` is not added; `import string` goes after the last import.
  assert.doesNotMatch(after, /^import re$/m);
  assert.match(after, /^from snorkel\.labeling import labeling_function\nimport string\n/m);
  assert.deepEqual(await namesIn(after), ['keyword_my', 'keyword_my_2']);
  assert.equal(after.split('\n')[plan.functionLine], 'def keyword_my_2(x):');
});

test('without imports in the file, new imports go after its docstring', async () => {
  const file = '"""My LFs.\n\nMore words."""\n\nWORDS = ["a"]\n';
  const candidate = await candidateOf(REPLY);
  const plan = await planInsertion(file, candidate, [], sandboxParser());
  const after = applyInsertionPlan(file, plan);
  assert.ok(after.startsWith('"""My LFs.\n\nMore words."""\nimport re\nimport string\nfrom snorkel.labeling import labeling_function\n\nWORDS = ["a"]\n'), after);
});

test('a file that does not parse right now still gets the candidate: support it holds verbatim is left out', async () => {
  const broken = 'import re\nfrom snorkel.labeling import labeling_function\n\ndef half_written(x:\n';
  const candidate = await candidateOf(REPLY);
  const plan = await planInsertion(broken, candidate, ['keyword_my'], sandboxParser());
  assert.equal(plan.name, 'keyword_my_2', 'names the project has are still avoided');
  assert.equal(plan.insertions.length, 1, 'everything goes at the end');
  const after = applyInsertionPlan(broken, plan);
  assert.ok(after.startsWith(broken));
  const added = after.slice(broken.length);
  assert.match(added, /^\n\nimport string\n\nABSTAIN, HAM, SPAM = -1, 0, 1\n/);
  assert.doesNotMatch(added, /^import re$|^from snorkel/m);
  assert.match(added, /def keyword_my_2\(x\):/);
});

test('an instance LF is renamed in its name literal when the file has that name', async () => {
  const reply =
    '```python\nfrom snorkel.labeling import LabelingFunction\ndef has_free(x):\n    return 1 if "free" in x.text else -1\nfree = LabelingFunction(name="keyword_my", f=has_free)\n```';
  const candidate = await candidateOf(reply);
  const plan = await planInsertion(USER_FILE, candidate, [], sandboxParser());
  assert.equal(plan.name, 'keyword_my_2');
  const after = applyInsertionPlan(USER_FILE, plan);
  assert.match(after, /^from snorkel\.labeling import labeling_function\nfrom snorkel\.labeling import LabelingFunction\n/m);
  assert.ok(after.endsWith('def has_free(x):\n    return 1 if "free" in x.text else -1\n\n\nfree = LabelingFunction(name="keyword_my_2", f=has_free)\n'), after);
  assert.deepEqual((await namesIn(after)).slice(-1), ['keyword_my_2']);
  assert.equal(after.split('\n')[plan.functionLine - 1], 'free = LabelingFunction(name="keyword_my_2", f=has_free)');
});

function dataset(texts: string[], gold: number[] | null): Dataset {
  return { path: '/d.json', rows: texts.map((t, i) => ({ id: String(i), fields: { text: t } })), gold };
}

test('the generation context finds uncovered rows and an LF\'s mistakes and conflicts', async () => {
  const sample = dataset(['my channel', 'nice song', 'hello there', 'my song'], null);
  const dev = dataset(['my video is great', 'check my channel', 'subscribe to me'], [0, 1, 1]);
  const project: ProjectSnapshot = {
    task: 'spam', labels: ['HAM', 'SPAM'], labelDescriptions: {}, textField: 'text', sample, dev,
    lfFiles: [{ file: '/w/lfs.py', source: USER_FILE }],
    lfNames: ['keyword_my', 'keyword_song'],
    sampleVotes: [Int8Array.from([1, -1, -1, 1]), Int8Array.from([-1, 0, -1, 0])],
    devVotes: [Int8Array.from([1, 1, -1]), Int8Array.from([-1, -1, -1])],
  };
  const uncovered = await buildGenerationContext(project, { tier: 'task', mode: 'uncovered' }, sandboxParser());
  assert.deepEqual(uncovered.uncoveredRows.map((r) => r.text), ['hello there']);
  assert.ok(uncovered.existingNames.includes('short_comment'));
  assert.deepEqual(uncovered.lfFiles, ['/w/lfs.py']);
  const improve = await buildGenerationContext(project, { tier: 'task', mode: 'improve', lfName: 'keyword_my' }, sandboxParser());
  const t = improve.improveTarget!;
  assert.deepEqual(t.falsePositives, [{ text: 'my video is great', voted: 'SPAM', gold: 'HAM' }]);
  assert.deepEqual(t.falseNegatives, [{ text: 'subscribe to me', gold: 'SPAM' }]);
  assert.deepEqual(t.conflicts, [{ text: 'my song', otherLf: 'keyword_song', otherVote: 'HAM' }]);
  assert.equal(t.code, '@labeling_function()\ndef keyword_my(x):\n    return SPAM if "my" in x.text.lower() else ABSTAIN');
  await assert.rejects(buildGenerationContext(project, { tier: 'task', mode: 'improve', lfName: 'nope' }, sandboxParser()), /no LF named nope/);
});

test('the generation context lists LFs under a top-level if or try and LabelingFunction instances, with their code', async () => {
  const guarded = [
    'from snorkel.labeling import LabelingFunction, labeling_function',
    'try:',
    '    @labeling_function(name="custom_name", resources=dict(words=["a"]))',
    '    def in_try(x, words):',
    '        return 1',
    'except ImportError:',
    '    pass',
    'if True:',
    '    @labeling_function()',
    '    def in_if(x):',
    '        return 0',
    'def wrapped(x):',
    '    return -1',
    'inst = LabelingFunction(name="instance_lf", f=wrapped)',
    'LOOKS_LIKE_ONE = "@labeling_function()\\ndef not_an_lf(x):"',
  ].join('\n');
  const project: ProjectSnapshot = {
    task: 'spam', labels: ['HAM', 'SPAM'], labelDescriptions: {}, textField: 'text', sample: dataset(['a', 'b'], null), dev: null,
    // A file that does not parse adds no LFs (the engine reports its syntax error).
    lfFiles: [{ file: '/w/guarded.py', source: guarded }, { file: '/w/broken.py', source: '@labeling_function()\ndef (' }],
    lfNames: ['custom_name', 'in_if', 'instance_lf'],
    sampleVotes: [Int8Array.from([1, -1]), Int8Array.from([0, -1]), Int8Array.from([-1, -1])],
    devVotes: null,
  };
  const context = await buildGenerationContext(project, { tier: 'lfs', mode: 'improve', lfName: 'in_if' }, sandboxParser());
  assert.deepEqual(context.existingLfs.map((l) => l.name), ['custom_name', 'in_if', 'instance_lf']);
  assert.equal(context.existingLfs[0]!.code, '@labeling_function(name="custom_name", resources=dict(words=["a"]))\ndef in_try(x, words):\n    return 1');
  assert.equal(context.existingLfs[2]!.code, 'def wrapped(x):\n    return -1\n\ninst = LabelingFunction(name="instance_lf", f=wrapped)');
  assert.equal(context.improveTarget!.code, '@labeling_function()\ndef in_if(x):\n    return 0');
  assert.deepEqual(context.existingNames, ['custom_name', 'in_if', 'instance_lf']);
});
