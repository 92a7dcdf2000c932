// Candidates from model replies, cut along the structure Python's own parser reports in the real sandbox.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codeBlocks, extractCandidates, uniqueName } from '../../lf-runtime/src/llm/candidateExtraction.ts';
import { lfNames, lfsWithCode } from '../../lf-runtime/src/llm/pythonSource.ts';
import type { Candidate } from '../../lf-runtime/src/llm/types.ts';
import { sandboxParser } from '../support/sandboxParser.ts';

const REPLY = `Here are two labeling functions.

\`\`\`python
import re
from snorkel.labeling import labeling_function

ABSTAIN, HAM, SPAM = -1, 0, 1
LINK = re.compile(r"https?://|www\\.", re.I)

def has_link(text):
    return LINK.search(text) is not None

@labeling_function()
def link_spam(x):
    """Links are promotion."""
    return SPAM if has_link(x.text) else ABSTAIN

@labeling_function()
def keyword_my(x):
    return SPAM if "my channel" in x.text.lower() else ABSTAIN
\`\`\`
It uses links.

\`\`\`py
def love_song(x):
    return HAM if "love this song" in x.text.lower() else ABSTAIN
\`\`\`
`;

const extract = (reply: string, existingNames: string[] = [], labels = ['HAM', 'SPAM']) =>
  extractCandidates(reply, { labels, existingNames, parser: sandboxParser() });
const python = (code: string) => `\`\`\`python\n${code}\n\`\`\``;
const named = (candidates: Candidate[], name: string): Candidate => {
  const c = candidates.find((x) => x.name === name);
  assert.ok(c, `a candidate named ${name} among ${candidates.map((x) => x.name).join(', ')}`);
  return c;
};

test('one candidate per labeling function, each with only the helpers and imports it uses', async () => {
  const { candidates, noUsableCode } = await extract(REPLY, ['keyword_my']);
  assert.equal(noUsableCode, null);
  assert.deepEqual(candidates.map((c) => c.name), ['link_spam', 'keyword_my_2', 'love_song']);
  const link = candidates[0]!;
  assert.match(link.code, /^import re/m);
  assert.match(link.code, /LINK = re\.compile/);
  assert.match(link.code, /def has_link/);
  assert.match(link.code, /from snorkel\.labeling import labeling_function/);
  // keyword_my does not use the helper, so it does not carry it.
  const renamed = candidates[1]!;
  assert.equal(renamed.originalName, 'keyword_my');
  assert.match(renamed.code, /def keyword_my_2\(x\):/);
  assert.doesNotMatch(renamed.code, /has_link/);
  assert.doesNotMatch(renamed.code, /^import re/m);
  // Each candidate holds exactly one LF, and its support parses on its own.
  for (const c of candidates) {
    const [own, support] = await sandboxParser().parsePython([c.code, c.support.join('\n')]);
    assert.ok(own!.ok && support!.ok, c.code);
    if (own!.ok) assert.deepEqual(lfNames(own!.structure), [c.name]);
  }
});

test('an undecorated one-argument function gets the decorator, its import and the constants it uses', async () => {
  const { candidates } = await extract(REPLY);
  const song = named(candidates, 'love_song');
  assert.match(song.functionCode, /^@labeling_function\(\)\ndef love_song/);
  assert.match(song.code, /from snorkel\.labeling import labeling_function/);
  assert.match(song.code, /ABSTAIN = -1\nHAM = 0/);
  assert.doesNotMatch(song.code, /SPAM = 1/);
});

test('a helper that a one-argument function calls is not taken for an LF', async () => {
  const code = 'def clean(t):\n    return t.lower()\n\ndef spam_word(x):\n    return SPAM if "free" in clean(x.text) else ABSTAIN\n';
  const { candidates } = await extract(python(code));
  assert.deepEqual(candidates.map((c) => c.name), ['spam_word']);
  assert.match(candidates[0]!.code, /def clean\(t\):/);
});

test('names collide neither with existing LFs nor with each other', async () => {
  const twice = `${python('@labeling_function()\ndef kw(x):\n    return 1')}\n${python('@labeling_function()\ndef kw(x):\n    return 0')}`;
  const { candidates } = await extract(twice, ['kw', 'kw_2'], ['A', 'B']);
  assert.deepEqual(candidates.map((c) => c.name), ['kw_3', 'kw_4']);
  assert.match(candidates[1]!.functionCode, /^def kw_4\(x\):\n {4}return 0$/m);
  assert.equal(uniqueName('kw', new Set()), 'kw');
});

test('a reply without code says there is no usable code', async () => {
  const result = await extract('I cannot help with that, but consider keywords.', [], ['A', 'B']);
  assert.equal(result.candidates.length, 0);
  assert.match(result.noUsableCode ?? '', /no usable code/);
});

test('a block that does not parse is listed with Python\'s reason and line, never dropped silently', async () => {
  const reply = python('@labeling_function()\ndef broken(x):\n    return SPAM if ("a" in x.text else ABSTAIN');
  const result = await extract(reply, [], ['A', 'B']);
  assert.equal(result.candidates.length, 1);
  assert.match(result.candidates[0]!.parseError ?? '', /^code block 1 does not parse: .+ \(line 3\)$/);
  assert.match(result.noUsableCode ?? '', /failed to parse/);
});

test('without a running parser every block is listed unchecked and none is usable', async () => {
  const result = await extractCandidates(REPLY, { labels: ['HAM', 'SPAM'], existingNames: [], parser: null });
  assert.deepEqual(result.candidates.map((c) => c.name), ['block_1', 'block_2']);
  assert.ok(result.candidates.every((c) => /was not checked: .*not running/.test(c.parseError ?? '')));
  assert.match(result.noUsableCode ?? '', /no usable code/);
});

