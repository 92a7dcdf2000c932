// Snorkel compatibility: decorators with name/resources/pre, factory-made LabelingFunctions, memoized
// preprocessors applied in order, module-level helpers and stdlib imports, sibling modules, and row access.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createPythonExecutor } from '../../lf-runtime/src/sandbox/pythonExecutor.ts';
import type { LfExecutor, LfRunResult } from '../../lf-runtime/src/sandbox/types.ts';

const TEXTS = [
  'Win FREE cash now, please!!',
  'The song the song is great',
  'PLEASE SUBSCRIBE TO MY CHANNEL',
  'nice sogn',
  'ok',
];
const HELPERS = 'SHOUT_THRESHOLD = 0.8\n\ndef shouting(text):\n    letters = [c for c in text if c.isalpha()]\n    return sum(c.isupper() for c in letters) / max(1, len(letters))\n';

describe('Snorkel compatibility', () => {
  let executor: LfExecutor;
  let byName: Map<string, LfRunResult>;
  let source: string;

  before(async () => {
    executor = createPythonExecutor();
    await executor.loadRows('compat', TEXTS.map((text, i) => ({ id: `c${i}`, fields: { text } })));
    source = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'lfs', 'snorkel_compat_lfs.py'), 'utf8');
    const r = await executor.runFile({
      file: '/proj/snorkel_compat_lfs.py', source, datasetKey: 'compat', cardinality: 2, timeoutMs: 5000, siblingModules: { helpers: HELPERS },
    });
    assert.equal(r.fileError, null, r.fileError?.message);
    byName = new Map(r.lfs.map((l) => [l.name, l]));
  });
  after(() => executor.dispose());

  const votes = (name: string): number[] => {
    const lf = byName.get(name);
    assert.ok(lf, `LF ${name} was not discovered`);
    assert.equal(lf.errors, 0, `${name}: ${lf.firstError?.message}`);
    return [...lf.votes];
  };

  it('discovers every LF in source order, including factory-made ones and LFs in lists', () => {
    assert.deepEqual([...byName.keys()], [
      'has_money_word', 'repeated_word', 'long_log_length', 'keyword_please', 'similar_to_song', 'shouts',
      'missing_field_default', 'keyword_subscribe', 'keyword_channel',
    ]);
    const lines = source.split('\n');
    assert.match(lines[byName.get('has_money_word')!.line - 1], /^@labeling_function\(name="has_money_word"/);
    assert.match(lines[byName.get('keyword_please')!.line - 1], /^keyword_please = make_keyword_lf/);
    assert.match(lines[byName.get('keyword_subscribe')!.line - 1], /^extra_lfs = /);
  });

  it('loads the imports real Snorkel files use: snorkel modules beyond labeling (lf.core, preprocess.core too), unittest, csv, pathlib', async () => {
    const src = [
      'import unittest, csv, pathlib, logging, pickle',
      'from snorkel.labeling import labeling_function, LabelModel, PandasLFApplier',
      'from snorkel.labeling.model.label_model import LabelModel as LM',
      'from snorkel.labeling.apply.dask import DaskLFApplier',
      'from snorkel.labeling.apply.pandas import PandasLFApplier as PA',
      'from snorkel.preprocess.nlp import SpacyPreprocessor',
      'from snorkel.analysis import get_label_buckets',
      'from snorkel.utils import probs_to_preds',
      'from snorkel.labeling.lf.core import labeling_function as core_labeling_function',
      'from snorkel.labeling.utils import filter_unlabeled_dataframe',
      'from snorkel.preprocess.core import BasePreprocessor',
      // Snorkel 0.9.0's module for preprocessors, and snorkel.types' aliases for annotations.
      'from snorkel.labeling.preprocess import preprocessor as old_preprocessor',
      'from snorkel.types import DataPoint, FieldMap, HashingFunction',
      '@labeling_function()',
      'def buckets(x):',
      '    return 1 if get_label_buckets([1, 0], [1, 1])[(1, 1)] == [0] and list(probs_to_preds([[0.2, 0.8]])) == [1] else 0',
      'class TestLfs(unittest.TestCase):',
      '    def test_one(self):',
      '        self.assertTrue(True)',
    ].join('\n');
    const r = await executor.runFile({ file: '/proj/imports.py', source: src, datasetKey: 'compat', cardinality: 2, timeoutMs: 5000 });
    assert.equal(r.fileError, null, JSON.stringify(r.fileError));
    assert.deepEqual(r.problems ?? [], []);
    assert.ok(r.lfs[0]!.votes.every((v) => v === 1), 'the snorkel.analysis and snorkel.utils helpers work');
  });

  it('passes resources as keyword arguments', () => assert.deepEqual(votes('has_money_word'), [1, -1, -1, -1, -1]));
  it('applies preprocessors in order, on a copy of the row', () => assert.deepEqual(votes('repeated_word'), [-1, 1, -1, -1, -1]));
  it('accepts x["field"] and module constants', () => assert.deepEqual(votes('long_log_length'), [0, 0, 0, -1, -1]));
  it('runs LabelingFunction objects built by a factory', () => {
    assert.deepEqual(votes('keyword_please'), [1, -1, 1, -1, -1]);
    assert.deepEqual(votes('keyword_subscribe'), [-1, -1, 1, -1, -1]);
    assert.deepEqual(votes('keyword_channel'), [-1, -1, 1, -1, -1]);
  });
  it('has difflib and the other stdlib modules', () => assert.deepEqual(votes('similar_to_song'), [-1, 0, -1, 0, -1]));
  it('imports sibling modules of the project', () => assert.deepEqual(votes('shouts'), [-1, -1, 1, -1, -1]));
  it('supports x.get with a default and `in`', () => assert.deepEqual(votes('missing_field_default'), [0, 0, 0, 0, 0]));

  it("runs Snorkel's class-based preprocessors and mappers (run, field_names, mapped_field_names) and @lambda_mapper", async () => {
    const src = [
      'from snorkel.labeling import labeling_function',
      'from snorkel.preprocess import Preprocessor',
      'from snorkel.map import Mapper, lambda_mapper',
      '',
      'class Lowercaser(Preprocessor):',
      '    def __init__(self):',
      '        super().__init__(name="lower", field_names=dict(text="text"), mapped_field_names=dict(lower="text_lower"), memoize=True)',
      '    def run(self, text):',
      '        return dict(lower=text.lower())',
      '',
      'class WordCount(Mapper):',
      '    def __init__(self):',
      '        super().__init__(name="wc", mapped_field_names=dict(n="n_words"))',
      '    def run(self, text):',
      '        return dict(n=len(text.split()))',
      '',
      '@lambda_mapper()',
      'def first_word(x):',
      '    x.first = x.text.split()[0].lower()',
      '    return x',
      '',
      '@labeling_function(pre=[Lowercaser()])',
      'def says_please(x):',
      '    return 1 if "please" in x.text_lower and x.text != x.text_lower else -1',
      '',
      '@labeling_function(pre=[WordCount(), first_word])',
      'def short_or_song(x):',
      '    return 0 if x.n_words < 3 or x.first == "the" else -1',
      '',
      '@labeling_function()',
      'def row_untouched(x):',
      '    return 0 if not hasattr(x, "text_lower") and not hasattr(x, "n_words") else 1',
      '',
    ].join('\n');
    const r = await executor.runFile({ file: '/proj/mappers.py', source: src, datasetKey: 'compat', cardinality: 2, timeoutMs: 5000 });
    assert.equal(r.fileError, null, r.fileError?.message);
    assert.deepEqual(r.problems ?? [], []);
    const got = Object.fromEntries(r.lfs.map((lf) => [lf.name, [...lf.votes]]));
    assert.deepEqual(got, {
      says_please: [1, -1, 1, -1, -1],
      short_or_song: [-1, 0, -1, 0, 0],
      row_untouched: [0, 0, 0, 0, 0],
    });
  });

  it("keys a memoized preprocessor by the row's content, also after another preprocessor (whose copies are freed and their ids reused)", async () => {
    const src = [
      'from snorkel.labeling import labeling_function',
      'from snorkel.preprocess import preprocessor',
      '@preprocessor()',
      'def add_len(x):',
      '    x.n = len(x.text)',
      '    return x',
      '@preprocessor(memoize=True)',
      'def add_upper(x):',
      '    x.up = x.text.upper()',
      '    return x',
      '@labeling_function(pre=[add_len, add_upper])',
      'def shouts_subscribe(x):',
      '    return 1 if "SUBSCRIBE" in x.up else 0',
      '',
    ].join('\n');
    const r = await executor.runFile({ file: '/proj/memo.py', source: src, datasetKey: 'compat', cardinality: 2, timeoutMs: 5000 });
    assert.deepEqual([...r.lfs[0]!.votes], TEXTS.map((t) => (t.toUpperCase().includes('SUBSCRIBE') ? 1 : 0)));
  });

  it('explains appliers instead of running them', async () => {
    const src = 'from snorkel.labeling import PandasLFApplier\nPandasLFApplier(lfs=[]).apply(None)\n';
    const r = await executor.runFile({ file: '/proj/applier.py', source: src, datasetKey: 'compat', cardinality: 2, timeoutMs: 5000 });
    assert.equal(r.fileError?.kind, 'import');
    assert.equal(r.fileError?.line, 2);
    assert.match(r.fileError?.message ?? '', /PandasLFApplier is not available.*LF Studio applies/);
  });

  it('reports a missing package imported inside an LF body on that LF', async () => {
    const src = 'from snorkel.labeling import labeling_function\n@labeling_function()\ndef polarity(x):\n    from textblob import TextBlob\n    return 1 if TextBlob(x.text).sentiment.polarity > 0 else -1\n';
    const r = await executor.runFile({ file: '/proj/tb.py', source: src, datasetKey: 'compat', cardinality: 2, timeoutMs: 5000 });
    const lf = r.lfs[0];
    assert.equal(lf.errors, TEXTS.length);
    assert.equal(lf.firstError?.kind, 'missing-package');
    assert.equal(lf.firstError?.line, 4);
    assert.match(lf.firstError?.message ?? '', /No module named 'textblob'.*sandbox cannot provide it.*your own Python/);
  });

  it('lets a project subclass the decorators, as Snorkel\'s are classes', async () => {
    const src = [
      'from snorkel.labeling import labeling_function',
      'from snorkel.labeling.lf.nlp import nlp_labeling_function',
      'class tagged_lf(labeling_function):',
      '    def __init__(self, words_used=None, name=None, resources=None, pre=None):',
      '        super().__init__(name, resources, pre)',
      '        self.words_used = words_used',
      '    def __call__(self, f):',
      '        lf = super().__call__(f)',
      '        lf.words_used = self.words_used',
      '        return lf',
      '@tagged_lf(words_used=["free"], resources=dict(word="free"))',
      'def has_free(x, word):',
      '    return 1 if word in x.text.lower() else -1',
      '@labeling_function',
      'def bare(x):',
      '    return 0 if x.text == "ok" else -1',
      'assert isinstance(labeling_function(), labeling_function) and issubclass(tagged_lf, labeling_function)',
      'assert has_free.words_used == ["free"] and isinstance(nlp_labeling_function(), nlp_labeling_function)',
      '',
    ].join('\n');
    const r = await executor.runFile({ file: '/proj/tagged.py', source: src, datasetKey: 'compat', cardinality: 2, timeoutMs: 5000 });
    assert.equal(r.fileError, null, r.fileError?.message);
    assert.deepEqual(r.lfs.map((l) => [l.name, l.line, [...l.votes]]), [
      ['has_free', 11, [1, -1, -1, -1, -1]],
      ['bare', 14, [-1, -1, -1, -1, 0]],
    ]);
  });

  it('names the failed import when an LF uses a name it would have bound (TextBlob after `from textblob import TextBlob`)', async () => {
    const src = 'from snorkel.labeling import labeling_function\nfrom textblob import TextBlob\n@labeling_function()\ndef polarity(x):\n    return 1 if TextBlob(x.text).sentiment.polarity > 0 else -1\n@labeling_function()\ndef typo(x):\n    return 1 if Textblob(x.text) else -1\n';
    const r = await executor.runFile({ file: '/proj/tb2.py', source: src, datasetKey: 'compat', cardinality: 2, timeoutMs: 5000 });
    const [polarity, typo] = r.lfs;
    assert.equal(polarity.errors, TEXTS.length);
    assert.equal(polarity.firstError?.kind, 'missing-package');
    assert.equal(polarity.firstError?.line, 5);
    assert.match(polarity.firstError?.message ?? '', /^NameError: name 'TextBlob' is not defined because its import \(line 2\) failed: No module named 'textblob'.*your own Python/);
    // A name no failed import would have bound stays a plain NameError.
    assert.equal(typo.firstError?.kind, 'exception');
    assert.match(typo.firstError?.message ?? '', /^NameError: name 'Textblob' is not defined$/);
  });

  it('says how to name more classes when an LF returns a label past the last class', async () => {
    const src = 'from snorkel.labeling import labeling_function\n@labeling_function()\ndef food(x):\n    return 34 if "song" in x.text else -1\n@labeling_function()\ndef odd(x):\n    return "SPAM"\n';
    const r = await executor.runFile({ file: '/proj/many.py', source: src, datasetKey: 'compat', cardinality: 2, timeoutMs: 5000 });
    const [food, odd] = r.lfs;
    assert.equal(food.errors, 1);
    assert.equal(food.firstError?.kind, 'invalid-return');
    assert.match(food.firstError?.message ?? '', /food returned 34 \(int\); return an int label in 0\.\.1, -1 \(ABSTAIN\) or None \(LF Studio knows 2 classes; .*"labels" in lfstudio\.json, --labels/);
    assert.doesNotMatch(odd.firstError?.message ?? '', /knows 2 classes/, 'not a class count problem');
  });

  it('says what Snorkel would make of a bool an LF returns (class 1 or 0, never an abstain)', async () => {
    const src = 'from snorkel.labeling import labeling_function\n@labeling_function()\ndef exclaims(x):\n    return "!" in x.text\n';
    const r = await executor.runFile({ file: '/proj/bools.py', source: src, datasetKey: 'compat', cardinality: 2, timeoutMs: 5000 });
    const [exclaims] = r.lfs;
    assert.equal(exclaims.firstError?.kind, 'invalid-return');
    assert.match(exclaims.firstError?.message ?? '', /^exclaims returned (True|False) \(a bool\): Snorkel would store it as class [01], so False would vote class 0 on every row the test fails instead of abstaining; return a class id or ABSTAIN/);
  });

  it('takes a whole float as the class Snorkel would store (1.0 from a column pandas made float), and no other float', async () => {
    const src =
      'from snorkel.labeling import labeling_function\n' +
      '@labeling_function()\ndef whole(x):\n    return 1.0 if "song" in x.text else -1.0\n' +
      '@labeling_function()\ndef half(x):\n    return 0.5\n' +
      '@labeling_function()\ndef nan(x):\n    return float("nan")\n' +
      '@labeling_function()\ndef past(x):\n    return 2.0\n';
    const r = await executor.runFile({ file: '/proj/floats.py', source: src, datasetKey: 'compat', cardinality: 2, timeoutMs: 5000 });
    const [whole, half, nan, past] = r.lfs;
    assert.equal(whole.errors, 0, whole.firstError?.message);
    assert.ok([...whole.votes].includes(1) && [...whole.votes].includes(-1), [...whole.votes].join());
    assert.match(half.firstError?.message ?? '', /^half returned 0\.5 \(float\); return an int label in 0\.\.1/);
    assert.match(nan.firstError?.message ?? '', /^nan returned nan \(float\)/);
    assert.match(past.firstError?.message ?? '', /^past returned 2\.0 \(float\); .*LF Studio knows 2 classes/);
    assert.ok([half, nan, past].every((lf) => lf.votes.every((v) => v === -1)));
  });

  it('warns of a file named snorkel.py, or one beside the LF file, which Python run on the file imports for `import snorkel`', async () => {
    const src = 'from snorkel.labeling import labeling_function\n@labeling_function()\ndef lf_a(x):\n    return 1 if "a" in x.text else -1\n';
    const run = (file: string, siblingModules?: Record<string, string>) =>
      executor.runFile({ file, source: src, datasetKey: 'compat', cardinality: 2, timeoutMs: 5000, ...(siblingModules ? { siblingModules } : {}) });
    const named = await run('/proj/snorkel.py');
    assert.equal(named.fileError, null);
    assert.equal(named.lfs.length, 1, 'it runs here');
    assert.match(named.problems?.map((p) => p.message).join('\n') ?? '', /^this file is named snorkel\.py, like the snorkel package: .*'snorkel' is not a package.*rename it, e\.g\. to snorkel_lfs\.py$/);
    const beside = await run('/proj/lfs.py', { snorkel: 'X = 1\n' });
    assert.match(beside.problems?.map((p) => p.message).join('\n') ?? '', /^a snorkel\.py \(or snorkel\/ package\) beside this file is named like the snorkel package: .*rename that one/);
    const plain = await run('/proj/plain_lfs.py', { helpers: 'X = 1\n' });
    assert.equal(plain.problems?.length ?? 0, 0, plain.problems?.map((p) => p.message).join('\n'));
  });

  it('keeps row fields of any JSON type, read-only', async () => {
    await executor.loadRows('typed', [
      { id: 'a', fields: { text: 'x', n: 3, tags: ['spam', 'ad'], meta: { lang: 'en' }, 'odd name': true } },
      { id: 'b', fields: { text: 'y', n: null, tags: [], meta: { lang: 'fr' }, 'odd name': false } },
    ]);
    const src = [
      'from snorkel.labeling import labeling_function',
      '@labeling_function()',
      'def typed(x):',
      '    ok = x.n == 3 and "spam" in x.tags and x.meta["lang"] == "en" and x["odd name"] is True',
      '    return 1 if ok else 0',
      '@labeling_function()',
      'def cannot_edit(x):',
      '    try:',
      '        x.tags.append("z")',
      '        return 1',
      '    except Exception:',
      '        return 0',
      '',
    ].join('\n');
    const r = await executor.runFile({ file: '/proj/typed.py', source: src, datasetKey: 'typed', cardinality: 2, timeoutMs: 5000 });
    assert.deepEqual([...r.lfs[0].votes], [1, 0]);
    assert.deepEqual([...r.lfs[1].votes], [0, 0]);
  });
});
