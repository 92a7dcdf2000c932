// The sandbox as a boundary between units of trust (an LF file, an LLM candidate), tested from the host: a
// hostile unit runs in the same executor as a control file, the way the language server holds several files,
// and the control file's votes must stay byte-identical to a run in an executor no hostile code ever touched.
// Also: a worker that breaks the protocol cannot write the snapshot, a tampered snapshot is rebuilt, cached
// results are never served to a different text, and memory left by one unit is not charged to another.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createPythonExecutor } from '../../lf-runtime/src/sandbox/pythonExecutor.ts';
import type { ExecutorEvent, FileRunResult, LfExecutor } from '../../lf-runtime/src/sandbox/types.ts';

const TEXTS = [
  'Check out my channel my friends',
  'nice song',
  'please subscribe http://spam',
  'i love this song so much',
  'CHECK THIS OUT NOW my friends plz please',
  'Katy Perry is the best',
  'my my my what a video',
  'subscribe to me please please',
];
const ROWS = Array.from({ length: 120 }, (_, i) => ({ id: `r${i}`, fields: { text: `${TEXTS[i % TEXTS.length]} ${i % 7 === 0 ? 'my' : ''}`.trim() } }));

// Reads the standard-library state the attacks below go after: json, re's cache, warnings (the invalid
// escape in DIGITS is a SyntaxWarning, an error if a filter says so), decimal, int/str limits, gc, environ,
// Counter, the snorkel wrapper and the row class.
const CONTROL = String.raw`import re, json, decimal, warnings, collections, os, sys, gc
from snorkel.labeling import labeling_function, LabelingFunction
HAM, SPAM = 0, 1
DIGITS = re.compile("\d+")

@labeling_function()
def ctl_regex(x):
    return SPAM if re.search(r"check.*out", x.text, flags=re.I) else -1

@labeling_function()
def ctl_json(x):
    return SPAM if json.loads(json.dumps({"t": x.text}))["t"].lower().count("my") else HAM

@labeling_function()
def ctl_counter(x):
    top = collections.Counter(x.text.lower().split()).most_common(1)
    return SPAM if top and top[0][1] > 1 else -1

@labeling_function()
def ctl_decimal(x):
    return SPAM if decimal.Decimal(len(x.text)) / decimal.Decimal(3) > decimal.Decimal("7.3333") else HAM

@labeling_function()
def ctl_state(x):
    big = len(str(10 ** 4000 + len(x.text))) > 3000
    return SPAM if big and gc.isenabled() and not os.environ.get("LF_LEAK") and not DIGITS.search("abc") else HAM

@labeling_function()
def ctl_row(x):
    return SPAM if "please" in x.text and isinstance(x.text, str) and len(x["text"]) > 5 else -1
`;

const HEADER = `import re, json, decimal, warnings, collections, os, sys, gc
from snorkel.labeling import labeling_function, LabelingFunction
`;

function attempt(lines: string[]): string {
  return lines.map((l) => `try:\n    ${l}\nexcept BaseException:\n    pass\n`).join('');
}

