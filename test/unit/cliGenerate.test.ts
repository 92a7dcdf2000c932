// `lf-studio generate`: where the class names in the prompt come from (--labels, --project lfstudio.json),
// refusing ids as names, and a project's settings and LF files reaching the model. The Messages API is the
// local stand-in (test/support/fakeAnthropic.ts); the sandbox is a JS stand-in that votes on a keyword.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { runGenerateCommand } from '../../lf-runtime/src/cli/generateCommand.ts';
import type { Row } from '../../lf-runtime/src/data/types.ts';
import type { LfExecutor, RunFileOptions } from '../../lf-runtime/src/sandbox/types.ts';
import { startFakeAnthropic, type FakeAnthropic } from '../support/fakeAnthropic.ts';
import { sandboxParser } from '../support/sandboxParser.ts';

const repo = join(import.meta.dirname, '..', '..');
const RAW = join(repo, 'test', 'fixtures', 'youtube_raw');
const SAMPLE = join(RAW, 'Youtube01-Psy.csv');
const DEV = join(RAW, 'Youtube02-KatyPerry.csv');
const KEY = 'sk-ant-test-0123456789abcdef';
const REPLY = [
  '```python',
  'from snorkel.labeling import labeling_function',
  'ABSTAIN, HAM, SPAM = -1, 0, 1',
  '',
  '@labeling_function()',
  'def mentions_check(x):',
  '    return SPAM if "check" in x.CONTENT.lower() else ABSTAIN',
  '```',
].join('\n');

/** Votes 1 where the row's text holds the keyword after `kw_` in the LF's name, else "check". */
function standInExecutor(): LfExecutor & { calls: RunFileOptions[]; rows: Record<string, Row[]> } {
  const rows: Record<string, Row[]> = {};
  const calls: RunFileOptions[] = [];
  return {
    calls,
    rows,
    async loadRows(key, r) {
      rows[key] = r;
    },
    async runFile(o) {
      calls.push(o);
      const names = [...o.source.matchAll(/^def (\w+)\(/gm)].map((m) => m[1]!);
      const lfs = names.map((name, j) => {
        const keyword = name.startsWith('kw_') ? name.slice(3) : 'check';
        const votes = Int8Array.from((rows[o.datasetKey] ?? []).map((r) => (Object.values(r.fields).join(' ').toLowerCase().includes(keyword) ? 1 : -1)));
        return { name, line: j + 1, votes, errors: 0, errorRowIds: [], firstError: null, noneCount: 0, timedOut: false, durationMs: 1 };
      });
      return { file: o.file, lfs, fileError: null, durationMs: 1 };
    },
    async isolation() {
      return { separateProcess: true, environmentScrubbed: true, nodePermissionModel: false, networkNamespace: false, pyodideBridgesRemoved: true, memoryCapMb: null };
    },
    async dispose() {},
  };
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s) }, out: () => out.join(''), err: () => err.join('') };
}

const lfFile = (dir: string, name: string, fn: string) => {
  const path = join(dir, name);
  writeFileSync(path, `from snorkel.labeling import labeling_function\n\n@labeling_function()\ndef ${fn}(x):\n    return 1 if "${fn.slice(3)}" in x.CONTENT.lower() else -1\n`);
  return path;
};

/** A project folder: lfstudio.json with names, a description, the raw YouTube CSVs and two LF files. */
function project(): { dir: string; files: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'lfgen-project-'));
  const files = [lfFile(dir, 'lfs_a.py', 'kw_subscribe'), lfFile(dir, 'lfs_b.py', 'kw_song')];
  writeFileSync(
    join(dir, 'lfstudio.json'),
    JSON.stringify({
      task: 'Is a YouTube comment spam promoting something?',
      labels: ['HAM', 'SPAM'],
      labelDescriptions: { SPAM: 'promotes a channel, a product or a link' },
      data: { sample: SAMPLE, dev: DEV },
      textField: 'CONTENT',
      labelField: 'CLASS',
      lfFiles: ['lfs_*.py'],
    }),
  );
  return { dir, files };
}

/** The prompt of the one request the stand-in server got: system text and user message. */
function promptOf(fake: FakeAnthropic): { system: string; user: string } {
  assert.equal(fake.requests.length, 1);
  const body = fake.requests[0]!.body ?? {};
  const system = typeof body.system === 'string' ? body.system : JSON.stringify(body.system);
  return { system, user: JSON.stringify(body.messages) };
}

const env = (fake: FakeAnthropic) => ({ ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: fake.url });

