import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codeBlocks, extractCandidates, uniqueName } from '../../lf-runtime/src/llm/candidateExtraction.ts';
import { labelingFunctionNames, splitTopLevel } from '../../lf-runtime/src/llm/pythonSource.ts';

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

test('one candidate per labeling function, each with only the helpers and imports it uses', () => {
  const { candidates, noUsableCode } = extractCandidates(REPLY, { labels: ['HAM', 'SPAM'], existingNames: ['keyword_my'] });
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
});

test('an undecorated one-argument function gets the decorator, its import and the constants it uses', () => {
  const { candidates } = extractCandidates(REPLY, { labels: ['HAM', 'SPAM'], existingNames: [] });
  const song = candidates.find((c) => c.name === 'love_song')!;
  assert.match(song.functionCode, /^@labeling_function\(\)\ndef love_song/);
  assert.match(song.code, /from snorkel\.labeling import labeling_function/);
  assert.match(song.code, /ABSTAIN = -1\nHAM = 0/);
  assert.doesNotMatch(song.code, /SPAM = 1/);
});

test('names collide neither with existing LFs nor with each other', () => {
  const twice = `\`\`\`python\n@labeling_function()\ndef kw(x):\n    return 1\n\`\`\`\n\`\`\`python\n@labeling_function()\ndef kw(x):\n    return 0\n\`\`\``;
  const { candidates } = extractCandidates(twice, { labels: ['A', 'B'], existingNames: ['kw', 'kw_2'] });
  assert.deepEqual(candidates.map((c) => c.name), ['kw_3', 'kw_4']);
  assert.equal(uniqueName('kw', new Set()), 'kw');
});

test('a reply without code says there is no usable code', () => {
  const result = extractCandidates('I cannot help with that, but consider keywords.', { labels: ['A', 'B'], existingNames: [] });
  assert.equal(result.candidates.length, 0);
  assert.match(result.noUsableCode ?? '', /no usable code/);
});

test('a block that does not parse is listed with its reason and never dropped silently', () => {
  const reply = '```python\n@labeling_function()\ndef broken(x):\n    return SPAM if ("a" in x.text else ABSTAIN\n```';
  const result = extractCandidates(reply, { labels: ['A', 'B'], existingNames: [] });
  assert.equal(result.candidates.length, 1);
  assert.match(result.candidates[0]!.parseError ?? '', /does not parse: unclosed "\("/);
  assert.match(result.noUsableCode ?? '', /failed to parse/);
});

test('strings and comments do not confuse the splitter', () => {
  const code = 'X = "def not_a_function(x):"  # ( unbalanced in a comment\n"""doc\n(with bracket\n"""\ndef f(x):\n    return (1 +\n2)\n';
  const split = splitTopLevel(code);
  assert.equal(split.problem, null);
  assert.deepEqual(split.statements.map((s) => s.kind), ['assign', 'other', 'def']);
  assert.equal(codeBlocks('```\ndef f(x):\n  return 1\n```').length, 1);
  assert.equal(codeBlocks('```json\n{"a": 1}\n```').length, 0);
});

test('labelingFunctionNames lists decorated functions of a file', () => {
  const src = '@labeling_function()\ndef a(x):\n    return 1\n\ndef helper(t):\n    return t\n\n@labeling_function(name="b")\ndef b(x):\n    return 0\n';
  assert.deepEqual(labelingFunctionNames(src), ['a', 'b']);
});
