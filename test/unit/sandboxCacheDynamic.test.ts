// Result-cache keys (cacheKeys.ts) for LFs that reach code they do not name: globals(), getattr on a module,
// eval, frames, an import of their own module, a registering decorator, state another LF leaves behind, a
// helper module that finds the file's module. Such an LF is keyed by the whole file (or by the code it can
// reach), so an edit there re-runs it; an ordinary keyword file still re-runs only the LF that was edited.
// Keys are computed from Python's own parser (a clean sandbox worker), and one end-to-end run checks the
// figures an editor-style executor (result cache on) shows after an edit against a run without the cache.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Row } from '../../lf-runtime/src/data/types.ts';
import { lfCacheKeys } from '../../lf-runtime/src/sandbox/cacheKeys.ts';
import { createPythonExecutor } from '../../lf-runtime/src/sandbox/pythonExecutor.ts';
import { sandboxParser } from '../support/sandboxParser.ts';

const HEAD = 'import re\nimport sys\nfrom snorkel.labeling import labeling_function\nWORDS = ["check", "subscribe"]\nFIELD = "text"\n\n';
const lf = (name: string, body: string, decorators = '@labeling_function()\n'): string => `${decorators}def ${name}(x):\n${body.replace(/^/gm, '    ')}\n\n`;
const HELPER = lf('helper_lf', 'return 1 if "http" in x.text else -1');
const HELPER_EDITED = lf('helper_lf', 'return -1');
const OTHER = lf('other_lf', 'return 0 if "song" in x.text else -1');
const OTHER_EDITED = lf('other_lf', 'return 0 if "music" in x.text else -1');

/** Per-LF keys of a file, from the parser's statements and the LFs' names and lines (as prepare reports). */
async function keysOf(source: string, file = '/ws/lfs.py', siblings?: Record<string, string>): Promise<Record<string, string>> {
  const [outcome] = await sandboxParser().parsePython([source]);
  assert.ok(outcome?.ok, JSON.stringify(outcome));
  const { statements, lfs } = outcome.structure;
  const keys = lfCacheKeys({ file, source, siblings }, statements, lfs.map((l) => ({ name: l.name, line: l.start })), 'scope');
  return Object.fromEntries(lfs.map((l, i) => [l.name, keys[i]!]));
}

/** Which LFs get a new key when `before` becomes `after`. */
async function rerun(before: string, after: string, file?: string, siblings?: Record<string, string>): Promise<string[]> {
  const [a, b] = [await keysOf(before, file, siblings), await keysOf(after, file, siblings)];
  return Object.keys(b).filter((name) => a[name] !== b[name]).sort();
}