/** Each hostile unit attacks at its top level and again from inside an LF, then votes 1 everywhere. */
const HOSTILE_UNITS: { name: string; attacks: string[] }[] = [
  {
    name: 'json encoder/decoder instance attributes and classes',
    attacks: [
      `json._default_encoder.__dict__["encode"] = lambda o: '{"t": "my my"}'`,
      `json._default_decoder.__dict__["decode"] = lambda s: {"t": "my my"}`,
      `json.JSONEncoder.encode = lambda self, o: '{"t": "my"}'`,
      `json.JSONDecoder.decode = lambda self, s, _w=None: {"t": "my"}`,
    ],
  },
  {
    name: 're cache entries',
    attacks: [
      `re.compile(r"check.*out", re.I); re.compile("\\\\d+"); [c.update({k: re.compile("(?!)")}) for c in (getattr(re, "_cache", {}), getattr(re, "_cache2", {})) for k in list(c)]`,
    ],
  },
  {
    name: 'warnings filters, decimal context, int/str limit, gc, environ',
    attacks: [
      'warnings.simplefilter("error")',
      'warnings.filters.insert(0, ("error", None, Warning, None, 0))',
      'decimal.getcontext().prec = 1',
      'decimal.DefaultContext.prec = 1',
      'sys.set_int_max_str_digits(640)',
      'gc.disable()',
      'os.environ._data[b"LF_LEAK"] = b"1"',
      'os.environ["LF_LEAK"] = "1"',
    ],
  },
  {
    name: 'class attributes of Counter, LabelingFunction and the row class',
    attacks: [
      'collections.Counter.most_common = lambda self, n=None: [("x", 9)]',
      'LabelingFunction.__call__ = lambda self, x: 1',
      'type(X).text = property(lambda s: "please please")',
      'type(X).__getitem__ = lambda s, k: "please please"',
    ],
  },
];

function hostileSource(attacks: string[]): string {
  const top = attempt(attacks.filter((a) => !a.includes('type(X)')));
  const inLf = attempt(attacks.map((a) => a.replace(/type\(X\)/g, 'type(x)'))).replace(/^/gm, '    ');
  return `${HEADER}${top}\n@labeling_function()\ndef hostile(x):\n${inLf}    return 1\n`;
}

const bytesOf = (r: FileRunResult): string => JSON.stringify(r.lfs.map((l) => [l.name, Buffer.from(l.votes.buffer).toString('base64'), l.errors, l.firstError?.message ?? null]));

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

