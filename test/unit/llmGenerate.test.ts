import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGenerateCommand } from '../../lf-runtime/src/cli/generateCommand.ts';
import { createAnthropicClient } from '../../lf-runtime/src/llm/anthropicClient.ts';
import { generateLfs, rescoreEdited, setDecision } from '../../lf-runtime/src/llm/generateLfs.ts';
import { listGenerations, loadGeneration, saveGeneration } from '../../lf-runtime/src/llm/generationStore.ts';
import { buildPrompt } from '../../lf-runtime/src/llm/promptBuilder.ts';
import type { CandidateScorer } from '../../lf-runtime/src/llm/candidateScoring.ts';
import type { Row } from '../../lf-runtime/src/data/types.ts';
import type { LfExecutor } from '../../lf-runtime/src/sandbox/types.ts';
import { startFakeAnthropic } from '../support/fakeAnthropic.ts';
import { sandboxParser } from '../support/sandboxParser.ts';

const KEY = 'sk-ant-secret-abcdef0123456789';
const YT = 'test/fixtures/wrench/youtube';
const REPLY = [
  'Three ideas.',
  '```python',
  'import re',
  'from snorkel.labeling import labeling_function',
  'ABSTAIN, HAM, SPAM = -1, 0, 1',
  '',
  '@labeling_function()',
  'def dotcom(x):',
  '    return SPAM if re.search(r"\\.com", x.text, re.I) else ABSTAIN',
  '',
  '@labeling_function()',
  'def keyword_my(x):',
  '    return SPAM if "my" in x.text.lower() else ABSTAIN',
  '',
  '@labeling_function()',
  'def subscribe_ham(x):',
  '    return HAM if "subscribe" in x.text.lower() else ABSTAIN',
  '```',
].join('\n');

/** JS stand-ins for the candidates' Python, keyed by function name (the real executor runs Python). */
const STAND_INS: Record<string, (t: string) => number> = {
  keyword_my: (t) => (t.toLowerCase().includes('my') ? 1 : -1),
  keyword_song: (t) => (t.toLowerCase().includes('song') ? 0 : -1),
  dotcom: (t) => (/\.com/i.test(t) ? 1 : -1),
  keyword_my_2: (t) => (t.toLowerCase().includes('my') ? 1 : -1),
  subscribe_ham: (t) => (t.toLowerCase().includes('subscribe') ? 0 : -1),
};

function standInExecutor(): LfExecutor & { sources: string[] } {
  const rows: Record<string, Row[]> = {};
  const sources: string[] = [];
  return {
    sources,
    async loadRows(key, r) { rows[key] = r; },
    async runFile(o) {
      sources.push(o.source);
      const names = [...o.source.matchAll(/^def (\w+)\(/gm)].map((m) => m[1]!);
      const data = rows[o.datasetKey] ?? [];
      const lfs = names.map((name, j) => ({
        name, line: j + 1, votes: Int8Array.from(data.map((r) => STAND_INS[name]!(String(r.fields.text)))),
        errors: 0, errorRowIds: [], firstError: null, noneCount: 0, timedOut: false, durationMs: 1,
      }));
      return { file: o.file, lfs, fileError: null, durationMs: 1 };
    },
    async isolation() { return { separateProcess: true, environmentScrubbed: true, nodePermissionModel: false, networkNamespace: false, pyodideBridgesRemoved: true, memoryCapMb: null }; },
    async dispose() {},
  };
}

function workspace(): { dir: string; lfs: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lfgen-'));
  const lfs = join(dir, 'lfs.py');
  writeFileSync(lfs, 'from snorkel.labeling import labeling_function\n\n@labeling_function()\ndef keyword_my(x):\n    return 1 if "my" in x.text.lower() else -1\n\n@labeling_function()\ndef keyword_song(x):\n    return 0 if "song" in x.text.lower() else -1\n');
  return { dir, lfs };
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s) }, out, err };
}

