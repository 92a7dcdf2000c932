// A file's top level, run statement by statement in both runtimes: a module-level `lfs = [...]` that raises
// leaves no earlier list in charge (every LF counts, in source order, and the file is told why), while a notebook
// cell that only reads `lfs` changes nothing; a list imported from another file orders the LFs; an LF's NameError
// names the statement that failed to set the name, back to its first cause; missing packages and spaCy pipelines
// get the command that installs them; a helper named like a standard-library module already imported is told to
// be renamed; and past 50 failing statements the rest are summed up, not silently dropped.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FileRunResult, LfExecutor } from '../../lf-runtime/src/sandbox/types.ts';
import { bothRuntimes } from '../support/bothRuntimes.ts';

const ROWS = ['spam here', 'ham there', 'nothing'].map((text, i) => ({ id: String(i + 1), fields: { text } }));
const HEAD = `from snorkel.labeling import labeling_function, PandasLFApplier

@labeling_function()
def a(x):
    return 1 if "spam" in x.text else -1

@labeling_function()
def b(x):
    return 0 if "ham" in x.text else -1

lfs = [a]
`;

const ws = mkdtempSync(join(tmpdir(), 'lf-toplevel-'));
after(() => rmSync(ws, { recursive: true, force: true }));

const runtimes = bothRuntimes(() => ws);

