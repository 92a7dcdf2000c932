// Python's own parser through the executor (lf_runner.parse_structure on a clean worker): statements, what
// each binds and reads, labeling functions wherever they are defined at module level, and the strict check
// of the worker's reply.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkStructure, ProtocolViolation } from '../../lf-runtime/src/sandbox/replySchema.ts';
import type { PythonStructure } from '../../lf-runtime/src/sandbox/pythonStructure.ts';
import { sandboxParser } from '../support/sandboxParser.ts';

async function structureOf(source: string): Promise<PythonStructure> {
  const [outcome] = await sandboxParser().parsePython([source]);
  assert.ok(outcome?.ok, JSON.stringify(outcome));
  return outcome.structure;
}

const FILE = [
  'import re', // 1
  'from snorkel.labeling import labeling_function as lfd, LabelingFunction', // 2
  'from snorkel.labeling.lf.nlp import nlp_labeling_function', // 3
  'TEMPLATE = """', // 4
  '@labeling_function()', // 5
  'def in_a_string(x):', // 6
  '    return 1', // 7
  '"""', // 8
  'if re is not None:', // 9
  '    @lfd(', // 10
  '        name="renamed",', // 11
  '        resources=dict(words=WORDS),', // 12
  '    )', // 13
  '    @other_decorator', // 14
  '    def under_if(x, words):', // 15
  '        return 1 if any(w in x.text for w in words) else -1', // 16
  'try:', // 17
  '    import regex', // 18
  'except ImportError:', // 19
  '    @nlp_labeling_function()', // 20
  '    def under_except(x):', // 21
  '        return 0 if x.doc else -1', // 22
  'with open_ctx() as handle:', // 23
  '    lf_inst = LabelingFunction(name="instance", f=helper)', // 24
  'def helper(x):', // 25
  '    local = x.text', // 26
  '    return len(local) + OFFSET', // 27
  'class NotAnLf:', // 28
  '    @lfd()', // 29
  '    def method(self, x):', // 30
  '        return 1', // 31
  'dynamic = LabelingFunction(name=make_name(), f=helper)', // 32
].join('\n');

test('statements: kinds, spans, the names each binds at module level and the names it reads', async () => {
  const s = await structureOf(FILE);
  assert.deepEqual(
    s.statements.map((st) => [st.start, st.end, st.kind]),
    [[1, 1, 'import'], [2, 2, 'import'], [3, 3, 'import'], [4, 8, 'assign'], [9, 16, 'other'], [17, 22, 'other'], [23, 24, 'other'], [25, 27, 'def'], [28, 31, 'class'], [32, 32, 'assign']],
  );
  assert.deepEqual(s.statements[1]!.defines, ['LabelingFunction', 'lfd']);
  assert.deepEqual(s.statements[3]!.reads, [], 'a string mentions no names');
  assert.deepEqual(s.statements[4]!.defines, ['under_if']);
  assert.deepEqual(s.statements[4]!.reads, ['WORDS', 'any', 'dict', 'lfd', 'other_decorator', 're']);
  assert.deepEqual(s.statements[5]!.defines, ['regex', 'under_except']);
  assert.deepEqual(s.statements[6]!.defines, ['handle', 'lf_inst']);
  const helper = s.statements[7]!;
  assert.equal(helper.def, 'helper');
  assert.deepEqual(helper.params, ['x']);
  assert.deepEqual(helper.reads, ['OFFSET', 'len'], 'parameters and locals are not read from the module');
  assert.ok(helper.uses.includes('local'), 'uses still lists every name (cache keys)');
});

test('LFs: decorated in any import form, under if/try/with, with their def and decorator spans, and instances', async () => {
  const s = await structureOf(FILE);
  assert.deepEqual(s.lfs, [
    { name: 'renamed', function: 'under_if', kind: 'decorated', statement: 4, start: 10, end: 16, defLine: 15, indent: 4, decorator: { start: 10, end: 13 } },
    { name: 'under_except', function: 'under_except', kind: 'decorated', statement: 5, start: 20, end: 22, defLine: 21, indent: 4, decorator: { start: 20, end: 20 } },
    { name: 'instance', function: 'helper', kind: 'instance', statement: 6, start: 24, end: 24, defLine: null, indent: 4, decorator: null },
  ]);
});