test('CLI: --json lists every candidate with its numbers, saves the generation, never writes the key', async () => {
  const fake = await startFakeAnthropic([{ kind: 'reply', text: REPLY, usage: { input_tokens: 900, output_tokens: 200 } }], { expectedKey: KEY });
  try {
    const { dir, lfs } = workspace();
    const c = capture();
    const exec = standInExecutor();
    const code = await runGenerateCommand(
      ['--lfs', lfs, '--data', `${YT}/train.json`, '--dev', `${YT}/valid.json`, '--task', 'Spam or ham comments', '--n', '3', '--json', '--workspace', dir],
      c.io,
      { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: fake.url },
      { createExecutor: () => exec, parser: sandboxParser() },
    );
    assert.equal(code, 0, c.err.join(''));
    const json = JSON.parse(c.out.join('')) as { candidates: { name: string; accepted: boolean; reason: string; coverage: number; devAccuracy: number | null; code: string }[]; usage: { inputTokens: number; costUsd: number | null }; savedTo: string };
    assert.deepEqual(json.candidates.map((x) => x.name).sort(), ['dotcom', 'keyword_my_2', 'subscribe_ham']);
    const copy = json.candidates.find((x) => x.name === 'keyword_my_2')!;
    assert.equal(copy.accepted, false);
    assert.match(copy.reason, /overlaps keyword_my on 100%/);
    const wrongClass = json.candidates.find((x) => x.name === 'subscribe_ham')!;
    assert.equal(wrongClass.accepted, false);
    assert.match(wrongClass.reason, /dev accuracy/);
    assert.ok(json.candidates.every((x) => typeof x.coverage === 'number' && 'devAccuracy' in x));
    assert.equal(json.usage.inputTokens, 900);
    // The prompt carried the existing LFs (tier "lfs" by default) and dev examples.
    const prompt = String(fake.requests[0]!.body?.messages && JSON.stringify(fake.requests[0]!.body.messages));
    assert.match(prompt, /def keyword_song/);
    assert.match(prompt, /\[SPAM\]/);
    // Saved, reloadable, and without the key anywhere.
    const files = readdirSync(join(dir, '.lfstudio', 'generations'));
    assert.equal(files.length, 1);
    const saved = readFileSync(join(dir, '.lfstudio', 'generations', files[0]!), 'utf8');
    assert.ok(!saved.includes(KEY));
    assert.ok(!c.out.join('').includes(KEY) && !c.err.join('').includes(KEY));
    const record = await loadGeneration(json.savedTo);
    assert.equal(record.candidates.length, 3);
    assert.equal(record.reply, REPLY);
    // The sandbox never sees the key either: it only gets LF source.
    assert.ok(exec.sources.every((s) => !s.includes(KEY)));
  } finally {
    await fake.close();
  }
});

test('CLI: --label-field hides a CSV gold column from the LFs and makes the dev set labelled', async () => {
  const fake = await startFakeAnthropic([{ kind: 'reply', text: REPLY }], { expectedKey: KEY });
  try {
    const { dir, lfs } = workspace();
    const c = capture();
    const exec = standInExecutor();
    const loaded: Record<string, Row[]> = {};
    const load = exec.loadRows.bind(exec);
    exec.loadRows = async (key, rows) => {
      loaded[key] = rows;
      await load(key, rows);
    };
    const raw = 'test/fixtures/youtube_raw';
    const args = ['--lfs', lfs, '--data', `${raw}/Youtube01-Psy.csv`, '--dev', `${raw}/Youtube02-KatyPerry.csv`, '--text-field', 'CONTENT', '--task', 't', '--labels', 'HAM,SPAM', '--n', '3', '--json', '--workspace', dir];
    const code = await runGenerateCommand([...args, '--label-field', 'CLASS'], c.io, { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: fake.url }, { createExecutor: () => exec, parser: sandboxParser() });
    assert.equal(code, 0, c.err.join(''));
    for (const key of ['sample', 'dev']) {
      assert.ok(loaded[key]!.length > 0);
      assert.ok(loaded[key]!.every((r) => !('CLASS' in r.fields) && typeof r.fields.CONTENT === 'string'), `${key} rows carry no gold`);
    }
    // Without the flag the gold column would stay visible to LFs and the dev set unlabelled: refused, naming the flag.
    const without = capture();
    const refused = await runGenerateCommand(args, without.io, { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: fake.url }, { createExecutor: standInExecutor, parser: sandboxParser() });
    assert.notEqual(refused, 0);
    assert.match(without.err.join(''), /no gold labels in field "label".*--label-field/);
  } finally {
    await fake.close();
  }
});

test('CLI: a missing key exits non-zero with one line saying how to set it', async () => {
  const { dir, lfs } = workspace();
  const c = capture();
  const code = await runGenerateCommand(['--lfs', lfs, '--data', `${YT}/train.json`, '--task', 't', '--workspace', dir], c.io, {}, { createExecutor: standInExecutor, parser: sandboxParser() });
  assert.notEqual(code, 0);
  const text = c.err.join('');
  assert.equal(text.trim().split('\n').length, 1);
  assert.match(text, /ANTHROPIC_API_KEY/);
});