test('a parser that fails keeps the reply: its blocks are listed unchecked with the reason', async () => {
  const failing = { parsePython: () => Promise.reject(new Error('the worker parsing Python crashed')) };
  const result = await extractCandidates(REPLY, { labels: ['HAM', 'SPAM'], existingNames: [], parser: failing });
  assert.equal(result.candidates.length, 2);
  assert.ok(result.candidates.every((c) => /was not checked: Python's parser failed \(the worker parsing Python crashed\)$/.test(c.parseError ?? '')));
  const aborted = new AbortController();
  aborted.abort();
  await assert.rejects(extractCandidates(REPLY, { labels: ['HAM', 'SPAM'], existingNames: [], parser: failing, signal: aborted.signal }), /abort/i);
});

test('strings and comments holding def, decorators and brackets are not code', async () => {
  const code = [
    'X = "def not_a_function(x):"  # ( unbalanced in a comment',
    'NOTE = """',
    '@labeling_function()',
    'def fake(x):',
    '    return 1',
    '(with bracket',
    '"""',
    '@labeling_function()',
    'def real(x):',
    '    return 1 if (x.text ==',
    '        NOTE) else -1',
  ].join('\n');
  const { candidates } = await extract(python(code));
  assert.deepEqual(candidates.map((c) => c.name), ['real']);
  assert.match(candidates[0]!.code, /^NOTE = """\n@labeling_function\(\)\ndef fake\(x\):/m, 'the string it reads is carried whole');
  assert.doesNotMatch(candidates[0]!.code, /^X = /m, 'X is not read');
  assert.equal(codeBlocks('```\ndef f(x):\n  return 1\n```').length, 1);
  assert.equal(codeBlocks('```json\n{"a": 1}\n```').length, 0);
});

test('an LF under a top-level if, and one under try, are found and dedented with what they use', async () => {
  const code = [
    'import re',
    'from snorkel.labeling import labeling_function',
    'WORDS = ["free", "win"]',
    'if re is not None:',
    '    @labeling_function()',
    '    def under_if(x):',
    '        """A docstring',
    'that starts a line at column 0."""',
    '        return SPAM if any(w in x.text for w in WORDS) else ABSTAIN',
    'try:',
    '    @labeling_function()',
    '    def under_try(x):',
    '        return HAM if re.search(r"song", x.text) else ABSTAIN',
    'except ImportError:',
    '    pass',
  ].join('\n');
  const { candidates, noUsableCode } = await extract(python(code), ['under_if']);
  assert.equal(noUsableCode, null);
  assert.deepEqual(candidates.map((c) => c.name), ['under_if_2', 'under_try']);
  const [ifLf, tryLf] = candidates as [Candidate, Candidate];
  assert.equal(ifLf.functionCode, '@labeling_function()\ndef under_if_2(x):\n    """A docstring\nthat starts a line at column 0."""\n    return SPAM if any(w in x.text for w in WORDS) else ABSTAIN');
  assert.match(ifLf.code, /^WORDS = \["free", "win"\]$/m);
  assert.match(ifLf.code, /^SPAM = 1$/m);
  assert.doesNotMatch(ifLf.code, /under_try/, 'the other LF is not carried');
  assert.match(tryLf.code, /^import re$/m);
  assert.match(tryLf.code, /^@labeling_function\(\)\ndef under_try\(x\):\n {4}return HAM/m);
  assert.doesNotMatch(tryLf.code, /WORDS/);
});

test('decorators with arguments and aliased imports mark LFs; what the arguments read is carried', async () => {
  const code = [
    'from snorkel.labeling import labeling_function as lf',
    'import snorkel.labeling as sl',
    'KEYWORDS = {"spam": ["free"]}',
    'UNUSED = 3',
    '@lf(resources=dict(words=KEYWORDS["spam"]))',
    'def with_resources(x, words):',
    '    return 1 if any(w in x.text for w in words) else -1',
    '@sl.labeling_function(name="qualified")',
    'def attr_form(x):',
    '    return 0',
  ].join('\n');
  const { candidates } = await extract(python(code));
  assert.deepEqual(candidates.map((c) => c.name), ['with_resources', 'attr_form']);
  const [res, attr] = candidates as [Candidate, Candidate];
  assert.match(res.code, /^from snorkel\.labeling import labeling_function as lf$/m);
  assert.match(res.code, /^KEYWORDS = /m);
  assert.doesNotMatch(res.code, /UNUSED|^from snorkel\.labeling import labeling_function$/m);
  assert.match(attr.code, /^import snorkel\.labeling as sl$/m);
  assert.doesNotMatch(attr.code, /KEYWORDS/);
});

test('a LabelingFunction(name=..., f=...) instance is a candidate carrying the function it wraps', async () => {
  const code = [
    'from snorkel.labeling import LabelingFunction',
    'def contains_free(x):',
    '    return 1 if "free" in x.text else -1',
    'free_lf = LabelingFunction(name="free_word", f=contains_free)',
  ].join('\n');
  const { candidates } = await extract(python(code), ['free_word']);
  assert.deepEqual(candidates.map((c) => c.name), ['free_word_2']);
  const c = candidates[0]!;
  assert.equal(c.functionCode, 'free_lf = LabelingFunction(name="free_word_2", f=contains_free)');
  assert.match(c.code, /^from snorkel\.labeling import LabelingFunction\n\ndef contains_free\(x\):/);
  const [parsed] = await sandboxParser().parsePython([c.code]);
  assert.ok(parsed!.ok);
  if (parsed!.ok) assert.deepEqual(lfsWithCode(c.code, parsed!.structure).map((l) => l.name), ['free_word_2']);
});
