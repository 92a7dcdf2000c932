// Relative imports from an LF file inside a package folder (pkg/__init__.py, pkg/helper.py, pkg/lfs_a.py doing
// `from . import helper` or `from .helper import WORDS`): the pyodide sandbox gives the votes plain python3
// gives, as the native runtime does; and an error raised inside the package's __init__.py or a helper module
// names that file and line in its message, not only the LF file's import line. A file in a package of
// packages (proj/lfs/rules.py) imports its own package from the project root (`from proj.lfs import Label`),
// as Python run from the project does, and gets the same package object `from . import` gives. A file in a
// plain folder imports the user's packages beside it (mylib/text/clean.py, a folder without __init__.py); a file
// in a folder without __init__.py inside a package runs as a module of that package (hmm/labeling/moral.py).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FileRunResult, LfExecutor } from '../../lf-runtime/src/sandbox/types.ts';
import { bothRuntimes, PYTHON } from '../support/bothRuntimes.ts';

const TEXTS = ['Check out my channel', 'nice song', 'please subscribe http://spam', 'i love this song', 'my my my', 'subscribe to my channel please', 'Katy is the best'];
const ROWS = TEXTS.map((text, i) => ({ id: `r${i}`, fields: { text } }));

const FILES: Record<string, string> = {
  'pkg/__init__.py': 'PACKAGE_WORDS = ["best"]\n',
  'pkg/helper.py': 'WORDS = ["check", "subscribe"]\n\ndef is_song(text):\n    return "song" in text\n',
  'pkg/lfs_a.py':
    'from snorkel.labeling import labeling_function\nfrom . import helper\n\n@labeling_function()\ndef kw(x):\n    return 1 if any(w in x.text.lower() for w in helper.WORDS) else -1\n',
  'pkg/lfs_b.py':
    'from snorkel.labeling import labeling_function\nfrom .helper import WORDS, is_song\nfrom . import PACKAGE_WORDS\nfrom pkg.helper import WORDS as SAME\n\n' +
    '@labeling_function()\ndef kw2(x):\n    return 1 if any(w in x.text.lower() for w in WORDS) else -1\n\n' +
    '@labeling_function()\ndef song(x):\n    return 0 if is_song(x.text) else -1\n\n' +
    '@labeling_function()\ndef best(x):\n    return 0 if any(w in x.text.lower() for w in PACKAGE_WORDS) and SAME is WORDS else -1\n',
  'broken/__init__.py': '',
  'broken/helper.py': 'WORDS = ["check"]\n\nBAD = undefined_name\n',
  'broken/lfs.py': 'from snorkel.labeling import labeling_function\nfrom .helper import WORDS\n\n@labeling_function()\ndef kw(x):\n    return 1 if "check" in x.text.lower() else -1\n',
  'badinit/__init__.py': 'import os\nVALUE = 1 / 0\n',
  'badinit/helper.py': 'WORDS = ["check"]\n',
  'badinit/lfs.py': 'from snorkel.labeling import labeling_function\nfrom . import helper\n\n@labeling_function()\ndef kw(x):\n    return -1\n',
  'proj/__init__.py': '',
  'proj/lfs/__init__.py': 'from enum import Enum\n\nABSTAIN = -1\n\nclass Label(Enum):\n    HAM = 0\n    SPAM = 1\n',
  'proj/lfs/words.py': 'SPAM_WORDS = ("subscribe", "check out")\n',
  'proj/lfs/rules.py':
    'from snorkel.labeling import labeling_function\nfrom proj.lfs import Label, ABSTAIN\nfrom . import words\nfrom .words import SPAM_WORDS\nimport proj.lfs as same\n\n' +
    '@labeling_function()\ndef spam_words(x):\n    return Label.SPAM.value if any(w in x.text.lower() for w in SPAM_WORDS) else ABSTAIN\n\n' +
    '@labeling_function()\ndef one_package(x):\n    return Label.HAM.value if same.Label is Label and words.SPAM_WORDS is SPAM_WORDS and "song" in x.text else ABSTAIN\n',
  // A helper one package down that imports from the package above (`from ..shared import WORDS`), star-imported
  // by a file with two LFs: each LF runs the file again, and the second must see what the first saw.
  'deep/__init__.py': '',
  'deep/shared.py': 'WORDS = ("check", "song")\n',
  'deep/sub/__init__.py': '',
  'deep/sub/helpers.py': 'from ..shared import WORDS\n\ndef has_first(t):\n    return WORDS[0] in t.lower()\n\ndef has_second(t):\n    return WORDS[1] in t.lower()\n',
  'deep/sub/lfs.py':
    'from snorkel.labeling import labeling_function\nfrom .helpers import *\n\n' +
    '@labeling_function()\ndef first(x):\n    return 1 if has_first(x.text) else -1\n\n' +
    '@labeling_function()\ndef second(x):\n    return 0 if has_second(x.text) else -1\n',
  // A folder without an __init__.py inside a package (hmm/labeling/ in hmm/): a namespace portion of it, whose
  // file imports from the package above (`from ..classification import *`), and the package runs first.
  'hmm/__init__.py': 'LOADED = ["hmm"]\n',
  'hmm/classification.py': 'from . import LOADED\nKEYWORDS = ("check", "subscribe")\nLOADED.append("classification")\n',
  'hmm/labeling/moral.py':
    'from snorkel.labeling import labeling_function\nfrom ..classification import *\nfrom .. import LOADED\n\n' +
    '@labeling_function()\ndef keywords(x):\n    return 1 if any(k in x.text.lower() for k in KEYWORDS) and LOADED == ["hmm", "classification"] else -1\n',
  // The same, with an __init__.py that raises two folders above the LF file.
  'hmmbad/__init__.py': 'import os\nVALUE = 1 / 0\n',
  'hmmbad/labeling/lfs.py': 'from snorkel.labeling import labeling_function\nfrom .. import VALUE\n\n@labeling_function()\ndef kw(x):\n    return -1\n',
  // A package whose __init__.py gathers its modules' LFs (a self-registering package): the LF file imports it.
  'reg/__init__.py':
    'import os\nlfs = []\nfor name in sorted(os.listdir(os.path.dirname(__file__))):\n    if name.endswith(".py") and not name.startswith("_"):\n' +
    '        lfs.extend(__import__("reg." + name[:-3], fromlist=["get_lfs"]).get_lfs())\n',
  'reg/n0.py':
    'from . import *\nfrom snorkel.labeling import labeling_function\n\n@labeling_function()\ndef reg_check(x):\n    return 1 if "check" in x.text.lower() else -1\n\n' +
    'lfs = [reg_check]\n\ndef get_lfs():\n    return lfs\n',
  // A helper whose module-level state hands out class ids: every LF must see what the file's first run saw.
  'counter/classes.py': '_n = [0]\n\ndef new_class():\n    _n[0] += 1\n    return _n[0] - 1\n',
  'counter/lfs.py':
    'from snorkel.labeling import labeling_function\nfrom classes import new_class\n\nHAM = new_class()\nSPAM = new_class()\n\n' +
    '@labeling_function()\ndef spam(x):\n    return SPAM if "check" in x.text.lower() else -1\n\n' +
    '@labeling_function()\ndef ham(x):\n    return HAM if "song" in x.text.lower() else -1\n\n' +
    '@labeling_function()\ndef also_spam(x):\n    return SPAM if "subscribe" in x.text.lower() else -1\n',
  'calls/__init__.py': '',
  // A src layout without __init__.py files (a namespace package the project installs): imported by its name.
  'srcns/src/ssp/lfs/kw.py': 'WORDS = ["check"]\n',
  'srcns/src/ssp/lfs/rules.py': 'from snorkel.labeling import labeling_function\nfrom ssp.lfs.kw import WORDS\n\n@labeling_function()\ndef kw(x):\n    return 1 if WORDS[0] in x.text.lower() else -1\n',
  // A subpackage named like a module already imported (snorkel): only the outermost name is imported alone.
  'myproj/__init__.py': '',
  'myproj/snorkel/__init__.py': '',
  'myproj/snorkel/kw.py': 'WORDS = ["check", "subscribe"]\n',
  'myproj/snorkel/lfs.py':
    'from snorkel.labeling import labeling_function\nfrom myproj.snorkel.kw import WORDS\nfrom .kw import WORDS as SAME\n\n' +
    '@labeling_function()\ndef kw(x):\n    return 1 if SAME is WORDS and any(w in x.text.lower() for w in WORDS) else -1\n',
  // A plain folder (no __init__.py) holding the user's own packages: one with a subpackage, one without an
  // __init__.py (a namespace package), as a notebook's folder often does.
  'app/lfs.py':
    'from snorkel.labeling import labeling_function\nfrom mylib.text.clean import norm\nfrom mylib import consts\nfrom mylib.text import norm as same_norm\nimport nspkg.words as nw\n\n' +
    '@labeling_function()\ndef spam_word(x):\n    return consts.SPAM if any(w in norm(x.text) for w in nw.SPAM_WORDS) else consts.ABSTAIN\n\n' +
    '@labeling_function()\ndef one_module(x):\n    return 0 if same_norm is norm and "song" in norm(x.text) else -1\n',
  'app/lfs_err.py': 'from snorkel.labeling import labeling_function\nfrom mylib.text.clean import third\n\n@labeling_function()\ndef third_word(x):\n    return 1 if third(x.text) == "my" else -1\n',
  'app/mylib/__init__.py': '',
  'app/mylib/consts.py': 'SPAM = 1\nABSTAIN = -1\n',
  'app/mylib/text/__init__.py': 'from .clean import norm\n',
  'app/mylib/text/clean.py': 'def norm(text):\n    return text.lower().strip()\n\ndef third(text):\n    words = text.split()\n    return words[2]\n',
  'app/nspkg/words.py': 'SPAM_WORDS = ("subscribe", "check out")\n',
  // A path written from the project root, where the project's scripts run, not from the file's folder.
  'res/words.txt': 'check\n',
  'rootpath/lfs.py': 'from snorkel.labeling import labeling_function\nWORDS = open("res/words.txt").read().split()\n\n@labeling_function()\ndef kw(x):\n    return 1 if WORDS else -1\n',
  'calls/helper.py': 'def score(text):\n    words = text.split()\n    return words[10]\n',
  'calls/lfs.py': 'from snorkel.labeling import labeling_function\nfrom .helper import score\n\n@labeling_function()\ndef long_text(x):\n    return 1 if score(x.text) else -1\n',
};

