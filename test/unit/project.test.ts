// lfstudio.json: loading, path resolution, globs, problems that name the field and fix, and agreement
// between the validator and schemas/lfstudio.schema.json.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SUPPORTED_DATA_EXTENSIONS } from '../../lf-runtime/src/data/readDataset.ts';
import { DataError } from '../../lf-runtime/src/data/types.ts';
import { loadProjectData } from '../../lf-runtime/src/project/projectData.ts';
import { findProjectRoot, loadProjectFile } from '../../lf-runtime/src/project/projectFile.ts';
import type { ProjectLoadResult } from '../../lf-runtime/src/project/projectFile.ts';
import {
  DATA_PROPERTY_NAMES,
  PROJECT_DEFAULTS,
  PROJECT_PROPERTY_NAMES,
  validateProjectJson,
} from '../../lf-runtime/src/project/validateProject.ts';

const repo = join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'lfstudio-project-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

let counter = 0;
/** A fresh workspace holding the given files (string contents; objects are written as JSON). */
function workspace(files: Record<string, string | object>): string {
  const root = join(scratch, `ws${++counter}`);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  mkdirSync(root, { recursive: true });
  return root;
}

function problemsOf(result: ProjectLoadResult): { message: string; path?: string }[] {
  assert.equal(result.ok, false, 'expected the project to be rejected');
  return result.ok ? [] : result.problems.map(({ message, path }) => ({ message, path }));
}

const briefExample = {
  $schema: 'optional',
  task: 'Classify YouTube comments as spam or ham',
  labels: ['HAM', 'SPAM'],
  data: { sample: 'data/train.json', dev: 'data/valid.json' },
  textField: 'text',
  labelField: 'label',
  idField: null,
  lfFiles: ['lfs.py'],
};

describe('valid projects', () => {
  it('the shipped example loads with absolute paths', async () => {
    const root = join(repo, 'examples', 'youtube-spam');
    const result = await loadProjectFile(root);
    assert.ok(result.ok, JSON.stringify(result));
    const { project } = result;
    assert.deepEqual(project.labels, ['HAM', 'SPAM']);
    assert.equal(project.cardinality, 2);
    assert.equal(project.data.sample, join(root, 'data', 'train.json'));
    assert.equal(project.data.dev, join(root, 'data', 'valid.json'));
    assert.deepEqual(project.lfFiles, [join(root, 'lfs.py')]);
    assert.equal(project.labelDescriptions.SPAM.startsWith('Self-promotion'), true);
    assert.equal(project.idField, null);
  });

  it('the example from the documentation validates, and defaults fill what is left out', () => {
    assert.deepEqual(validateProjectJson(briefExample).problems, []);
    const { config } = validateProjectJson({ labels: ['A', 'B'], data: { sample: 'x.csv' } });
    assert.ok(config);
    assert.deepEqual(
      [config.task, config.textField, config.labelField, config.idField, config.lfFiles, config.data.dev, config.heuristics],
      ['', 'text', 'label', null, ['lfs.py'], null, null],
    );
  });

  it('the example project loads its data; dev gold is complete', async () => {
    const result = await loadProjectFile(join(repo, 'examples', 'youtube-spam'));
    assert.ok(result.ok);
    const { sample, dev } = await loadProjectData(result.project);
    assert.equal(sample.rows.length, 1686);
    assert.equal(dev?.rows.length, 120);
  });

  it('expands globs, sorted, skipping hidden folders and node_modules', async () => {
    const root = workspace({
      'lfstudio.json': { labels: ['A', 'B'], data: { sample: 'd.jsonl' }, lfFiles: ['lfs/**/*.py', 'top?.py', 'lfs/a.py'] },
      'd.jsonl': '{"text": "x"}\n',
      'lfs/a.py': '',
      'lfs/sub/deeper/b.py': '',
      'lfs/notes.txt': '',
      'lfs/.hidden/c.py': '',
      'lfs/node_modules/d.py': '',
      'top1.py': '',
      'top22.py': '',
    });
    const result = await loadProjectFile(root);
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.project.lfFiles, [join(root, 'lfs', 'a.py'), join(root, 'lfs', 'sub', 'deeper', 'b.py'), join(root, 'top1.py')]);
    assert.deepEqual(result.warnings, []);
  });

  it('warns (without failing) about LF files that do not exist yet', async () => {
    const root = workspace({ 'lfstudio.json': { labels: ['A', 'B'], data: { sample: 'd.jsonl' }, lfFiles: ['lfs.py', 'more/*.py'] }, 'd.jsonl': '{"text": "x"}\n' });
    const result = await loadProjectFile(root);
    assert.ok(result.ok);
    assert.deepEqual(result.project.lfFiles, []);
    assert.deepEqual(result.warnings.map((w) => w.path), ['/lfFiles/0', '/lfFiles/1']);
    assert.match(result.warnings[0].message, /"lfs.py" does not exist; create it/);
  });
});

