// What the benchmarks measure against: native \`python3\` applying the same LF file in a plain loop over the
// same rows (with a minimal stand-in for snorkel's decorator), and the rows and LF files they share.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Row } from '../../lf-runtime/src/data/types.ts';

const root = join(import.meta.dirname, '..', '..');

// Ten youtube-style LFs: keywords, regexes, length tests.
export const LF_FILE = `import re
from snorkel.labeling import labeling_function

ABSTAIN, HAM, SPAM = -1, 0, 1
MONEY = re.compile(r"\\$\\d+|money|cash|earn", re.I)


@labeling_function()
def keyword_my(x):
    return SPAM if "my" in x.text.lower() else ABSTAIN


@labeling_function()
def keyword_subscribe(x):
    return SPAM if "subscribe" in x.text.lower() else ABSTAIN


@labeling_function()
def keyword_link(x):
    return SPAM if "http" in x.text.lower() else ABSTAIN


@labeling_function()
def keyword_please(x):
    return SPAM if any(word in x.text.lower() for word in ["please", "plz"]) else ABSTAIN


@labeling_function()
def keyword_song(x):
    return HAM if "song" in x.text.lower() else ABSTAIN


@labeling_function()
def regex_check_out(x):
    return SPAM if re.search(r"check.*out", x.text, flags=re.I) else ABSTAIN


@labeling_function()
def short_comment(x):
    return HAM if len(x.text.split()) < 5 else ABSTAIN


@labeling_function()
def regex_money(x):
    return SPAM if MONEY.search(x.text) else ABSTAIN


@labeling_function()
def long_comment(x):
    return SPAM if len(x.text) > 200 else ABSTAIN


@labeling_function()
def many_exclamations(x):
    return SPAM if x.text.count("!") >= 3 else ABSTAIN
`;

/** The same file with every LF duplicated under a second name: 20 LFs. */
export const LF_FILE_20 = LF_FILE + LF_FILE.split('\n\n\n').slice(1).join('\n\n\n').replace(/def (\w+)\(/g, 'def $1_b(');

const NATIVE_SHIM = `class LabelingFunction:
    def __init__(self, name, f, resources=None, pre=None):
        self.name, self._f, self._resources, self._pre = name, f, dict(resources or {}), list(pre or [])

    def __call__(self, x):
        for p in self._pre:
            x = p(x)
        return self._f(x, **self._resources)


def labeling_function(name=None, resources=None, pre=None):
    return lambda f: LabelingFunction(name or f.__name__, f, resources, pre)
`;

const NATIVE_DRIVER = `import json, resource, runpy, sys, time, types
t0 = time.perf_counter()
sys.path.insert(0, sys.argv[1])
from snorkel.labeling import LabelingFunction
texts = json.load(open(sys.argv[2]))
rows = [types.SimpleNamespace(text=t) for t in texts]
ns = runpy.run_path(sys.argv[3])
lfs = [v for v in ns.values() if isinstance(v, LabelingFunction)]
only = sys.argv[4] if len(sys.argv) > 4 else None
t1 = time.perf_counter()
for lf in lfs:
    if only and lf.name != only:
        continue
    votes = [lf(x) for x in rows]
t2 = time.perf_counter()
print(json.dumps({"applyMs": (t2 - t1) * 1000, "inProcessMs": (t2 - t0) * 1000, "maxRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
`;

export function youtubeTexts(): string[] {
  const texts: string[] = [];
  for (const split of ['train', 'valid', 'test']) {
    const data = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'wrench', 'youtube', `${split}.json`), 'utf8')) as Record<string, { data: { text: string } }>;
    for (const v of Object.values(data)) texts.push(v.data.text);
  }
  return texts;
}

/** n rows made by repeating the youtube comments with deterministic perturbations. */
export function makeRows(n: number, base: string[]): Row[] {
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const suffixes = ['', ' !!', ' please', ' my song', ' http://x.co', ' lol', ' check it out', ''];
  return Array.from({ length: n }, (_, i) => {
    let text = base[i % base.length];
    if (rand() < 0.5) text = text + suffixes[Math.floor(rand() * suffixes.length)];
    if (rand() < 0.2) text = text.toUpperCase();
    return { id: String(i), fields: { text } };
  });
}

export interface NativeRun {
  applyMs: number;
  inProcessMs: number;
  maxRssMb: number;
  processMs: number;
}

/** Writes the stand-in snorkel package and the driver into `work` (once per benchmark process). */
export function setUpNative(work: string): void {
  mkdirSync(join(work, 'shim', 'snorkel'), { recursive: true });
  writeFileSync(join(work, 'shim', 'snorkel', '__init__.py'), '');
  writeFileSync(join(work, 'shim', 'snorkel', 'labeling.py'), NATIVE_SHIM);
  writeFileSync(join(work, 'driver.py'), NATIVE_DRIVER);
}

/**
 * Runs `lfFile` (only the LF named `only`, when given) over the rows' texts in a fresh process of `python`
 * (default: python3 on PATH).
 */
export function runNative(work: string, rows: Row[], lfFile: string, only?: string, python = 'python3'): NativeRun {
  const dataFile = join(work, `texts-${rows.length}.json`);
  writeFileSync(dataFile, JSON.stringify(rows.map((r) => r.fields.text)));
  const t0 = performance.now();
  const r = spawnSync(python, [join(work, 'driver.py'), join(work, 'shim'), dataFile, lfFile, ...(only ? [only] : [])], { encoding: 'utf8' });
  const processMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`python3 driver failed: ${r.stderr}`);
  return { ...(JSON.parse(r.stdout) as Omit<NativeRun, 'processMs'>), processMs };
}

/** The middle value (upper median for an even count). */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** A duration in whole milliseconds. */
export const fmt = (ms: number): string => `${ms.toFixed(0)} ms`;