describe('units of trust', () => {
  let dir: string;
  let snapshotDir: string;
  let clean: string;
  let shared: LfExecutor & { onEvent(l: (e: ExecutorEvent) => void): () => void };
  const events: ExecutorEvent[] = [];
  const run = (ex: LfExecutor, file: string, source: string, datasetKey = 'rows'): Promise<FileRunResult> =>
    ex.runFile({ file, source, datasetKey, cardinality: 2, timeoutMs: 10_000 });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lf-units-'));
    snapshotDir = join(dir, 'snapshots');
    // The reference: a control file in an executor that never ran anything else.
    const fresh = createPythonExecutor({ snapshotDir });
    await fresh.loadRows('rows', ROWS);
    const reference = await run(fresh, '/ws/control.py', CONTROL);
    await fresh.dispose();
    assert.equal(reference.fileError, null, JSON.stringify(reference.fileError));
    assert.equal(reference.lfs.length, 6);
    for (const lf of reference.lfs) assert.equal(lf.errors, 0, `${lf.name}: ${lf.firstError?.message}`);
    // The control LFs must really depend on the data, or identical votes would prove nothing.
    for (const lf of reference.lfs) assert.ok(new Set(lf.votes).size > 1 || lf.name === 'ctl_state', `${lf.name} votes one value on every row`);
    clean = bytesOf(reference);
    shared = createPythonExecutor({ snapshotDir });
    shared.onEvent((e) => events.push(e));
    await shared.loadRows('rows', ROWS);
  });

  after(async () => {
    await shared?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const unit of HOSTILE_UNITS) {
    it(`a file that changes ${unit.name} cannot change another file's votes`, async () => {
      // What the hostile file gets for itself does not matter (its own garbled output may stop it).
      await run(shared, '/ws/hostile.py', hostileSource(unit.attacks));
      const control = await run(shared, '/ws/control.py', CONTROL);
      assert.equal(bytesOf(control), clean);
    });
  }

  it('an LLM candidate that patches the row class does not change its sibling candidate', async () => {
    const patcher = `${HEADER}@labeling_function()\ndef cand_a(x):\n${attempt(['type(x).text = property(lambda s: "")', 'type(x).get = lambda s, k, d=None: ""']).replace(/^/gm, '    ')}    return 1\n`;
    const sibling = `${HEADER}@labeling_function()\ndef cand_b(x):\n    return 1 if "please" in x.text else -1\n`;
    const alone = createPythonExecutor({ snapshotDir });
    await alone.loadRows('rows', ROWS);
    const expected = await run(alone, 'generated/cand_b.py', sibling);
    await alone.dispose();
    await run(shared, 'generated/cand_a.py', patcher);
    const got = await run(shared, 'generated/cand_b.py', sibling);
    assert.ok(got.lfs[0]!.votes.includes(1), 'the sibling votes on some rows');
    assert.deepEqual([...got.lfs[0]!.votes], [...expected.lfs[0]!.votes]);
  });

  it("an LF that plants a pattern in re's cache does not change what the next LF of its file matches", async () => {
    const source =
      'import re\nfrom snorkel.labeling import labeling_function\n\n@labeling_function()\ndef plants(x):\n' +
      '    never = re.compile(r"(?!)")\n    for name in ("_cache", "_cache2"):\n        cache = getattr(re, name, None)\n' +
      '        if isinstance(cache, dict):\n            cache[(str, r"\\bcheck\\b", 0)] = never\n    return -1\n\n' +
      '@labeling_function()\ndef finds(x):\n    return 1 if re.search(r"\\bcheck\\b", x.text.lower()) else -1\n';
    const r = await run(shared, '/ws/recache.py', source);
    const finds = r.lfs.find((lf) => lf.name === 'finds')!;
    assert.deepEqual([...finds.votes], ROWS.map((row) => (/\bcheck\b/.test(row.fields.text.toLowerCase()) ? 1 : -1)));
    assert.ok(finds.votes.includes(1), 'some row has the word');
  });

  it('a cached result is never served to a different text, whatever the worker reported', async () => {
    // Same path and same LF text as the control file, plus top-level code that makes ctl_regex vote 1 everywhere
    // and that tries to pass itself off as the clean file (it can reach the runner's frames).
    const forging = CONTROL.replace(
      'HAM, SPAM = 0, 1',
      `HAM, SPAM = 0, 1\n${attempt(['re.search = lambda *a, **k: True', 'import sys as _s; _f = _s._getframe(1); _f.f_locals.update({"source": ""})'])}`,
    );
    const forged = await run(shared, '/ws/control.py', forging);
    assert.equal(forged.fileError, null);
    const again = await run(shared, '/ws/control.py', CONTROL);
    assert.equal(bytesOf(again), clean);
  });

  it('only the snapshot process writes the snapshot: a worker sending one breaks the protocol', async () => {
    const snap = readdirSync(snapshotDir).find((f) => f.endsWith('.snapshot'))!;
    const before = sha256(join(snapshotDir, snap));
    // The runner's result goes out through json.dumps; the encoder now appends a forged "snapshot" message.
    const inject = `${HEADER}import json as _j
_real = _j._default_encoder.encode
def _evil(o):
    return _real(o)[:-1] + '}\\n{"type":"snapshot","data":"' + "QUFBQQ==" * 8 + '"'
@labeling_function()
def sends_snapshot(x):
    _j._default_encoder.__dict__["encode"] = _evil
    return 1
`;
    const r = await run(shared, '/ws/inject.py', inject);
    assert.equal(sha256(join(snapshotDir, snap)), before, 'the snapshot on disk did not change');
    // Either the injection did not happen (votes as written) or the unit was stopped for breaking the protocol.
    if (r.fileError) assert.match(r.fileError.message, /breaks the protocol/);
    else assert.ok(r.lfs[0]!.votes.every((v) => v === 1) || r.lfs[0]!.firstError !== null);
    const control = await run(shared, '/ws/control.py', CONTROL);
    assert.equal(bytesOf(control), clean);
    assert.ok(!events.some((e) => e.type === 'snapshot'), 'no snapshot rebuild was needed');
  });

  it('a worker whose reply does not fit the protocol fails its unit with a clear message and is discarded', async () => {
    // The runner encodes its replies with json's C parts alone (an LF can no longer garble them through json's
    // encoder objects); an LF's line set past what the protocol allows still makes a reply that does not fit.
    const garbled = `${HEADER}from snorkel.labeling import LabelingFunction
garbles = LabelingFunction(name="garbles", f=lambda x: 1)
garbles._lf_line = 10 ** 12
@labeling_function()
def after_garble(x):
    return 0
`;
    const r = await run(shared, '/ws/garbled.py', garbled);
    const problem = r.fileError?.message ?? r.lfs.map((l) => l.firstError?.message ?? '').join(' ');
    assert.match(problem, /breaks the protocol|votes are not base64/);
    const control = await run(shared, '/ws/control.py', CONTROL);
    assert.equal(bytesOf(control), clean);
  });

  for (const [name, damage] of [
    ['one byte changed', (b: Buffer) => { b[b.length >> 1] ^= 0x01; return b; }],
    ['garbage', () => Buffer.from('not a snapshot at all')],
  ] as const) {
    it(`a snapshot with ${name} is deleted, rebuilt and reported`, async () => {
      const snap = join(snapshotDir, readdirSync(snapshotDir).find((f) => f.endsWith('.snapshot'))!);
      writeFileSync(snap, damage(readFileSync(snap)));
      const seen: ExecutorEvent[] = [];
      const ex = createPythonExecutor({ snapshotDir });
      ex.onEvent((e) => seen.push(e));
      try {
        await ex.loadRows('rows', ROWS);
        assert.equal(bytesOf(await run(ex, '/ws/control.py', CONTROL)), clean);
      } finally {
        await ex.dispose();
      }
      const rebuilt = seen.find((e) => e.type === 'snapshot');
      assert.ok(rebuilt && /integrity check/.test(rebuilt.message), JSON.stringify(seen));
      assert.ok(seen.filter((e) => e.type === 'started').every((e) => e.type === 'started' && e.fromSnapshot));
      // The new snapshot is sealed: another executor starts from it without a rebuild.
      const next = createPythonExecutor({ snapshotDir });
      const later: ExecutorEvent[] = [];
      next.onEvent((e) => later.push(e));
      await next.isolation();
      await next.dispose();
      assert.ok(!later.some((e) => e.type === 'snapshot') && later.some((e) => e.type === 'started' && e.fromSnapshot), JSON.stringify(later));
    });
  }
});

