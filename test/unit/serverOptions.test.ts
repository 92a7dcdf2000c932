// Settings handed to the language server come from settings.json, where any JSON value can stand.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkServerOptions, DEFAULT_SERVER_OPTIONS } from '../../lf-runtime/src/server/serverOptions.ts';

describe('language-server settings', () => {
  it('takes valid settings as given and defaults the missing ones', () => {
    assert.deepEqual(checkServerOptions({ lfTimeoutMs: 250, runOnChange: false }), {
      options: { ...DEFAULT_SERVER_OPTIONS, lfTimeoutMs: 250, runOnChange: false },
      warnings: [],
    });
    // The user's Python: off unless the extension says the workspace is trusted.
    assert.equal(DEFAULT_SERVER_OPTIONS.workspaceTrusted, false);
    const python = checkServerOptions({ runtime: 'python', pythonInterpreter: ' /opt/env/bin/python ', workspaceTrusted: true }).options;
    assert.deepEqual([python.runtime, python.pythonInterpreter, python.workspaceTrusted, python.allowUnsandboxedPython], ['python', '/opt/env/bin/python', true, false]);
    assert.equal(checkServerOptions({ workspaceTrusted: 'yes' }).options.workspaceTrusted, false, 'only true trusts');
    assert.equal(checkServerOptions({ allowDataOutsideWorkspace: true }).options.allowDataOutsideWorkspace, true);
    assert.deepEqual(checkServerOptions(undefined), { options: DEFAULT_SERVER_OPTIONS, warnings: [] });
    assert.deepEqual(checkServerOptions({}).options, DEFAULT_SERVER_OPTIONS);
  });

  it('ignores an invalid setting with a warning naming it and the value used instead', () => {
    for (const bad of ['3000', -5, 0, 50, null, Number.NaN]) {
      const { options, warnings } = checkServerOptions({ lfTimeoutMs: bad });
      assert.equal(options.lfTimeoutMs, DEFAULT_SERVER_OPTIONS.lfTimeoutMs, String(bad));
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /^lfStudio\.lfTimeoutMs is .*; it must be a number of milliseconds >= 100, so 5000 is used/);
    }
    const { options, warnings } = checkServerOptions({ runOnChange: 'yes' });
    assert.equal(options.runOnChange, true);
    assert.match(warnings[0], /lfStudio\.runOnChange is "yes"; it must be true or false/);
    const outside = checkServerOptions({ allowDataOutsideWorkspace: 'true' });
    assert.equal(outside.options.allowDataOutsideWorkspace, false);
    assert.match(outside.warnings[0], /lfStudio\.data\.allowOutsideWorkspace is "true"; it must be true or false, so false is used/);
    const runtime = checkServerOptions({ runtime: 'native' });
    assert.equal(runtime.options.runtime, 'auto');
    assert.match(runtime.warnings[0], /lfStudio\.runtime is "native"; it must be "auto", "sandbox" or "python"/);
  });
});