/** The files beside an LF file, as the engine gives them to the runtime (analysisEngine.siblingModules). */
function siblings(ws: string, file: string): Record<string, string> {
  const cut = file.lastIndexOf('/');
  const [folder, base] = [file.slice(0, cut), file.slice(cut + 1)];
  const out: Record<string, string> = {};
  for (const name of readdirSync(join(ws, folder)).filter((n) => n.endsWith('.py') && n !== base)) out[name.slice(0, -3)] = readFileSync(join(ws, folder, name), 'utf8');
  return out;
}

/** Plain python3 importing pkg.<module> from the workspace, with a minimal snorkel, applying its LFs. */
function plainPython(ws: string, module: string): Record<string, number[]> {
  const shim = join(ws, '.shim');
  mkdirSync(join(shim, 'snorkel'), { recursive: true });
  writeFileSync(join(shim, 'snorkel', '__init__.py'), '');
  writeFileSync(
    join(shim, 'snorkel', 'labeling.py'),
    'class LabelingFunction:\n    def __init__(self, name, f):\n        self.name, self.f = name, f\n    def __call__(self, x):\n        return self.f(x)\n\ndef labeling_function(name=None, resources=None, pre=None):\n    return lambda f: LabelingFunction(name or f.__name__, f)\n',
  );
  const driver = `import importlib, json, sys, types
sys.path[0:0] = [sys.argv[1], sys.argv[2]]
from snorkel.labeling import LabelingFunction
mod = importlib.import_module(sys.argv[3])
rows = [types.SimpleNamespace(**r) for r in json.loads(sys.argv[4])]
print(json.dumps({v.name: [v(r) for r in rows] for v in vars(mod).values() if isinstance(v, LabelingFunction)}))
`;
  const r = spawnSync(PYTHON, ['-c', driver, shim, ws, module, JSON.stringify(ROWS.map((x) => x.fields))], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, number[]>;
}

const votes = (r: FileRunResult): Record<string, number[]> => Object.fromEntries(r.lfs.map((l) => [l.name, [...l.votes]]));

let ws = '';
before(() => {
  ws = mkdtempSync(join(tmpdir(), 'lf-relimport-'));
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(join(ws, path, '..'), { recursive: true });
    writeFileSync(join(ws, path), text);
  }
});
after(() => rmSync(ws, { recursive: true, force: true }));

