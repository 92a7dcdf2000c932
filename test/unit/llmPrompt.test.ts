import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPrompt, parsePromptTier, pythonConstant, sampleExamples } from '../../lf-runtime/src/llm/promptBuilder.ts';
import type { PromptInput } from '../../lf-runtime/src/llm/types.ts';
import type { Row } from '../../lf-runtime/src/data/types.ts';

const base: PromptInput = {
  task: 'Classify YouTube comments as spam or ham.',
  labels: ['HAM', 'SPAM'],
  labelDescriptions: { HAM: 'A genuine comment.', SPAM: 'Self-promotion or links.' },
  tier: 'task',
  mode: { kind: 'general' },
  examples: [{ id: '1', text: 'check out my channel', label: 'SPAM' }],
  existingLfs: [{ name: 'keyword_my', code: '@labeling_function()\ndef keyword_my(x):\n    return SPAM if "my" in x.text.lower() else ABSTAIN' }],
  heuristics: 'Comments with a URL are almost always spam.',
  count: 4,
  textField: 'text',
};

test('each tier adds its context on top of the previous ones', () => {
  const task = buildPrompt({ ...base, tier: 'task' }).user;
  assert.match(task, /Classify YouTube comments/);
  assert.match(task, /- HAM = 0\n- SPAM = 1/);
  assert.doesNotMatch(task, /genuine comment|check out my channel|keyword_my|URL/);

  const labels = buildPrompt({ ...base, tier: 'labels' }).user;
  assert.match(labels, /- SPAM = 1: Self-promotion or links\./);
  assert.doesNotMatch(labels, /check out my channel/);

  const examples = buildPrompt({ ...base, tier: 'examples' }).user;
  assert.match(examples, /\[SPAM\] "check out my channel"/);
  assert.doesNotMatch(examples, /def keyword_my/);

  const lfs = buildPrompt({ ...base, tier: 'lfs' }).user;
  assert.match(lfs, /def keyword_my/);
  assert.match(lfs, /do not reuse\): keyword_my/);
  assert.doesNotMatch(lfs, /URL/);

  const all = buildPrompt({ ...base, tier: 'heuristics' }).user;
  assert.match(all, /Heuristics from the user\nComments with a URL/);
  assert.match(all, /Write 4 new labeling functions/);
});

test('the system prompt fixes the reply format and the row shape', () => {
  const p = buildPrompt({ ...base, textField: 'content' });
  assert.match(p.system, /x\.content/);
  assert.match(p.system, /```python fenced block per labeling function/);
  assert.match(p.system, /ABSTAIN = -1, HAM = 0, SPAM = 1/);
});

test('targeted modes: uncovered rows, and improving one LF from its mistakes', () => {
  const uncovered = buildPrompt({ ...base, mode: { kind: 'uncovered', rows: [{ id: '9', text: 'subscribe pls', label: null }] } });
  assert.equal(uncovered.mode, 'uncovered');
  assert.match(uncovered.user, /No existing labeling function votes on the rows below/);
  assert.match(uncovered.user, /"subscribe pls"/);

  const improve = buildPrompt({
    ...base,
    count: 1,
    mode: {
      kind: 'improve',
      target: {
        name: 'keyword_my',
        code: 'def keyword_my(x): ...',
        falsePositives: [{ text: 'my favourite song', voted: 'SPAM', gold: 'HAM' }],
        falseNegatives: [{ text: 'visit www.x.com', gold: 'SPAM' }],
        conflicts: [{ text: 'my song', otherLf: 'keyword_song', otherVote: 'HAM' }],
      },
    },
  });
  assert.match(improve.user, /Improve the labeling function `keyword_my`/);
  assert.match(improve.user, /voted SPAM, truly HAM: "my favourite song"/);
  assert.match(improve.user, /truly SPAM: "visit www\.x\.com"/);
  assert.match(improve.user, /keyword_song says HAM: "my song"/);
});

test('bad input is refused with what to fix', () => {
  assert.throws(() => buildPrompt({ ...base, task: ' ' }), /task description is empty/);
  assert.throws(() => buildPrompt({ ...base, labels: ['ONLY'] }), /at least two labels/);
  assert.throws(() => parsePromptTier('everything'), /use one of task, labels, examples, lfs, heuristics/);
  assert.equal(pythonConstant('not spam'), 'NOT_SPAM');
  assert.equal(pythonConstant('1'), 'LABEL_1');
});

test('examples are sampled per class from labeled rows, deterministically', () => {
  const rows: Row[] = Array.from({ length: 40 }, (_, i) => ({ id: String(i), fields: { text: `row ${i}` } }));
  const gold = rows.map((_, i) => (i < 30 ? 0 : 1));
  const a = sampleExamples({ rows, gold, labels: ['HAM', 'SPAM'], textField: 'text', perClass: 3, seed: 7 });
  const b = sampleExamples({ rows, gold, labels: ['HAM', 'SPAM'], textField: 'text', perClass: 3, seed: 7 });
  assert.deepEqual(a, b);
  assert.equal(a.filter((e) => e.label === 'HAM').length, 3);
  assert.equal(a.filter((e) => e.label === 'SPAM').length, 3);
  for (const e of a) assert.equal(e.label === 'SPAM', Number(e.id) >= 30);
  const unlabeled = sampleExamples({ rows, gold: null, labels: ['HAM', 'SPAM'], textField: 'text', perClass: 3 });
  assert.equal(unlabeled.length, 6);
  assert.ok(unlabeled.every((e) => e.label === null));
});
