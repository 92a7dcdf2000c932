// lfstudio.json's data paths stay inside the workspace folder unless the user allows otherwise (the rows go
// to LFs and into LLM prompts), and every project problem is placed on the line of its setting.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readDataset } from '../../lf-runtime/src/data/readDataset.ts';
import { DataError } from '../../lf-runtime/src/data/types.ts';
import { openProject } from '../../lf-runtime/src/engine/openProject.ts';
import type { OpenProjectResult } from '../../lf-runtime/src/engine/openProject.ts';
import { ALLOW_OUTSIDE_WORKSPACE_SETTING } from '../../lf-runtime/src/project/dataLocation.ts';
import { loadProjectData } from '../../lf-runtime/src/project/projectData.ts';
import { loadProjectFile } from '../../lf-runtime/src/project/projectFile.ts';
import { settingLine, settingPosition } from '../../lf-runtime/src/project/settingLocation.ts';
import type { LfExecutor } from '../../lf-runtime/src/sandbox/types.ts';

// realpath: on some systems the temporary folder is itself reached through a link.
const scratch = realpathSync(mkdtempSync(join(tmpdir(), 'lfstudio-location-')));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Opening a project only binds the executor; nothing here runs an LF. */
const executor = {} as LfExecutor;

const ROWS = '{"text": "a", "label": 0}\n{"text": "b", "label": 1}\n';

let counter = 0;
/** A workspace folder (inside its own parent, so "../" has somewhere to go) with lfstudio.json and files. */
function workspace(data: { sample: string; dev?: string }, files: Record<string, string> = {}): { root: string; parent: string } {
  const parent = join(scratch, `case${++counter}`);
  const root = join(parent, 'ws');
  mkdirSync(root, { recursive: true });
  const project = { labels: ['A', 'B'], task: 'the sample is shown to the model', data };
  writeFileSync(join(root, 'lfstudio.json'), JSON.stringify(project, null, 2));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(parent, path)), { recursive: true });
    writeFileSync(join(parent, path), content);
  }
  return { root, parent };
}

/** The 1-based line of lfstudio.json holding `"key":`. */
function lineOfKey(root: string, key: string): number {
  const lines = readFileSync(join(root, 'lfstudio.json'), 'utf8').split('\n');
  return lines.findIndex((l) => l.includes(`"${key}":`)) + 1;
}

function refused(result: OpenProjectResult): { message: string; path?: string; line?: number }[] {
  assert.equal(result.ok, false, 'expected the project to be refused');
  return result.ok ? [] : result.problems;
}