describe('cache keys of LFs that reach code they do not name', () => {
  it('an ordinary keyword file re-runs only the edited LF', async () => {
    const kw = lf('kw', 'return 1 if any(w in x.text.lower() for w in WORDS) else -1');
    const field = lf('by_field', 'return 1 if getattr(x, FIELD).startswith("http") else -1');
    const named = lf('named', 'return helper_lf(x)');
    assert.deepEqual(await rerun(HEAD + HELPER + OTHER + kw + field, HEAD + HELPER + OTHER_EDITED + kw + field), ['other_lf']);
    // Calling another LF by its name keys on its body, as before.
    assert.deepEqual(await rerun(HEAD + HELPER + OTHER + named, HEAD + HELPER_EDITED + OTHER + named), ['helper_lf', 'named']);
    // A plain helper with a dynamic route that this LF never calls does not make every LF whole-file.
    const unused = 'def dispatch(name, x):\n    return globals()[name](x)\n\n';
    assert.deepEqual(await rerun(HEAD + unused + HELPER + OTHER + kw, HEAD + unused + HELPER + OTHER_EDITED + kw), ['other_lf']);
  });

  const routes: Array<[string, string, string?]> = [
    ['globals() with a built name', 'return globals()["helper" + "_lf"](x)'],
    ['vars()', 'return vars(me)["helper" + "_lf"](x)', 'import helpers as me\n'],
    ['eval', 'return eval("helper" + "_lf")(x)'],
    ['getattr on sys.modules', 'return getattr(sys.modules[__name__], "helper" + "_lf")(x)'],
    ['getattr on a module, name from a variable', 'name = "helper_lf"\nreturn getattr(me, name)(x)', 'import helpers as me\n'],
    ['a module\'s __dict__', 'return me.__dict__["helper_lf"](x)', 'import helpers as me\n'],
    ['an attribute of its own module', 'import lfs\nreturn lfs.helper_lf(x)'],
    ['frames', 'return sys._getframe(0).f_globals["helper_lf"](x)'],
    ['inspect', 'import inspect\nreturn inspect.currentframe().f_globals["helper_lf"](x)'],
    ['importlib', 'import importlib\nreturn importlib.import_module("lfs").helper_lf(x)'],
    ['__import__', 'return __import__("lfs").helper_lf(x)'],
    ['a function __globals__', 'return other_lf._f.__globals__["helper_lf"](x)'],
    ['a plain helper that uses globals()', 'return dispatch("helper_lf", x)', 'def dispatch(name, x):\n    return globals()[name](x)\n\n'],
  ];
  for (const [what, body, extra = ''] of routes) {
    it(`re-runs an LF that reaches another through ${what} when that one or anything else is edited`, async () => {
      const copycat = lf('copycat', body);
      const file = (helper: string, other: string) => HEAD + extra + helper + other + copycat;
      assert.deepEqual(await rerun(file(HELPER, OTHER), file(HELPER_EDITED, OTHER)), ['copycat', 'helper_lf']);
      // Keyed by the whole file: an edit to any LF re-runs it.
      assert.deepEqual(await rerun(file(HELPER, OTHER), file(HELPER, OTHER_EDITED)), ['copycat', 'other_lf']);
    });
  }

  it('keys every LF by the whole file when code run at import uses a dynamic route', async () => {
    const table = 'TABLE = {n: f for n, f in list(globals().items())}\n';
    const copycat = lf('copycat', 'return TABLE["helper_lf"](x)');
    assert.deepEqual(await rerun(HEAD + table + HELPER + OTHER + copycat, HEAD + table + HELPER_EDITED + OTHER + copycat), ['copycat', 'helper_lf', 'other_lf']);
    // The same in a decorator's arguments (run when the def runs).
    const deco = lf('other_lf', 'return -1', '@labeling_function(resources=dict(table=vars()))\n');
    assert.deepEqual(await rerun(HEAD + HELPER + deco + copycat, HEAD + HELPER_EDITED + deco + copycat), ['copycat', 'helper_lf', 'other_lf']);
  });

  it('re-runs an LF that finds others through a registering decorator', async () => {
    const registry = 'REGISTRY = []\ndef register(f):\n    REGISTRY.append(f)\n    return f\n\n';
    const reg = '@register\n@labeling_function()\n';
    const user = lf('first_registered', 'return REGISTRY[0](x)');
    const file = (helper: string, other: string) => HEAD + registry + helper + other + user;
    // The registered LF's body is part of every key: any code may find it in the registry.
    assert.deepEqual(await rerun(file(lf('helper_lf', 'return 1', reg), OTHER), file(lf('helper_lf', 'return -1', reg), OTHER)), ['first_registered', 'helper_lf', 'other_lf']);
    // An edit to an unregistered LF re-runs that LF alone.
    assert.deepEqual(await rerun(file(lf('helper_lf', 'return 1', reg), OTHER), file(lf('helper_lf', 'return 1', reg), OTHER_EDITED)), ['other_lf']);
  });

  it('re-runs every LF when another LF changes state outside itself', async () => {
    const writer = (word: string) => lf('writer', `WORDS.append(${JSON.stringify(word)})\nreturn -1`);
    const kw = lf('kw', 'return 1 if any(w in x.text for w in WORDS) else -1');
    assert.deepEqual(await rerun(HEAD + writer('a') + kw, HEAD + writer('b') + kw), ['kw', 'writer']);
  });

  it('keys by the whole file when a helper module beside it can reach the file\'s module', async () => {
    const copycat = lf('copycat', 'return helpers.call("helper_lf", x)');
    const file = (helper: string) => `import helpers\n${HEAD}${helper}${OTHER}${copycat}`;
    const reachBack = { helpers: 'import sys\ndef call(name, x):\n    return getattr(sys.modules["lfs"], name)(x)\n' };
    assert.deepEqual(await rerun(file(HELPER), file(HELPER_EDITED), '/ws/lfs.py', reachBack), ['copycat', 'helper_lf', 'other_lf']);
    const plain = { helpers: 'def call(name, x):\n    return -1\n' };
    assert.deepEqual(await rerun(file(HELPER), file(HELPER_EDITED), '/ws/lfs.py', plain), ['helper_lf']);
  });
});