describe('problems name the field and the fix', () => {
  it('a missing data file', async () => {
    const root = workspace({ 'lfstudio.json': { labels: ['A', 'B'], data: { sample: 'data/x.json' } } });
    assert.deepEqual(problemsOf(await loadProjectFile(root)), [
      { path: '/data/sample', message: "lfstudio.json: data.sample 'data/x.json' does not exist (paths are relative to the workspace root)" },
    ]);
  });

  it('an unsupported data file type', async () => {
    const root = workspace({ 'lfstudio.json': { labels: ['A', 'B'], data: { sample: 'd.txt', dev: 'd.json' } }, 'd.txt': 'x', 'd.json': '{}' });
    const problems = problemsOf(await loadProjectFile(root));
    assert.equal(problems.length, 1);
    assert.equal(problems[0].path, '/data/sample');
    assert.match(problems[0].message, /not a supported data file; use \.json, \.csv, \.tsv, \.jsonl, \.ndjson/);
    assert.doesNotMatch(problems[0].message, /convert|decompress/);
    const parquet = workspace({ 'lfstudio.json': { labels: ['A', 'B'], data: { sample: 'data/train.parquet' } }, 'data/train.parquet': 'PAR1' });
    assert.match(problemsOf(await loadProjectFile(parquet))[0].message, /; convert it with pandas \(python3 -c '.*pd\.read_parquet\("data\/train\.parquet"\).*'\) and point at data\/train\.jsonl$/);
  });

  it('malformed JSON gives line and column', async () => {
    const root = workspace({ 'lfstudio.json': '{\n  "labels": ["A", "B"],\n  "data": {"sample": "x.json"},\n}\n' });
    const result = await loadProjectFile(root);
    assert.ok(!result.ok);
    assert.equal(result.problems[0].line, 4);
    assert.equal(result.problems[0].column, 1);
    assert.match(result.problems[0].message, /invalid JSON at line 4, column 1: trailing comma/);
  });

  it('no lfstudio.json at all', async () => {
    const result = await loadProjectFile(workspace({}));
    assert.ok(!result.ok);
    assert.equal(result.problems[0].missingFile, true);
    assert.match(result.problems[0].message, /lfstudio.json not found in .*; create one/);
  });

  it('labels: missing, too few, duplicated, not strings', () => {
    const messages = (v: unknown): string[] => validateProjectJson(v).problems.map((p) => `${p.path} ${p.message}`);
    assert.match(messages({ data: { sample: 'x.json' } })[0], /^\/labels lfstudio.json: labels is missing/);
    assert.match(messages({ labels: ['A'], data: { sample: 'x.json' } })[0], /at least 2 classes, found 1/);
    assert.match(messages({ labels: ['A', 'A'], data: { sample: 'x.json' } })[0], /^\/labels\/1 .*"A" appears twice/);
    assert.match(messages({ labels: ['A', 3], data: { sample: 'x.json' } })[0], /^\/labels\/1 .*non-empty string, found number 3/);
  });

  it('unknown properties get a suggestion; labelDescriptions must name real labels', () => {
    const { problems } = validateProjectJson({
      labels: ['A', 'B'],
      data: { sample: 'x.json', Dev: 'y.json' },
      textfield: 'body',
      labelDescriptions: { C: 'nope' },
    });
    assert.deepEqual(
      problems.map((p) => p.path),
      ['/textfield', '/labelDescriptions/C', '/data/Dev'],
    );
    assert.match(problems[0].message, /unknown property "textfield"; did you mean "textField"\?/);
    assert.match(problems[1].message, /"C", which is not in labels \(A, B\)/);
    assert.match(problems[2].message, /unknown property "data.Dev"; did you mean "dev"\?/);
  });

  it('type errors in fields and lfFiles', () => {
    const { problems } = validateProjectJson({ labels: ['A', 'B'], data: { sample: 5 }, textField: '', lfFiles: ['lfs.txt'] });
    assert.deepEqual(problems.map((p) => p.path), ['/data/sample', '/textField', '/lfFiles/0']);
    assert.match(problems[2].message, /must end in \.py/);
    assert.match(validateProjectJson([]).problems[0].message, /must hold one JSON object/);
  });

  it('a dev row without a gold label is named', async () => {
    const root = workspace({
      'lfstudio.json': { labels: ['A', 'B'], data: { sample: 's.jsonl', dev: 'd.jsonl' } },
      's.jsonl': '{"text": "x"}\n',
      'd.jsonl': '{"text": "a", "label": 0}\n{"text": "b"}\n{"text": "c", "label": 2}\n',
    });
    const result = await loadProjectFile(root);
    assert.ok(result.ok);
    await assert.rejects(loadProjectData(result.project), (err: unknown) => {
      assert.ok(err instanceof DataError);
      assert.equal(err.location, '2');
      assert.match(err.message, /dev row "2" has no gold label in field "label"/);
      return true;
    });
    writeFileSync(join(root, 'd.jsonl'), '{"text": "a", "label": 0}\n{"text": "c", "label": 2}\n');
    await assert.rejects(loadProjectData(result.project), /gold label 2, but lfstudio.json lists 2 labels \(A, B\), so ids run 0..1/);
  });

  it('a CSV dev row without a gold label is named at its line, past the header and a quoted newline', async () => {
    const root = workspace({
      'lfstudio.json': { labels: ['A', 'B'], data: { sample: 's.jsonl', dev: 'd.csv' } },
      's.jsonl': '{"text": "x"}\n',
      'd.csv': 'text,label\n"multi\nline one",1.0\nx,0.0\ny,\nz,1.0\n',
    });
    const result = await loadProjectFile(root);
    assert.ok(result.ok);
    await assert.rejects(loadProjectData(result.project), (err: unknown) => {
      assert.ok(err instanceof DataError);
      assert.equal(err.location, '5');
      assert.match(err.message, /d\.csv:5: dev row "3" \(line 5\) has no gold label in field "label"/);
      return true;
    });
    writeFileSync(join(root, 'd.csv'), 'text,label\n"multi\nline one",1\nfoo,5\n');
    await assert.rejects(loadProjectData(result.project), /d\.csv:4: dev row "2" \(line 4\) has gold label 5, but lfstudio\.json lists 2 labels/);
  });
});