describe('memory is charged to the unit that used it', () => {
  it('memory parked by one file does not stop another file', async () => {
    const ex = createPythonExecutor({ memoryCapMb: 520 });
    try {
      await ex.loadRows('rows', ROWS);
      // Parked on an instance deep in the standard library, where restoring module state between LFs does not reach.
      const parker = `${HEADER}@labeling_function()\ndef parks(x):\n    d = json._default_decoder.__dict__\n    if "_parked" not in d:\n        d["_parked"] = bytearray(300 * 1024 * 1024)\n    return 1\n`;
      const parked = await ex.runFile({ file: '/ws/parks.py', source: parker, datasetKey: 'rows', cardinality: 2, timeoutMs: 20_000 });
      assert.equal(parked.lfs[0]!.errors, 0, JSON.stringify(parked.lfs[0]!.firstError));
      const user = `${HEADER}@labeling_function()\ndef needs_memory(x):\n    buf = bytearray(250 * 1024 * 1024)\n    return 1 if len(buf) and "my" in x.text else 0\n`;
      const r = await ex.runFile({ file: '/ws/user.py', source: user, datasetKey: 'rows', cardinality: 2, timeoutMs: 20_000 });
      assert.equal(r.lfs[0]!.firstError, null, 'the innocent LF ran to the end');
      assert.equal(r.lfs[0]!.votes.filter((v) => v === 1).length, ROWS.filter((row) => row.fields.text.includes('my')).length);
    } finally {
      await ex.dispose();
    }
  });
});