test('a text that does not parse comes back with Python\'s message and line; several texts keep their order', async () => {
  const outcomes = await sandboxParser().parsePython(['x = 1\n', 'def f(x):\n    return (1,\n', 'y = 2\n']);
  assert.equal(outcomes.length, 3);
  assert.ok(outcomes[0]!.ok && outcomes[2]!.ok);
  assert.ok(outcomes[0]!.ok && outcomes[0]!.structure.statements[0]!.defines[0] === 'x');
  assert.ok(outcomes[2]!.ok && outcomes[2]!.structure.statements[0]!.defines[0] === 'y');
  const bad = outcomes[1]!;
  assert.ok(!bad.ok);
  assert.match(bad.error, /never closed/);
  assert.equal(bad.line, 2);
});

const GOOD = {
  type: 'parsed',
  id: 7,
  statements: [
    { start: 1, end: 1, def: null, bodyLine: null, bodyCol: null, uses: ['labeling_function'], kind: 'import', defines: ['labeling_function'], reads: [], params: null },
    { start: 2, end: 4, def: 'f', bodyLine: 4, bodyCol: 4, uses: ['x'], kind: 'def', defines: ['f'], reads: ['labeling_function'], params: ['x'] },
  ],
  lfs: [{ name: 'f', function: 'f', kind: 'decorated', statement: 1, start: 2, end: 4, defLine: 3, indent: 0, decorator: { start: 2, end: 2 } }],
  error: null,
};

function forged(change: (m: typeof GOOD & Record<string, unknown>) => void): unknown {
  const m = structuredClone(GOOD) as typeof GOOD & Record<string, unknown>;
  change(m);
  return m;
}

test('the parse reply is checked strictly: every LF inside its statement, its decorator before its def', () => {
  assert.deepEqual(checkStructure(GOOD, 7, 4).lfs, GOOD.lfs);
  assert.deepEqual(checkStructure({ type: 'parsed', id: 7, statements: null, lfs: null, error: { message: 'invalid syntax', line: 5 } }, 7, 4).error, { message: 'invalid syntax', line: 5 });
  const bad: [string, (m: typeof GOOD & Record<string, unknown>) => void, RegExp][] = [
    ['an extra field', (m) => (m.extra = 1), /unexpected field "extra"/],
    ['an LF in a statement that does not exist', (m) => (m.lfs[0]!.statement = 2), /LF statement/],
    ['an LF outside its statement', (m) => (m.lfs[0]!.statement = 0), /LF start/],
    ['a decorator after the def', (m) => (m.lfs[0]!.decorator = { start: 3, end: 4 }), /decorator start/],
    ['a decorated LF without a function', (m) => ((m.lfs[0] as Record<string, unknown>).function = null), /without its function/],
    ['an unknown statement kind', (m) => ((m.statements[0] as Record<string, unknown>).kind = 'lambda'), /unknown statement kind/],
    ['parameters on an import', (m) => ((m.statements[0] as Record<string, unknown>).params = []), /parameters/],
    ['a name that is not a string', (m) => ((m.statements[1]!.reads as unknown[]) = [1]), /a name in reads/],
    ['a parse error beside statements', (m) => ((m as Record<string, unknown>).error = { message: 'x', line: null }), /parse error together/],
    ['an instance with a decorator', (m) => Object.assign(m.lfs[0]!, { kind: 'instance', defLine: null }), /instance with a def line or a decorator/],
    ['a line past the text', (m) => (m.statements[1]!.end = 5), /statement end/],
  ];
  for (const [what, change, message] of bad) {
    assert.throws(() => checkStructure(forged(change), 7, 4), (e: unknown) => e instanceof ProtocolViolation && message.test(e.message), what);
  }
});