test('CLI: a rejected key says so and names the variable; the key is not echoed', async () => {
  const fake = await startFakeAnthropic([{ kind: 'reply', text: REPLY }], { expectedKey: 'sk-the-right-one' });
  try {
    const { dir, lfs } = workspace();
    const c = capture();
    const code = await runGenerateCommand(['--lfs', lfs, '--data', `${YT}/train.json`, '--task', 't', '--workspace', dir], c.io, { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: fake.url }, { createExecutor: standInExecutor, parser: sandboxParser() });
    assert.equal(code, 1);
    assert.match(c.err.join(''), /rejected the API key \(401 authentication_error.*ANTHROPIC_API_KEY/);
    assert.ok(!c.err.join('').includes(KEY));
  } finally {
    await fake.close();
  }
});

test('CLI: a reply without code says "no usable code", exits 1, and is still saved', async () => {
  const fake = await startFakeAnthropic([{ kind: 'reply', text: 'Sorry, I would rather describe the rules in prose.' }]);
  try {
    const { dir, lfs } = workspace();
    const c = capture();
    const code = await runGenerateCommand(['--lfs', lfs, '--data', `${YT}/train.json`, '--task', 't', '--workspace', dir], c.io, { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: fake.url }, { createExecutor: standInExecutor, parser: sandboxParser() });
    assert.equal(code, 1);
    assert.match(c.err.join(''), /no usable code/);
    assert.equal((await listGenerations(dir)).length, 1);
  } finally {
    await fake.close();
  }
});

test('CLI: bad arguments name the problem', async () => {
  const c = capture();
  assert.equal(await runGenerateCommand(['--data', 'x.json', '--task', 't'], c.io, { ANTHROPIC_API_KEY: KEY }), 2);
  assert.match(c.err.join(''), /--lfs FILE\.py is required/);
  const d = capture();
  const { lfs } = workspace();
  assert.equal(await runGenerateCommand(['--lfs', lfs, '--data', `${YT}/train.json`, '--task', 't', '--tier', 'all'], d.io, { ANTHROPIC_API_KEY: KEY }), 2);
  assert.match(d.err.join(''), /--tier: unknown prompt tier "all"/);
});

test('pipeline: cancelled mid-request stops, and an edited candidate is re-scored in place', async () => {
  const fake = await startFakeAnthropic([{ kind: 'reply', text: REPLY, delayMs: 5000 }]);
  try {
    const client = createAnthropicClient({ apiKey: KEY, model: 'claude-sonnet-5-5', baseUrl: fake.url });
    const prompt = buildPrompt({ task: 't', labels: ['HAM', 'SPAM'], tier: 'task', mode: { kind: 'general' }, count: 2, textField: 'text' });
    const controller = new AbortController();
    const pending = generateLfs({ client, prompt, labels: ['HAM', 'SPAM'], existingNames: [], scorer: null, parser: sandboxParser(), signal: controller.signal });
    while (fake.requests.length === 0) await new Promise((r) => setImmediate(r));
    controller.abort();
    await assert.rejects(pending, (e: unknown) => e instanceof Error && /cancelled/.test(e.message));
  } finally {
    await fake.close();
  }

  const fast = await startFakeAnthropic([{ kind: 'reply', text: REPLY }]);
  try {
    const client = createAnthropicClient({ apiKey: KEY, model: 'claude-sonnet-5-5', baseUrl: fast.url });
    const prompt = buildPrompt({ task: 't', labels: ['HAM', 'SPAM'], tier: 'task', mode: { kind: 'general' }, count: 2, textField: 'text' });
    // A scorer stand-in: coverage is the code's length share, so an edit visibly changes the numbers.
    const scorer: CandidateScorer = {
      async score(c) {
        return { ok: true, score: { coverage: c.code.length / 1000, estimatedAccuracy: 0.9, devAccuracy: c.code.includes('HAM if') ? 0.3 : 0.9, devVotes: 5, maxOverlap: 0, maxOverlapWith: null, conflict: 0, deltaLabelModelAccuracy: 0, deltaCoverage: 0, polarity: [1], errors: 0, firstError: null, timedOut: false, exampleRows: [] } };
      },
    };
    const record = await generateLfs({ client, prompt, labels: ['HAM', 'SPAM'], existingNames: [], scorer, parser: sandboxParser() });
    const ham = record.candidates.find((c) => c.name === 'subscribe_ham')!;
    assert.equal(ham.passed, false);
    const edited = await rescoreEdited(record, 'subscribe_ham', ham.code.replace('HAM if', 'SPAM if'), scorer, sandboxParser(), []);
    const after = edited.candidates.find((c) => c.name === 'subscribe_ham')!;
    assert.equal(after.passed, true);
    assert.equal(edited.candidates.length, record.candidates.length);
    // An edit that does not parse keeps the candidate's name, with Python's reason, and cannot pass.
    const broken = await rescoreEdited(edited, 'subscribe_ham', 'def subscribe_ham(x:\n    return 0\n', scorer, sandboxParser(), []);
    const kept = broken.candidates.find((c) => c.name === 'subscribe_ham')!;
    assert.match(kept.parseError ?? '', /^code block 1 does not parse: .* \(line 1\)$/);
    assert.equal(kept.passed, false);
    const decided = setDecision(edited, 'dotcom', 'accepted');
    assert.equal(decided.candidates.find((c) => c.name === 'dotcom')!.decision, 'accepted');
    const dir = mkdtempSync(join(tmpdir(), 'lfgen-'));
    const path = await saveGeneration(dir, decided, [KEY]);
    assert.equal((await loadGeneration(path)).candidates.find((c) => c.name === 'dotcom')!.decision, 'accepted');
  } finally {
    await fast.close();
  }
});

test('loading a damaged generation file names the file and the problem', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lfgen-'));
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"version": 2}');
  await assert.rejects(loadGeneration(bad), /bad\.json: not an LF Studio generation: unsupported version 2/);
  writeFileSync(bad, '{oops');
  await assert.rejects(loadGeneration(bad), /bad\.json: not valid JSON/);
});
