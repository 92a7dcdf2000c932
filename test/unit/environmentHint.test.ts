// LF files run with an empty environment: an error that names a variable set where LF Studio runs says so.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hintEnvironment, readsEnvironment } from '../../lf-runtime/src/sandbox/environmentHint.ts';
import type { FileRunResult, LfErrorInfo } from '../../lf-runtime/src/sandbox/types.ts';

const error = (message: string): LfErrorInfo => ({ kind: 'import', message, line: 3, traceback: null });
const result = (messages: string[]): FileRunResult => ({ file: '/ws/lfs.py', lfs: [], fileError: null, problems: messages.map(error), durationMs: 1 });
const messages = (r: FileRunResult) => (r.problems ?? []).map((p) => p.message);

describe('hintEnvironment', () => {
  const env = { SNOMEDCT_HOME: '/data/snomed', PATH: '/usr/bin' };

  it("says a variable the file asked for is set where LF Studio runs but not seen by LF files: os.environ's KeyError, a file's own message", () => {
    const [keyError, own] = messages(hintEnvironment(result(["KeyError: 'SNOMEDCT_HOME'", 'Exception: Please set the SNOMEDCT_HOME variable']), true, env));
    for (const m of [keyError, own]) {
      assert.match(m, /\(LF files run with an empty environment, so SNOMEDCT_HOME, set where LF Studio runs, is not seen there: read the setting from a file of the workspace/);
    }
  });

  it('leaves other errors alone: a variable that is not set, a capitalised word in a message about something else', () => {
    const given = ["KeyError: 'NOT_SET_ANYWHERE'", 'ValueError: PATH is not a number', 'ZeroDivisionError: division by zero'];
    assert.deepEqual(messages(hintEnvironment(result(given), true, env)), given);
  });

  it("says nothing for a file that never reads the environment: an LF cannot learn which variables the editor's process has", () => {
    const given = ["KeyError: 'SNOMEDCT_HOME'"];
    assert.equal(readsEnvironment(['import re\n\ndef lf(x):\n    raise KeyError("SNOMEDCT_HOME")\n']), false);
    assert.equal(readsEnvironment(['import os\nHOME = os.environ.get("SNOMEDCT_HOME")\n']), true);
    assert.deepEqual(messages(hintEnvironment(result(given), false, env)), given);
  });
});