for (const [name, make, skip] of runtimes) {
  describe(`a file's top level in ${name}`, { skip, timeout: 300_000 }, () => {
    let executor: LfExecutor;
    before(async () => {
      executor = make();
      await executor.loadRows('rows', ROWS);
    });
    after(() => executor.dispose());
    const run = (source: string): Promise<FileRunResult> => executor.runFile({ file: join(ws, 'lfs.py'), source, datasetKey: 'rows', cardinality: 2, timeoutMs: 20_000 });
    /** `file` run with a helper module beside it (on disk for the user's Python, sent for pyodide), removed after. */
    const runWithHelper = async (file: string, source: string, helper: string, helperSource: string): Promise<FileRunResult> => {
      writeFileSync(join(ws, `${helper}.py`), helperSource);
      try {
        return await executor.runFile({ file: join(ws, file), source, siblingModules: { [helper]: helperSource }, datasetKey: 'rows', cardinality: 2, timeoutMs: 20_000 });
      } finally {
        rmSync(join(ws, `${helper}.py`));
      }
    };
    const listed = (r: FileRunResult) => r.lfs.map((lf) => [lf.name, lf.listed]);

    it('keeps the lfs list when a notebook cell only reads it', async () => {
      const r = await run(HEAD + 'L_train = PandasLFApplier(lfs=lfs).apply(df_train)\n');
      assert.deepEqual(listed(r), [
        ['a', true],
        ['b', false],
      ]);
      assert.equal(r.problems?.length, 1);
    });

    it('lets every LF count when the statement building the lfs list raises, and says so at its line', async () => {
      const r = await run(HEAD + 'lfs = [a, b, undefined_lf]\n');
      assert.deepEqual(listed(r), [
        ['a', undefined],
        ['b', undefined],
      ]);
      const messages = (r.problems ?? []).map((p) => [p.line, p.message]);
      assert.match(String(messages[0]?.[1]), /NameError: name 'undefined_lf' is not defined/);
      assert.deepEqual(messages[1], [12, "the statement at line 12 that builds the file's lfs list raised, so that list is not used: every LF of the file goes into the label model"]);
    });

    it("orders the LFs as the source does, not as an earlier list, when the file's last lfs list raised (Snorkel's spam tutorial)", async () => {
      const r = await run(HEAD.replace('lfs = [a]\n', 'lfs = [b]\n') + 'lfs = [a, b, undefined_lf]\n');
      assert.deepEqual(listed(r), [
        ['a', undefined],
        ['b', undefined],
      ]);
      assert.deepEqual([...r.lfs[0]!.votes], [1, -1, -1], 'the votes follow their LF');
      assert.deepEqual([...r.lfs[1]!.votes], [-1, 0, -1]);
    });

    it('traces an LF\'s NameError to the top-level statement that should have set the name, whatever it raised', async () => {
      const source =
        HEAD.replace('lfs = [a]\n', '') +
        'import json\nwith open("keywords.json") as f:\n    KEYWORDS = json.load(f)\n\nKEYWORDS_UPPER = [k.upper() for k in KEYWORDS]\n\n' +
        '@labeling_function()\ndef c(x):\n    return 1 if any(k in x.text for k in KEYWORDS_UPPER) else -1\n\n' +
        'FALLBACK = undefined_name\nFALLBACK = 1\n\n@labeling_function()\ndef d(x):\n    return FALLBACK\n';
      const r = await run(source);
      const c = r.lfs.find((lf) => lf.name === 'c')!;
      assert.equal(c.errors, 3);
      // Line 15 read KEYWORDS, which line 12 did not set: both causes are named.
      assert.match(
        c.firstError?.message ?? '',
        /^NameError: name 'KEYWORDS_UPPER' is not defined because the top-level statement that sets it \(line 15\) raised: NameError: name 'KEYWORDS' is not defined because the top-level statement at line 12 raised: FileNotFoundError: .*keywords\.json/,
      );
      // Beside the statement that raised, the one that failed for want of its name points there, briefly.
      const problems = r.problems ?? [];
      assert.deepEqual(
        problems.map((p) => p.line),
        [12, 15, 21],
      );
      assert.match(problems[0]!.message, /^FileNotFoundError: /);
      assert.equal(problems[1]!.message, "NameError: name 'KEYWORDS' is not defined because the top-level statement at line 12 raised");
      assert.equal(problems[2]!.message, "NameError: name 'undefined_name' is not defined");
      assert.equal(c.firstError?.kind, 'exception');
      // A name a later statement set after all raises nothing.
      const d = r.lfs.find((lf) => lf.name === 'd')!;
      assert.equal(d.errors, 0);
      assert.deepEqual([...d.votes], [1, 1, 1]);
    });

    it("names the missing package behind an LF's NameError two statements back (`nlp = spacy.load(...)` after `import spacy` failed)", async () => {
      const source = HEAD.replace('lfs = [a]\n', '') + 'import not_installed_xyz\nnlp = not_installed_xyz.load("en")\n\n@labeling_function()\ndef e(x):\n    return 1 if nlp(x.text) else -1\n';
      const r = await run(source);
      const e = r.lfs.find((lf) => lf.name === 'e')!;
      assert.equal(e.firstError?.kind, 'missing-package');
      assert.match(
        e.firstError?.message ?? '',
        /^NameError: name 'nlp' is not defined because the top-level statement that sets it \(line 12\) raised: NameError: name 'not_installed_xyz' is not defined because the top-level statement at line 11 raised: No module named 'not_installed_xyz'/,
      );
    });

    it("names the command that installs a spaCy pipeline spacy.load cannot find (spaCy's E050)", async () => {
      // A stand-in spaCy beside the file, raising what spaCy 3 raises without the pipeline.
      const spacy = 'def load(name, **kwargs):\n    raise OSError(f"[E050] Can\'t find model \'{name}\'. It doesn\'t seem to be a Python package or a valid path to a data directory.")\n';
      const dir = mkdtempSync(join(ws, 'spacy-'));
      writeFileSync(join(dir, 'spacy.py'), spacy);
      const source = 'import spacy\nfrom snorkel.labeling import labeling_function\nnlp = spacy.load("en_core_web_sm")\n\n@labeling_function()\ndef ents(x):\n    return 1 if nlp(x.text).ents else -1\n';
      const r = await executor.runFile({ file: join(dir, 'lfs.py'), source, siblingModules: { spacy }, datasetKey: 'rows', cardinality: 2, timeoutMs: 20_000 });
      assert.match(r.problems?.[0]?.message ?? '', /^(?:spacy-\w+\/spacy\.py:2: )?OSError: \[E050\] Can't find model 'en_core_web_sm'\..* \(the spaCy pipeline en_core_web_sm is not installed in .*: install it with `.* -m spacy download en_core_web_sm`\)$/);
      assert.match(r.lfs[0]!.firstError?.message ?? '', /-m spacy download en_core_web_sm/);
    });

    it("says a Snorkel module outside snorkel.labeling (augmentation) is skipped, not that its names are in snorkel.labeling", async () => {
      const r = await run('from snorkel.augmentation import transformation_function\n' + HEAD);
      assert.match(r.problems?.[0]?.message ?? '', /No module named 'snorkel\.augmentation'\..* has no such module: labeling functions do not need it \(the statements that use it are skipped\); to run them too, /);
      assert.deepEqual(listed(r), [
        ['a', true],
        ['b', false],
      ]);
    });

    if (name === 'the native runtime' && existsSync('/usr/lib/python3.11/EXTERNALLY-MANAGED')) {
      it("says how to install a missing package where the system's Python refuses pip (PEP 668): a virtual environment", async () => {
        const r = await run('import gin\n' + HEAD);
        assert.match(r.problems?.[0]?.message ?? '', /install it with `\/usr\/bin\/python3 -m pip install gin-config`, which this system-managed Python refuses \(PEP 668\).*\.venv\/bin\/python -m pip install gin-config/);
      });
    }

    it('keeps a later lfs list that builds after one that raised', async () => {
      const r = await run(HEAD + 'lfs = [a, b, undefined_lf]\nlfs = [b]\n');
      // The listed LF first: the list's order.
      assert.deepEqual(listed(r), [
        ['b', true],
        ['a', false],
      ]);
      assert.equal(r.problems?.length, 1);
    });

    it('names the LFs a statement that raised would have defined: a decorator, a LabelingFunction(...)', async () => {
      const source =
        HEAD +
        'from snorkel.labeling import LabelingFunction\n' +
        'def needs_spacy():\n    raise ImportError("spaCy is not installed")\n\n' +
        '@labeling_function(pre=[needs_spacy()])\ndef c(x):\n    return 1\n\n' +
        'd = LabelingFunction(name="d_named", f=lambda x: 1, resources=dict(words=open("missing_words.txt").read()))\n' +
        'notebook_cell = df_train.shape\n';
      const r = await run(source);
      assert.deepEqual(listed(r), [
        ['a', true],
        ['b', false],
      ]);
      const problems = (r.problems ?? []).map((p) => [p.line, p.undefinedLfs ?? null]);
      // A problem's line is where it raised in the file: the decorator's `raise`, inside needs_spacy.
      assert.deepEqual(problems, [
        [14, ['c']],
        [20, ['d_named']],
        [21, null],
      ]);
      assert.match(r.problems![0]!.message, /ImportError: spaCy is not installed \(so c is not defined\)$/);
      assert.match(r.problems![1]!.message, /No such file or directory.*\(so d_named is not defined\)$/);
    });

    it('names the LFs of a class whose statement raised (a member whose decorator raised)', async () => {
      const source =
        HEAD +
        'def needs_spacy():\n    raise ImportError("spaCy is not installed")\n\n' +
        'class LFs:\n    @staticmethod\n    @labeling_function()\n    def fine(x):\n        return 1\n\n' +
        '    @staticmethod\n    @labeling_function(pre=[needs_spacy()])\n    def person(x):\n        return 1\n';
      const r = await run(source);
      assert.deepEqual(
        r.lfs.map((lf) => lf.name),
        ['a', 'b'],
      );
      assert.deepEqual(r.problems?.[0]?.undefinedLfs, ['fine', 'person']);
      assert.match(r.problems![0]!.message, /\(so fine, person are not defined\)$/);
    });

    it('names the LFs a raising statement left out without tripping on an LF whose name is no string', async () => {
      const r = await run(HEAD + 'from snorkel.labeling import LabelingFunction\nodd = LabelingFunction("odd", lambda x: -1)\nodd.name = ["not", "a", "name"]\nboom = 1 / 0\n');
      // The file's problem, said as such (it was a protocol breach).
      assert.equal(r.fileError?.kind, 'import');
      assert.equal(r.fileError!.message, "a labeling function's name is a list, not a string");
      assert.doesNotMatch(r.fileError!.message, /ready: pyodide|exit code/);
    });

    it('sums up the failing statements past the 50th instead of dropping them', async () => {
      const cells = Array.from({ length: 60 }, (_, i) => `x${i} = missing_${i}\n`).join('');
      const r = await run(HEAD + cells);
      const problems = r.problems ?? [];
      assert.equal(problems.length, 51);
      assert.match(problems[49]!.message, /missing_49/);
      assert.deepEqual([problems[50]!.line, problems[50]!.message], [62, '10 more top-level statements raised (lines 62 to 71), not shown; fix the ones above first: one missing import or package often causes the rest']);
    });

    it("takes a top-level exit() (a script's `except FileNotFoundError: exit(1)`) as a statement that raised; the file runs on", async () => {
      const source = HEAD + 'try:\n    open("missing.csv")\nexcept FileNotFoundError:\n    print("missing.csv not found")\n    exit(1)\n\nquit()\n';
      const r = await run(source);
      assert.equal(r.fileError, null, JSON.stringify(r.fileError));
      assert.deepEqual(r.lfs.map((l) => [l.name, l.errors]), [['a', 0], ['b', 0]]);
      assert.deepEqual([...r.lfs[0]!.votes], [1, -1, -1]);
      assert.deepEqual((r.problems ?? []).map((p) => [p.line, /SystemExit/.test(p.message)]), [[16, true], [18, true]]);
    });

    it("orders a file's LFs as its lfs list does (Snorkel's applier columns), the unlisted ones after, in source order", async () => {
      const source = HEAD.replace('lfs = [a]\n', '') + '\n@labeling_function()\ndef c(x):\n    return -1\n\nlfs = [c, a]\n';
      const r = await run(source);
      assert.equal(r.fileError, null, JSON.stringify(r.fileError));
      assert.deepEqual(listed(r), [
        ['c', true],
        ['a', true],
        ['b', false],
      ]);
      assert.deepEqual([...r.lfs[1]!.votes], [1, -1, -1], 'the votes follow their LF');
      // HEAD with its `lfs = [a]` replaced by `lists`: each LF's name and listed flag (null without a list).
      const listedWith = async (lists: string) => listed(await run(HEAD.replace('lfs = [a]\n', lists))).map(([n, l]) => [n, l ?? null]);
      // Without a list: source order.
      assert.deepEqual(await listedWith(''), [
        ['a', null],
        ['b', null],
      ]);
      // A list named like it (ALL_LFS), or an lfs dict (its values, as a factory returning a dict gives them).
      assert.deepEqual(await listedWith('ALL_LFS = [b]\nWORDS = ["x"]\n'), [
        ['b', true],
        ['a', false],
      ]);
      assert.deepEqual(await listedWith('lfs = {"second": b, "first": a}\n'), [
        ['b', true],
        ['a', true],
      ]);
      // Grouped: a dict of lists (a generator's LFs per area), a list of lists.
      assert.deepEqual(await listedWith('lfs = {"BC": [b], "AI": (a,)}\n'), [
        ['b', true],
        ['a', true],
      ]);
      assert.deepEqual(await listedWith('SPAM = [b]\nHAM = [a]\nlfs = [SPAM, HAM]\n'), [
        ['b', true],
        ['a', true],
      ]);
      // Lists of some of them (SPAM_LFS, extra_lfs), and no lfs: every LF counts, in source order.
      assert.deepEqual(await listedWith('SPAM_LFS = [a]\nextra_lfs = [b]\n'), [
        ['a', null],
        ['b', null],
      ]);
      // One list under two names is one list.
      assert.deepEqual(await listedWith('ALL_LFS = [b]\nLABELING_FUNCTIONS = ALL_LFS\n'), [
        ['b', true],
        ['a', false],
      ]);
      // Two lists named like it: no choice either.
      assert.deepEqual(await listedWith('LFS = [a]\nALL_LFS = [b]\n'), [
        ['a', null],
        ['b', null],
      ]);
    });

    it('orders the LFs of a list imported from another file as that list does (train.py: `from lf_defs import lfs`), without taking it as its own', async () => {
      const defs = HEAD.replace('lfs = [a]\n', 'lfs = [b, a]\n');
      writeFileSync(join(ws, 'lf_defs.py'), defs);
      const r = await executor.runFile({
        file: join(ws, 'train.py'),
        source: 'from snorkel.labeling import PandasLFApplier\nfrom lf_defs import lfs\n\napplier = PandasLFApplier(lfs=lfs)\n',
        siblingModules: { lf_defs: defs },
        datasetKey: 'rows',
        cardinality: 2,
        timeoutMs: 20_000,
      });
      assert.deepEqual(listed(r), [
        ['b', undefined],
        ['a', undefined],
      ]);
    });

    it('says that a helper named like a standard-library module Python had already imported (keyword.py) is not the one imported, and to rename it', async () => {
      const source =
        'from snorkel.labeling import labeling_function\nfrom keyword import SPAM\nimport keyword\n\n' +
        '@labeling_function()\ndef by_import(x):\n    return 1 if any(w in x.text for w in SPAM) else -1\n\n' +
        '@labeling_function()\ndef by_attribute(x):\n    return 1 if any(w in x.text for w in keyword.SPAM) else -1\n\n' +
        '@labeling_function()\ndef other_error(x):\n    return keyword.NOT_HERE_EITHER\n';
      const r = await runWithHelper('stdlib_named.py', source, 'keyword', 'SPAM = ["spam"]\n');
      const hint = /keyword\.py beside the LF file is named like the standard-library module keyword, which Python had already imported, so the import reads the standard library's; rename your file, e\.g\. to my_keyword\.py/;
      const message = (lf: string) => String(r.lfs.find((l) => l.name === lf)?.firstError?.message);
      assert.match(message('by_import'), /ImportError: cannot import name 'SPAM' from 'keyword'/);
      assert.match(message('by_import'), hint);
      assert.match(message('by_attribute'), /AttributeError: module 'keyword' has no attribute 'SPAM'/);
      assert.match(message('by_attribute'), hint);
      assert.match(String(r.problems?.[0]?.message), hint);
      // Without a keyword.py of the user's, the same errors say nothing of it.
      const plain = await run(source.replace('from keyword import SPAM\n', 'SPAM = []\n'));
      assert.doesNotMatch(String(plain.lfs.find((l) => l.name === 'other_error')?.firstError?.message), /beside the LF file/);
    });

    it('names a failed `from helpers import *` as the likely cause of a NameError, with its missing package', async () => {
      const helper = 'import spacy_not_installed_here\n\ndef first_token(text):\n    return text.split()[0]\n';
      const source =
        'from snorkel.labeling import labeling_function\nfrom star_helpers import *\n\nFIRST = first_token("a b")\n\n' +
        '@labeling_function()\ndef starts(x):\n    return 1 if first_token(x.text) == "spam" else -1\n\n' +
        '@labeling_function()\ndef own_name_error(x):\n    raise NameError("my own message")\n\n' +
        '@labeling_function()\ndef own_errno(x):\n    raise FileNotFoundError(2, "No such file or directory", "kw.txt")\n';
      const r = await runWithHelper('star.py', source, 'star_helpers', helper);
      const lf = r.lfs.find((l) => l.name === 'starts');
      assert.equal(lf?.firstError?.kind, 'missing-package');
      assert.match(
        String(lf?.firstError?.message),
        /^NameError: name 'first_token' is not defined; it may be one of the names of the `import \*` at line 2, which raised: .*No module named 'spacy_not_installed_here'/,
      );
      // A NameError an LF raises itself keeps its message; an error number an LF gives keeps its value.
      assert.equal(r.lfs.find((l) => l.name === 'own_name_error')?.firstError?.message, 'NameError: my own message');
      assert.match(String(r.lfs.find((l) => l.name === 'own_errno')?.firstError?.message), /^FileNotFoundError: \[Errno 2\] No such file or directory: 'kw\.txt'/);
      // The top-level statement that used it is told the same cause, briefly.
      assert.ok(r.problems?.some((p) => p.line === 4 && /name 'first_token' is not defined; it may be one of the names of the `import \*` at line 2, which raised$/.test(p.message)), JSON.stringify(r.problems));
    });

    it('passes each row to an LF once, as Snorkel does, when a row raises or a value is not a plain int (an IntEnum, a numpy int)', async () => {
      const r = await run(
        'from snorkel.labeling import labeling_function\n\nCALLS = []\nSEEN = []\n\n' +
          '@labeling_function()\ndef raises_on_second_call(x):\n    CALLS.append(x.text)\n    if len(CALLS) == 2:\n        raise ValueError("second call")\n    return 1 if len(CALLS) <= 3 else 0\n\n' +
          'from enum import IntEnum\n\nclass Label(IntEnum):\n    HAM = 0\n    SPAM = 1\n\n' +
          '@labeling_function()\ndef votes_an_enum(x):\n    SEEN.append(x.text)\n    return Label.SPAM if len(SEEN) <= 3 else Label.HAM\n',
      );
      const lf = (n: string) => r.lfs.find((l) => l.name === n)!;
      assert.deepEqual([...lf('raises_on_second_call').votes], [1, -1, 1]);
      assert.equal(lf('raises_on_second_call').errors, 1);
      assert.equal(lf('raises_on_second_call').firstError?.message, 'ValueError: second call');
      assert.deepEqual([...lf('votes_an_enum').votes], [1, 1, 1]);
    });

    it('counts a StopIteration (next() with nothing left) and an exception whose str() raises as that row\'s error, and the other rows as voted', async () => {
      const r = await run(
        'from snorkel.labeling import labeling_function\n\n' +
          '@labeling_function()\ndef first_spam_word(x):\n    next(w for w in x.text.split() if w == "spam")\n    return 1\n\n' +
          'class Token:\n    def __init__(self, t):\n        self.t = t\n    def __hash__(self):\n        return hash(self.t)\n    def __eq__(self, o):\n        return isinstance(o, Token) and o.t == self.t\n' +
          '    def __repr__(self):\n        return "Token(" + self.missing + ")"\n\nWEIGHTS = {Token("spam"): 1}\n\n' +
          '@labeling_function()\ndef weighted(x):\n    return WEIGHTS[Token(x.text.split()[0])]\n',
      );
      const lf = (n: string) => r.lfs.find((l) => l.name === n)!;
      assert.equal(r.fileError, null);
      assert.deepEqual([...lf('first_spam_word').votes], [1, -1, -1]);
      assert.equal(lf('first_spam_word').errors, 2);
      assert.match(String(lf('first_spam_word').firstError?.message), /^StopIteration: the LF raised StopIteration/);
      assert.deepEqual([...lf('weighted').votes], [1, -1, -1]);
      assert.equal(lf('weighted').errors, 2);
      assert.match(String(lf('weighted').firstError?.message), /^KeyError: <exception str\(\) failed>/);
    });

    it("tells NLTK's missing-data error (framed in asterisks) by its first line, and where to download the data so the runtime finds it", async () => {
      // The message NLTK 3.8 raises, colour codes included.
      const nltkMessage = "\\n" + '*'.repeat(70) + "\\n  Resource \\x1b[93mwordnet\\x1b[0m not found.\\n  Please use the NLTK Downloader to obtain the resource:\\n\\n  \\x1b[31m>>> import nltk\\n  >>> nltk.download('wordnet')\\n  \\x1b[0m\\n  Searched in:\\n    - '/root/nltk_data'\\n" + '*'.repeat(70) + "\\n";
      const r = await run(`from snorkel.labeling import labeling_function\n\n@labeling_function()\ndef synonyms(x):\n    raise LookupError("${nltkMessage}")\n`);
      const message = String(r.lfs[0]?.firstError?.message);
      assert.match(message, /^LookupError: Resource wordnet not found\. \(LF Studio runs LF files without your home folder/);
      assert.match(message, /-m nltk\.downloader -d nltk_data wordnet` run there, and add `nltk\.data\.path\.append\("nltk_data"\)` after `import nltk`/);
    });

    it('says a file of more than 2000 LFs is too many, rather than that it broke the protocol', async () => {
      const many = (n: number) => `from snorkel.labeling import LabelingFunction\nfor i in range(${n}):\n    globals()[f"lf_{i}"] = LabelingFunction(name=f"lf_{i}", f=lambda x: -1)\n`;
      const r = await run(many(2001));
      assert.equal(r.lfs.length, 0);
      assert.equal(r.fileError?.message, 'the file defines 2001 labeling functions; at most 2000 are run from one file: split it into files of 2000 or fewer');
      const ok = await run(many(3));
      assert.equal(ok.fileError, null);
      assert.equal(ok.lfs.length, 3);
    });

    it("says an expression too long for Python's compiler is that, not a refusal or a statement's recursion", async () => {
      const r = await run(`from snorkel.labeling import labeling_function\n\n@labeling_function()\ndef big(x):\n    return ${Array(100_000).fill('0').join('+')}\n`);
      assert.equal(r.lfs.length, 0);
      assert.match(String(r.fileError?.message), /too long or too deeply nested for Python's compiler/);
      assert.doesNotMatch(String(r.fileError?.message), /LF sandbox refused/);
    });

    it("runs LFs named by their keywords past 200 characters (a factory's 'keyword_' + '_'.join(words)), and says which name is too long past 1000", async () => {
      const words = Array.from({ length: 40 }, (_, i) => `word${i}`);
      const r = await run(`from snorkel.labeling import LabelingFunction, labeling_function\nWORDS = ${JSON.stringify(words)}\nkw = LabelingFunction(name="keyword_" + "_".join(WORDS), f=lambda x: 1)\n\n@labeling_function(name="d" * 300)\ndef decorated(x):\n    return 0\n`);
      assert.equal(r.fileError, null);
      assert.deepEqual(r.lfs.map((lf) => lf.name.length), [8 + words.join('_').length, 300]);
      assert.deepEqual(r.lfs.map((lf) => [...lf.votes][0]), [1, 0]);
      const long = await run('from snorkel.labeling import LabelingFunction\nimport missing_pkg_xyz\nok = LabelingFunction(name="ok", f=lambda x: 1)\nlong = LabelingFunction(name="c" * 1200, f=lambda x: 1)\n');
      assert.match(String(long.problems?.[0]?.message), /No module named 'missing_pkg_xyz'/, 'the other failing statements are still shown');
      assert.equal(long.fileError?.message, "the labeling function named 'cccccccccccccccccccccccccccccccccccccccc'... has a name of 1200 characters; LF Studio takes names of at most 1000: give it a shorter name");
      assert.equal(long.fileError?.line, 4);
      // Counted as the parent counts (an emoji is two UTF-16 units), so a name past it is never a protocol breach.
      const emoji = await run('from snorkel.labeling import LabelingFunction\nwide = LabelingFunction(name="\\U0001F600" * 600, f=lambda x: 1)\n');
      assert.match(String(emoji.fileError?.message), /has a name of 1200 characters; LF Studio takes names of at most 1000/);
    });
  });
}