describe('lf-studio generate: class names', () => {
  it('refuses class ids as names without --labels or --project, naming both, and sends nothing', async () => {
    const fake = await startFakeAnthropic([{ kind: 'reply', text: REPLY }]);
    try {
      const dir = mkdtempSync(join(tmpdir(), 'lfgen-'));
      const lfs = lfFile(dir, 'lfs.py', 'kw_song');
      const base = ['--lfs', lfs, '--data', SAMPLE, '--text-field', 'CONTENT', '--task', 'spam?', '--workspace', dir];
      // Gold labels in CLASS give ids 0 and 1, never names.
      const ids = capture();
      assert.equal(await runGenerateCommand([...base, '--dev', DEV, '--label-field', 'CLASS'], ids.io, env(fake), { createExecutor: standInExecutor, parser: sandboxParser() }), 2);
      assert.match(ids.err(), /no class names for the prompt: the data only gives the class ids 0, 1; pass --labels .* or --project lfstudio\.json/);
      assert.equal(ids.err().trim().split('\n').length, 1, ids.err());
      // No gold field at all: nothing says what the classes are.
      const none = capture();
      assert.equal(await runGenerateCommand(base, none.io, env(fake), { createExecutor: standInExecutor, parser: sandboxParser() }), 2);
      assert.match(none.err(), /no class names for the prompt: the data does not say which classes there are; pass --labels .* or --project lfstudio\.json/);
      assert.equal(fake.requests.length, 0, 'no prompt with made-up names was sent');
      assert.equal(existsSync(join(dir, '.lfstudio')), false);
    } finally {
      await fake.close();
    }
  });

  it('--labels names the classes in the prompt, in class-id order', async () => {
    const fake = await startFakeAnthropic([{ kind: 'reply', text: REPLY }]);
    try {
      const dir = mkdtempSync(join(tmpdir(), 'lfgen-'));
      const lfs = lfFile(dir, 'lfs.py', 'kw_song');
      const c = capture();
      const args = ['--lfs', lfs, '--data', SAMPLE, '--dev', DEV, '--text-field', 'CONTENT', '--label-field', 'CLASS', '--task', 'spam?', '--labels', 'LEGIT,PROMO', '--n', '1', '--json', '--workspace', dir];
      assert.equal(await runGenerateCommand(args, c.io, env(fake), { createExecutor: standInExecutor, parser: sandboxParser() }), 0, c.err());
      const { system, user } = promptOf(fake);
      assert.match(user, /- LEGIT = 0\\n- PROMO = 1/);
      assert.match(system, /ABSTAIN = -1, LEGIT = 0, PROMO = 1/);
      assert.doesNotMatch(user, /- 0 = 0/);
    } finally {
      await fake.close();
    }
  });

  it('--project takes task, labels, descriptions, data, fields and every LF file from lfstudio.json', async () => {
    const fake = await startFakeAnthropic([{ kind: 'reply', text: REPLY }]);
    try {
      const { dir, files } = project();
      const exec = standInExecutor();
      const c = capture();
      const code = await runGenerateCommand(['--project', join(dir, 'lfstudio.json'), '--n', '1', '--json'], c.io, env(fake), { createExecutor: () => exec, parser: sandboxParser() });
      assert.equal(code, 0, c.err());
      const { system, user } = promptOf(fake);
      assert.match(user, /- HAM = 0\\n- SPAM = 1: promotes a channel, a product or a link/);
      assert.match(system, /ABSTAIN = -1, HAM = 0, SPAM = 1/);
      assert.doesNotMatch(user, /- 0 = 0|- 1 = 1/);
      assert.match(user, /Is a YouTube comment spam promoting something\?/);
      assert.match(system, /x\.CONTENT/);
      assert.match(user, /def kw_subscribe\(x\)[\s\S]*def kw_song\(x\)/, 'existing LFs of both files, in project order');
      // Each project LF file ran once on the sample and once on the dev set, the gold column hidden.
      const existing = exec.calls.filter((o) => files.includes(o.file));
      assert.deepEqual(existing.map((o) => [o.file, o.datasetKey]), [[files[0], 'sample'], [files[0], 'dev'], [files[1], 'sample'], [files[1], 'dev']]);
      for (const key of ['sample', 'dev']) {
        assert.ok(exec.rows[key]!.length > 0);
        assert.ok(exec.rows[key]!.every((r) => !('CLASS' in r.fields) && typeof r.fields.CONTENT === 'string'), `${key} rows carry no gold`);
      }
      // The candidate was scored against both files' LFs; the generation is saved in the project folder.
      const json = JSON.parse(c.out()) as { candidates: { name: string; coverage: number }[]; savedTo: string };
      assert.deepEqual(json.candidates.map((x) => x.name), ['mentions_check']);
      assert.ok(json.candidates[0]!.coverage > 0);
      assert.equal(readdirSync(join(dir, '.lfstudio', 'generations')).length, 1);
      assert.ok(json.savedTo.startsWith(join(dir, '.lfstudio', 'generations')));
      assert.match(readFileSync(json.savedTo, 'utf8'), /"HAM"/);
    } finally {
      await fake.close();
    }
  });

  it('flags given with --project win over its settings', async () => {
    const fake = await startFakeAnthropic([{ kind: 'reply', text: REPLY }]);
    try {
      const { dir, files } = project();
      const exec = standInExecutor();
      const c = capture();
      const args = ['--project', dir, '--labels', 'OK,BAD', '--task', 'Flag the bad ones', '--lfs', files[1]!, '--n', '1', '--json'];
      assert.equal(await runGenerateCommand(args, c.io, env(fake), { createExecutor: () => exec, parser: sandboxParser() }), 0, c.err());
      const { user } = promptOf(fake);
      assert.match(user, /- OK = 0\\n- BAD = 1/);
      assert.match(user, /Flag the bad ones/);
      assert.doesNotMatch(user, /kw_subscribe/, 'only the --lfs file');
      assert.deepEqual([...new Set(exec.calls.filter((o) => files.includes(o.file)).map((o) => o.file))], [files[1]]);
    } finally {
      await fake.close();
    }
  });

  it('says what is wrong with --project', async () => {
    const { dir } = project();
    const other = join(dir, 'settings.json');
    writeFileSync(other, '{}');
    const broken = mkdtempSync(join(tmpdir(), 'lfgen-broken-'));
    writeFileSync(join(broken, 'lfstudio.json'), JSON.stringify({ labels: ['ONLY'], data: { sample: SAMPLE } }));
    const cases: [string, RegExp, number][] = [
      [join(dir, 'nope.json'), /--project .*nope\.json: file not found \(give the path of lfstudio\.json or its folder\)/, 2],
      [other, /--project .*settings\.json: expected a file named lfstudio\.json/, 2],
      [broken, /--project .*: lfstudio\.json: .*labels/, 1],
    ];
    for (const [path, pattern, expected] of cases) {
      const c = capture();
      assert.equal(await runGenerateCommand(['--project', path], c.io, { ANTHROPIC_API_KEY: KEY }, { createExecutor: standInExecutor, parser: sandboxParser() }), expected, c.err());
      assert.match(c.err(), pattern);
      assert.equal(c.err().trim().split('\n').length, 1, c.err());
    }
  });
});