describe('data outside the workspace folder', () => {
  it('"../" out of the workspace is refused, naming the setting, where it leads and how to allow it', async () => {
    const { root, parent } = workspace({ sample: '../outside.jsonl' }, { 'outside.jsonl': ROWS });
    const [problem, ...rest] = refused(await openProject(root, executor, 1000));
    assert.deepEqual(rest, []);
    assert.equal(problem.path, '/data/sample');
    assert.equal(problem.line, lineOfKey(root, 'sample'));
    for (const part of [
      "data.sample '../outside.jsonl'",
      `resolves to ${join(parent, 'outside.jsonl')}`,
      `outside the workspace folder ${root}`,
      'LLM prompts',
      `"${ALLOW_OUTSIDE_WORKSPACE_SETTING}"`,
      'User settings',
      'lf-studio analyze --data',
    ]) {
      assert.ok(problem.message.includes(part), `"${problem.message}" should mention "${part}"`);
    }
    assert.equal(ALLOW_OUTSIDE_WORKSPACE_SETTING, 'lfStudio.data.allowOutsideWorkspace');
  });

  it('an absolute path outside is refused; the dev set is checked too', async () => {
    const { root, parent } = workspace({ sample: 'in.jsonl', dev: '' }, { 'ws/in.jsonl': ROWS, 'elsewhere/dev.jsonl': ROWS });
    const devPath = join(parent, 'elsewhere', 'dev.jsonl');
    writeFileSync(join(root, 'lfstudio.json'), JSON.stringify({ labels: ['A', 'B'], data: { sample: 'in.jsonl', dev: devPath } }, null, 2));
    const problems = refused(await openProject(root, executor, 1000));
    assert.deepEqual(problems.map((p) => p.path), ['/data/dev']);
    assert.equal(problems[0].line, lineOfKey(root, 'dev'));
    assert.match(problems[0].message, /data\.dev '.*dev\.jsonl' resolves to .*, outside the workspace folder/);
  });

  it('a symbolic link in the workspace that leads outside is refused, and so is a linked folder', async () => {
    const { root, parent } = workspace({ sample: 'data/train.jsonl' }, { 'secret/train.jsonl': ROWS });
    mkdirSync(join(root, 'data'));
    symlinkSync(join(parent, 'secret', 'train.jsonl'), join(root, 'data', 'train.jsonl'));
    const [problem] = refused(await openProject(root, executor, 1000));
    assert.match(problem.message, /data\.sample 'data\/train\.jsonl' is a symbolic link \(or inside a linked folder\) that resolves to .*secret\/train\.jsonl, outside the workspace folder/);

    const linkedFolder = workspace({ sample: 'shared/train.jsonl' }, { 'secret/train.jsonl': ROWS });
    symlinkSync(join(linkedFolder.parent, 'secret'), join(linkedFolder.root, 'shared'));
    const [folderProblem] = refused(await openProject(linkedFolder.root, executor, 1000));
    assert.equal(folderProblem.path, '/data/sample');
    assert.match(folderProblem.message, /symbolic link/);
  });

  it('links and ".." that stay inside are fine, as is a workspace opened through a link', async () => {
    const { root, parent } = workspace({ sample: 'link.jsonl', dev: 'sub/../real.jsonl' }, { 'ws/real.jsonl': ROWS });
    symlinkSync(join(root, 'real.jsonl'), join(root, 'link.jsonl'));
    const direct = await openProject(root, executor, 1000);
    assert.ok(direct.ok, JSON.stringify(direct));
    symlinkSync(root, join(parent, 'ws-link'));
    const viaLink = await openProject(join(parent, 'ws-link'), executor, 1000);
    assert.ok(viaLink.ok, JSON.stringify(viaLink));
  });

  it('allowOutsideWorkspace: true reads the file', async () => {
    const { root } = workspace({ sample: '../outside.jsonl' }, { 'outside.jsonl': ROWS });
    const opened = await openProject(root, executor, 1000, { allowOutsideWorkspace: true });
    assert.ok(opened.ok, JSON.stringify(opened));
    assert.equal(opened.engine.lfFiles.length, 0);
  });

  it('loadProjectData refuses by default and reads when allowed', async () => {
    const { root } = workspace({ sample: '../outside.jsonl' }, { 'outside.jsonl': ROWS });
    const loaded = await loadProjectFile(root);
    assert.ok(loaded.ok, JSON.stringify(loaded));
    await assert.rejects(loadProjectData(loaded.project), (err: unknown) => {
      assert.ok(err instanceof DataError);
      assert.match(err.message, /outside the workspace folder/);
      return true;
    });
    const { sample } = await loadProjectData(loaded.project, { allowOutsideWorkspace: true });
    assert.equal(sample.rows.length, 2);
  });

  it('the command line path is not refused: loadProjectFile resolves outside paths and readDataset reads any file', async () => {
    const { root, parent } = workspace({ sample: '../outside.jsonl' }, { 'outside.jsonl': ROWS });
    const loaded = await loadProjectFile(root);
    assert.ok(loaded.ok);
    assert.equal(loaded.project.data.sample, join(parent, 'outside.jsonl'));
    assert.equal((await readDataset(join(parent, 'outside.jsonl'))).rows.length, 2);
  });
});