describe('findProjectRoot', () => {
  it('climbs to the folder holding lfstudio.json, or gives null', async () => {
    const root = workspace({ 'lfstudio.json': '{}', 'a/b/c/x.py': '' });
    assert.equal(await findProjectRoot(join(root, 'a', 'b', 'c')), root);
    assert.equal(await findProjectRoot(root), root);
    assert.equal(await findProjectRoot(workspace({ 'q/r.txt': '' })), null);
  });
});

describe('schemas/lfstudio.schema.json agrees with the validator', () => {
  type SchemaNode = { properties?: Record<string, SchemaNode>; required?: string[]; default?: unknown; description?: string };
  const schema = JSON.parse(readFileSync(join(repo, 'schemas', 'lfstudio.schema.json'), 'utf8')) as SchemaNode & { $schema: string };

  it('is draft-07 and lists the same property names, each described', () => {
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    const props = schema.properties ?? {};
    assert.deepEqual(Object.keys(props).sort(), [...PROJECT_PROPERTY_NAMES].sort());
    assert.deepEqual(Object.keys(props.data.properties ?? {}).sort(), [...DATA_PROPERTY_NAMES].sort());
    assert.deepEqual(schema.required, ['labels', 'data']);
    assert.deepEqual(props.data.required, ['sample']);
    for (const [name, node] of Object.entries(props)) assert.ok(node.description, `${name} needs a description`);
  });

  it("takes every data file the readers take, in any case (.tsv, .CSV), and no other", () => {
    const data = (schema.properties ?? {}).data.properties as Record<string, { pattern: string }>;
    for (const key of ['sample', 'dev']) {
      const pattern = new RegExp(data[key]!.pattern);
      for (const ext of Object.keys(SUPPORTED_DATA_EXTENSIONS)) {
        for (const spelled of [ext, ext.toUpperCase(), ext[0] + ext[1]!.toUpperCase() + ext.slice(2)]) assert.ok(pattern.test(`data/x${spelled}`), `${key}: ${spelled}`);
      }
      for (const other of ['data/x.txt', 'data/x.parquet', 'data/x.json.gz']) assert.ok(!pattern.test(other), `${key}: ${other}`);
    }
  });

  it('its defaults are the validator defaults, and a file built from them validates', () => {
    const props = schema.properties ?? {};
    for (const [key, value] of Object.entries(PROJECT_DEFAULTS)) assert.deepEqual(props[key].default, value, key);
    const fromDefaults = Object.fromEntries(
      Object.entries(props)
        .filter(([, node]) => node.default !== undefined)
        .map(([key, node]) => [key, node.default]),
    );
    fromDefaults.data = { sample: props.data.properties?.sample.default, dev: props.data.properties?.dev.default };
    assert.deepEqual(validateProjectJson(fromDefaults).problems, []);
  });
});