// The SDK is its own bundle (dist/anthropic-sdk.js), loaded by the command only when it talks to the model: the
// real `lf-studio` process, sandbox included, must find it, stream a reply through it and classify its errors.
describe('lf-studio generate as a process (the bundled SDK, loaded on first use)', () => {
  const run = promisify(execFile);
  const generate = async (fake: FakeAnthropic, dir: string) => {
    const lfs = lfFile(dir, 'lfs.py', 'kw_song');
    const args = ['--lfs', lfs, '--data', SAMPLE, '--text-field', 'CONTENT', '--task', 'spam?', '--labels', 'HAM,SPAM', '--n', '1', '--json', '--workspace', dir];
    try {
      const { stdout, stderr } = await run(process.execPath, [join(repo, 'bin', 'lf-studio.js'), 'generate', ...args], {
        env: { ...process.env, ...env(fake) },
        timeout: 180_000,
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  };

  it('streams a reply and scores the candidate it holds', async () => {
    const fake = await startFakeAnthropic([{ kind: 'reply', text: REPLY }]);
    try {
      const r = await generate(fake, mkdtempSync(join(tmpdir(), 'lfgen-process-')));
      assert.equal(r.code, 0, r.stderr);
      assert.equal(fake.requests.length, 1);
      assert.match(r.stdout, /mentions_check/);
    } finally {
      await fake.close();
    }
  });

  it('names a rejected key as such, without retrying', async () => {
    const fake = await startFakeAnthropic([{ kind: 'error', status: 401, errorType: 'authentication_error', message: 'invalid x-api-key' }]);
    try {
      const r = await generate(fake, mkdtempSync(join(tmpdir(), 'lfgen-process-')));
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /rejected the API key \(401 authentication_error: invalid x-api-key\)/);
      assert.equal(fake.requests.length, 1);
    } finally {
      await fake.close();
    }
  });
});