const runtimes = bothRuntimes(() => ws);

for (const [name, make, skip] of runtimes) {
  describe(`relative imports in ${name}`, { skip }, () => {
    let executor: LfExecutor;
    const run = (file: string): Promise<FileRunResult> =>
      executor.runFile({ file: join(ws, file), source: FILES[file]!, siblingModules: siblings(ws, file), readRoot: ws, datasetKey: 'rows', cardinality: 2, timeoutMs: 20_000 });

    before(async () => {
      executor = make();
      await executor.loadRows('rows', ROWS);
    });
    after(() => executor.dispose());

    it('imports a sibling module and names from it, from a file inside a package, with the votes of plain python3', async () => {
      for (const [file, module] of [['pkg/lfs_a.py', 'pkg.lfs_a'], ['pkg/lfs_b.py', 'pkg.lfs_b']] as const) {
        const r = await run(file);
        assert.equal(r.fileError, null, JSON.stringify(r.fileError));
        assert.deepEqual(r.lfs.map((l) => [l.name, l.errors, l.firstError]), r.lfs.map((l) => [l.name, 0, null]));
        assert.deepEqual(votes(r), plainPython(ws, module), file);
      }
      assert.deepEqual(votes(await run('pkg/lfs_a.py')).kw, [1, -1, 1, -1, -1, 1, -1]);
    });

    it('imports the package of packages a file lies in from the project root, one package object, with the votes of plain python3', async () => {
      const r = await run('proj/lfs/rules.py');
      assert.equal(r.fileError, null, JSON.stringify(r.fileError));
      assert.deepEqual(r.problems ?? [], []);
      assert.deepEqual(votes(r), plainPython(ws, 'proj.lfs.rules'));
      assert.deepEqual(votes(r), { spam_words: [1, -1, 1, -1, -1, 1, -1], one_package: [-1, 0, -1, 0, -1, -1, -1] });
    });

    it('says how to import a package named by a folder above the file (a src layout without __init__.py files)', async () => {
      const r = await run('srcns/src/ssp/lfs/rules.py');
      assert.equal(r.fileError, null, JSON.stringify(r.fileError));
      const problem = (r.problems ?? []).find((p) => p.line === 2);
      assert.match(problem?.message ?? '', /^No module named 'ssp': ssp is the folder \S*srcns\/src\/ssp above this file, a package Python imports from the folder above it \(\S*srcns\/src\).*add an empty __init__\.py to \S*srcns\/src\/ssp, or import/, JSON.stringify(r.problems));
      assert.doesNotMatch(problem?.message ?? '', /put ssp\.py|pip install ssp/);
    });

    it('runs a file of a subpackage named snorkel as Python imports it (myproj.snorkel.lfs), with the votes of plain python3', async () => {
      const r = await run('myproj/snorkel/lfs.py');
      assert.equal(r.fileError, null, JSON.stringify(r.fileError));
      assert.deepEqual(r.problems ?? [], []);
      assert.deepEqual(votes(r), { kw: [1, -1, 1, -1, -1, 1, -1] });
      assert.deepEqual(votes(r), plainPython(ws, 'myproj.snorkel.lfs'));
    });

    it('runs every LF of a file whose star-imported helper imports from the package above, with the votes of plain python3', async () => {
      const r = await run('deep/sub/lfs.py');
      assert.equal(r.fileError, null, JSON.stringify(r.fileError));
      assert.deepEqual(r.problems ?? [], []);
      assert.deepEqual(r.lfs.map((l) => [l.name, l.errors, l.firstError?.message ?? null]), [['first', 0, null], ['second', 0, null]]);
      assert.deepEqual(votes(r), plainPython(ws, 'deep.sub.lfs'));
      assert.deepEqual(votes(r).second, [-1, 0, -1, 0, -1, -1, -1]);
    });

    it('runs a file in a folder without an __init__.py inside a package as Python imports it (hmm.labeling.moral), with the votes of plain python3', async () => {
      const r = await run('hmm/labeling/moral.py');
      assert.equal(r.fileError, null, JSON.stringify(r.fileError));
      assert.deepEqual(r.problems ?? [], []);
      assert.deepEqual(votes(r), { keywords: [1, -1, 1, -1, -1, 1, -1] });
      assert.deepEqual(votes(r), plainPython(ws, 'hmm.labeling.moral'));
    });

    it("runs a file of a package whose __init__.py imports its modules to gather their LFs, as Python imports it", async () => {
      const r = await run('reg/n0.py');
      assert.equal(r.fileError, null, JSON.stringify(r.fileError));
      assert.deepEqual(r.problems ?? [], []);
      assert.deepEqual(votes(r), { reg_check: [1, -1, -1, -1, -1, -1, -1] });
      assert.deepEqual(votes(r), plainPython(ws, 'reg.n0'));
    });

    it("imports a helper afresh for every LF, so its module-level state (a counter handing out class ids) is the same for each", async () => {
      const r = await run('counter/lfs.py');
      assert.equal(r.fileError, null, JSON.stringify(r.fileError));
      assert.deepEqual(r.lfs.map((l) => [l.name, l.errors]), [['spam', 0], ['ham', 0], ['also_spam', 0]]);
      assert.deepEqual(votes(r), { spam: [1, -1, -1, -1, -1, -1, -1], ham: [-1, 0, -1, 0, -1, -1, -1], also_spam: [-1, -1, 1, -1, -1, 1, -1] });
    });

    it("imports the user's packages beside a file in a plain folder (subpackages, a namespace package), with the votes of plain python3", async () => {
      const r = await run('app/lfs.py');
      assert.equal(r.fileError, null, JSON.stringify(r.fileError));
      assert.deepEqual(r.problems ?? [], []);
      assert.deepEqual(r.lfs.map((l) => [l.name, l.errors]), [['spam_word', 0], ['one_module', 0]]);
      assert.deepEqual(votes(r), plainPython(join(ws, 'app'), 'lfs'));
      assert.deepEqual(votes(r), { spam_word: [1, -1, 1, -1, -1, 1, -1], one_module: [-1, 0, -1, 0, -1, -1, -1] });
      const err = await run('app/lfs_err.py');
      assert.equal(err.fileError, null, JSON.stringify(err.fileError));
      assert.deepEqual(votes(err).third_word, [1, -1, -1, -1, 1, 1, -1]);
      assert.match(err.lfs[0]!.firstError?.message ?? '', /mylib\/text\/clean\.py:6: IndexError: list index out of range/);
    });

    it('says when a relative path the file did not find exists from the workspace folder, and how to write it', async () => {
      const r = await run('rootpath/lfs.py');
      const problem = r.problems?.[0];
      assert.ok(problem, JSON.stringify(r));
      assert.equal(problem.line, 2);
      assert.match(problem.message, /No such file or directory: 'res\/words\.txt'/);
      assert.match(problem.message, /res\/words\.txt exists from the workspace folder \(.*\/res\/words\.txt\), but LF files run from their own folder/);
      assert.match(problem.message, /os\.path\.join\(os\.path\.dirname\(__file__\), "\.\.\/res\/words\.txt"\)/);
    });

    it('names the helper module and line of an error raised while it is imported', async () => {
      const r = await run('broken/lfs.py');
      const error = r.fileError ?? r.problems?.[0] ?? null;
      assert.ok(error, JSON.stringify(r));
      assert.match(error.message, /broken\/helper\.py:3: NameError: name 'undefined_name' is not defined/);
      assert.equal(error.line, 2, 'reported at the LF file\'s import line');
      const init = await run('badinit/lfs.py');
      const initError = init.fileError ?? init.problems?.[0] ?? null;
      assert.ok(initError, JSON.stringify(init));
      assert.match(initError.message, /badinit\/__init__\.py:2: ZeroDivisionError/);
      assert.equal(initError.line, 2);
      // Raised in the __init__.py of the package above a folder without one (hmmbad/labeling/ in hmmbad/).
      const above = await run('hmmbad/labeling/lfs.py');
      const aboveError = above.fileError ?? above.problems?.[0] ?? null;
      assert.ok(aboveError, JSON.stringify(above));
      assert.match(aboveError.message, /^hmmbad\/__init__\.py:2: ZeroDivisionError/);
      assert.equal(aboveError.line, 2);
    });

    it('names the helper module and line of an error an LF hits inside it, at the LF file\'s line', async () => {
      const r = await run('calls/lfs.py');
      assert.equal(r.fileError, null, JSON.stringify(r.fileError));
      const lf = r.lfs[0]!;
      assert.equal(lf.errors, ROWS.length);
      assert.match(lf.firstError?.message ?? '', /calls\/helper\.py:3: IndexError: list index out of range/);
      assert.equal(lf.firstError?.line, 6);
    });
  });
}