describe('result cache of an editor-style executor after an edit', () => {
  const rows: Row[] = Array.from({ length: 60 }, (_, i) => ({ id: `r${i}`, fields: { text: i % 3 === 0 ? `see http://x/${i}` : `nice song ${i}` } }));
  const source = (helperBody: string) =>
    `from snorkel.labeling import labeling_function\n${lf('helper_lf', helperBody)}${lf('copycat', 'return globals()["helper" + "_lf"](x)')}`;
  let cached: ReturnType<typeof createPythonExecutor>;
  let uncached: ReturnType<typeof createPythonExecutor>;

  before(async () => {
    cached = createPythonExecutor({ poolSize: 1, spareWorkers: 1 });
    uncached = createPythonExecutor({ poolSize: 1, spareWorkers: 1, resultCache: false });
    await cached.loadRows('d', rows);
    await uncached.loadRows('d', rows);
  });
  after(async () => {
    await cached.dispose();
    await uncached.dispose();
  });

  it('shows the figures of the edited file for an LF that calls another by a computed name', async () => {
    const run = async (ex: typeof cached, body: string) =>
      Object.fromEntries((await ex.runFile({ file: '/p/stale.py', source: source(body), datasetKey: 'd', cardinality: 2, timeoutMs: 5000 })).lfs.map((l) => [l.name, [...l.votes]]));
    const v1 = await run(cached, 'return 1 if "http" in x.text else -1');
    assert.equal(v1.copycat!.filter((v) => v === 1).length, 20);
    const v2 = await run(cached, 'return -1');
    const fresh = await run(uncached, 'return -1');
    assert.deepEqual(v2, fresh);
    assert.equal(v2.copycat!.filter((v) => v !== -1).length, 0);
  });
});

// A module-level `lfs = [...]` (Snorkel's convention) only keeps the LFs it names: editing one LF re-runs that LF
// (and what calls it), not every LF in the list. Code that calls at import still pulls in what it calls.
describe('cache keys of a Snorkel file with an lfs list', () => {
  const kw = (name: string, word: string) => lf(name, `return 1 if ${JSON.stringify(word)} in x.text.lower() else -1`);
  const LFS = kw('keyword_my', 'my') + kw('keyword_subscribe', 'subscribe') + kw('regex_check_out', 'check') + lf('short_comment', 'return 0 if len(x.text.split()) < 5 else -1');
  const EDITED = LFS.replace('"subscribe"', '"subscribed"');
  const ALL = ['keyword_my', 'keyword_subscribe', 'regex_check_out', 'short_comment'];

  it('editing one listed LF re-runs that LF alone', async () => {
    for (const list of [
      'lfs = [keyword_my, keyword_subscribe, regex_check_out, short_comment]\n',
      'LFS = (keyword_my, keyword_subscribe, regex_check_out, short_comment)\n',
      'more = [regex_check_out, short_comment]\nlfs = [keyword_my, keyword_subscribe] + more\n',
      'lfs = [*[keyword_my, keyword_subscribe], regex_check_out, short_comment]\nBY_NAME = {f.name: f for f in lfs}\n',
      'from snorkel.labeling import PandasLFApplier\nlfs = [keyword_my, keyword_subscribe, regex_check_out, short_comment]\napplier = PandasLFApplier(lfs=lfs)\n',
    ]) {
      assert.deepEqual(await rerun(HEAD + LFS + list, HEAD + EDITED + list), ['keyword_subscribe'], list);
    }
  });

  it('editing one LF re-runs that LF alone when the list is built with append, extend and +=', async () => {
    const list = 'lfs = []\nlfs.append(keyword_my)\nlfs.extend([keyword_subscribe, regex_check_out])\nlfs += [short_comment]\n';
    assert.deepEqual(await rerun(HEAD + LFS + list, HEAD + EDITED + list), ['keyword_subscribe']);
  });

  it('still re-runs what reads the list, and everything when import-time code uses it', async () => {
    const list = 'lfs = [keyword_my, keyword_subscribe]\n';
    const first = lf('first_listed', 'return lfs[1](x)');
    assert.deepEqual(await rerun(HEAD + LFS + list + first, HEAD + EDITED + list + first), ['first_listed', 'keyword_subscribe']);
    // Code run at import that calls what the list holds: every LF's key has the listed bodies.
    const called = `${list}VOTES = [f(None) for f in lfs if False]\n`;
    assert.deepEqual(await rerun(HEAD + LFS + called, HEAD + EDITED + called), ALL);
    // A list that also holds a call's result: the call runs at import, so its body is in every key.
    const made = 'def make():\n    return keyword_subscribe\n\nlfs = [keyword_my, make()]\n';
    assert.deepEqual(await rerun(HEAD + LFS + made, HEAD + EDITED + made), ALL);
  });

  it('editing a helper re-runs the LFs that call it, and only those', async () => {
    const helper = (word: string) => `def has_link(text):\n    return ${JSON.stringify(word)} in text\n\n`;
    const user = lf('keyword_link', 'return 1 if has_link(x.text) else -1');
    const indirect = lf('link_or_my', 'return keyword_link(x) if "my" not in x.text else 1');
    const list = 'lfs = [keyword_my, keyword_subscribe, regex_check_out, short_comment, keyword_link, link_or_my]\n';
    const file = (word: string) => HEAD + helper(word) + LFS + user + indirect + list;
    assert.deepEqual(await rerun(file('http'), file('https')), ['keyword_link', 'link_or_my']);
    assert.deepEqual(await rerun(file('http'), file('http').replace('"subscribe" in', '"subscribed" in')), ['keyword_subscribe']);
  });
});