describe('placing a setting in lfstudio.json', () => {
  const text = [
    '{',
    '  "task": "label each sample; the data, labels and sample rows are below",',
    '  "labels": [',
    '    "A",',
    '    "B"',
    '  ],',
    '  "data": {',
    '    "dev": null,',
    '    "sample": "x.json"',
    '  },',
    '  "a/b": 1',
    '}',
  ].join('\n');

  it('finds the key a pointer names, not the first line that mentions it', () => {
    assert.deepEqual(settingPosition(text, '/data/sample'), { line: 9, column: 5, exact: true });
    assert.equal(settingLine(text, '/data'), 7);
    assert.equal(settingLine(text, '/labels'), 3);
    assert.equal(settingLine(text, '/a~1b'), 11);
  });

  it('an array element is its own line; a missing setting falls back to the one around it', () => {
    assert.deepEqual(settingPosition(text, '/labels/1'), { line: 5, column: 5, exact: true });
    assert.deepEqual(settingPosition(text, '/data/textField'), { line: 7, column: 3, exact: false });
    assert.deepEqual(settingPosition(text, '/labels/7'), { line: 3, column: 3, exact: false });
    assert.deepEqual(settingPosition(text, '/idField'), { line: 1, column: 1, exact: false });
    assert.equal(settingLine(text, ''), 1);
    assert.equal(settingLine(text, undefined), 1);
  });

  it('tolerates a byte-order mark, comments and a half-typed file', () => {
    assert.deepEqual(settingPosition(`\ufeff${text}`, '/data/sample'), { line: 9, column: 5, exact: true });
    assert.equal(settingLine('{\n  // where\n  "data": {\n    "sample": "x.json",\n  },\n', '/data/sample'), 4);
  });

  it('loadProjectFile places its problems and warnings on their setting lines', async () => {
    const { root } = workspace({ sample: 'x.jsonl' });
    const project = ['{', '  "task": "data sample",', '  "labels": ["A", "B"],', '  "data": {', '    "sample": "missing.jsonl"', '  },', '  "textfield": "body"', '}'];
    writeFileSync(join(root, 'lfstudio.json'), project.join('\n'));
    const result = await loadProjectFile(root);
    assert.ok(!result.ok);
    assert.deepEqual(
      result.problems.map((p) => [p.path, p.line]),
      [['/textfield', 7]],
    );
    project[6] = '  "textField": "body"';
    writeFileSync(join(root, 'lfstudio.json'), project.join('\n'));
    const second = await loadProjectFile(root);
    assert.ok(!second.ok);
    assert.deepEqual(second.problems.map((p) => [p.path, p.line, p.column]), [['/data/sample', 5, 5]]);
  });

  it('a setting written twice is a warning on the line that wins', async () => {
    const { root } = workspace({ sample: 'd.jsonl' }, { 'ws/d.jsonl': ROWS, 'ws/lfs.py': '' });
    writeFileSync(
      join(root, 'lfstudio.json'),
      '{\n  "labels": ["X", "Y"],\n  "data": {"sample": "d.jsonl"},\n  "labels": ["A", "B"]\n}\n',
    );
    const result = await loadProjectFile(root);
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.project.labels, ['A', 'B']);
    assert.equal(result.warnings.length, 1);
    assert.equal(result.warnings[0].line, 4);
    assert.match(result.warnings[0].message, /"labels" is set twice \(lines 2 and 4\); only the last one counts/);
  });

  it('a data problem found while reading is placed on the data setting', async () => {
    const { root } = workspace({ sample: 'bad.jsonl' }, { 'ws/bad.jsonl': '{"text": "a"}\n{"text": "b",}\n' });
    const [problem] = refused(await openProject(root, executor, 1000));
    assert.equal(problem.path, '/data/sample');
    assert.equal(problem.line, lineOfKey(root, 'sample'));
    assert.match(problem.message, /bad\.jsonl:2: line 2 is not valid JSON at column 14: trailing comma before '\}'/);
  });

  it('an lfstudio.json that is not UTF-8 is named with its line', async () => {
    const { root } = workspace({ sample: 'x.jsonl' });
    writeFileSync(join(root, 'lfstudio.json'), Buffer.from('{\n  "task": "caf\u00e9",\n  "labels": ["A", "B"]\n}\n', 'latin1'));
    const result = await loadProjectFile(root);
    assert.ok(!result.ok);
    assert.equal(result.problems[0].line, 2);
    assert.match(result.problems[0].message, /^lfstudio\.json: line 2 is not valid UTF-8: byte 0xE9 after .*caf.*, column 15\. .*iconv -f cp1252 -t utf-8/);
  });
});
