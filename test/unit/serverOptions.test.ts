// Settings handed to the language server come from settings.json, where any JSON value can stand.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkServerOptions, DEFAULT_SERVER_OPTIONS } from '../../lf-runtime/src/server/serverOptions.ts';

describe('language-server settings', () => {
  it('takes valid settings as given and defaults the missing ones', () => {
    assert.deepEqual(checkServerOptions({ lfTimeoutMs: 250, runOnChange: false }), { options: { lfTimeoutMs: 250, runOnChange: false }, warnings: [] });
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
  });
});