describe('which LFs an editor-style executor re-runs after an edit in a file with an lfs list', () => {
  const rows: Row[] = Array.from({ length: 60 }, (_, i) => ({ id: `r${i}`, fields: { text: i % 3 === 0 ? `check out my channel ${i}` : `nice song ${i}` } }));
  const source = (word: string) =>
    'from snorkel.labeling import labeling_function\n' +
    'def has_link(text):\n    return "http" in text\n\n' +
    `${lf('keyword_my', `return 1 if ${JSON.stringify(word)} in x.text.lower() else -1`)}` +
    `${lf('keyword_song', 'return 0 if "song" in x.text.lower() else -1')}` +
    `${lf('keyword_link', 'return 1 if has_link(x.text) else -1')}` +
    'lfs = [keyword_my, keyword_song]\nlfs.append(keyword_link)\n';
  let executor: ReturnType<typeof createPythonExecutor>;

  before(async () => {
    executor = createPythonExecutor({ poolSize: 1, spareWorkers: 1 });
    await executor.loadRows('d', rows);
  });
  after(() => executor.dispose());

  const run = (text: string, file = '/p/listed.py') => executor.runFile({ file, source: text, datasetKey: 'd', cardinality: 2, timeoutMs: 5000 });
  const ran = (r: Awaited<ReturnType<typeof run>>) => r.lfs.filter((l) => l.durationMs > 0).map((l) => l.name).sort();

  it('re-runs the edited LF alone', async () => {
    assert.deepEqual(ran(await run(source('my'))), ['keyword_link', 'keyword_my', 'keyword_song']);
    const edited = await run(source('channel'));
    assert.deepEqual(ran(edited), ['keyword_my']);
    assert.equal(edited.lfs.find((l) => l.name === 'keyword_my')!.votes.filter((v) => v === 1).length, 20);
    assert.deepEqual(ran(await run(source('channel').replace('"http" in text', '"www" in text'))), ['keyword_link']);
  });

  it('re-runs everything a factory called at import made when the factory is edited', async () => {
    const factory = (extra: string, lookup = 'x.text.lower()') =>
      'from snorkel.labeling import LabelingFunction, labeling_function\nWORDS = ["check", "channel"]\n' +
      'def keyword_lookup(x, keywords):\n    return 1 if any(w in x.text.lower() for w in keywords) else -1\n\n' +
      `def please_lookup(x, keywords):\n    return 1 if any(w in ${lookup} for w in keywords) else -1\n\n` +
      `def make_lf(w):\n    return LabelingFunction(name=f"kw_{w}", f=keyword_lookup, resources=dict(keywords=[w, ${JSON.stringify(extra)}]))\n\n` +
      `${lf('keyword_song', 'return 0 if "song" in x.text.lower() else -1')}` +
      'kw_please = LabelingFunction(name="kw_please", f=please_lookup, resources=dict(keywords=["please", "plz"]))\n' +
      'lfs = [keyword_song, kw_please] + [make_lf(w) for w in WORDS]\n';
    const made = ['kw_channel', 'kw_check'];
    const first = await run(factory('zzz'), '/p/factory.py');
    assert.deepEqual(ran(first), ['keyword_song', ...made, 'kw_please']);
    // The factory's body: what it made re-runs (and so does every LF: it runs at import).
    const edited = await run(factory('nice'), '/p/factory.py');
    assert.deepEqual(ran(edited), ['keyword_song', ...made, 'kw_please']);
    assert.equal(edited.lfs.find((l) => l.name === 'kw_check')!.votes.filter((v) => v === 1).length, 60);
    // The function a LabelingFunction(...) at module level wraps: that LF re-runs, the decorated one does not
    // (LFs made in a function are keyed by the whole file: they re-run on any edit).
    assert.deepEqual(ran(await run(factory('nice', 'x.text'), '/p/factory.py')), [...made, 'kw_please']);
  });
});
