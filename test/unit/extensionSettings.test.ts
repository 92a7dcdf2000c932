// The extension's settings table (extension/settings.ts): defaults and bounds from package.json, user-only
// settings that a workspace cannot set, and where the API key may be sent.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ANTHROPIC_API_URL, isUserOnly, llmEndpoint, readSettings, serverOptions, type SettingInspection, type SettingKey } from '../../extension/settings.ts';
import { DEFAULT_MODEL } from '../../lf-runtime/src/llm/modelPrices.ts';
import { DEFAULT_THRESHOLDS } from '../../lf-runtime/src/llm/types.ts';
import { DEFAULT_SERVER_OPTIONS } from '../../lf-runtime/src/server/serverOptions.ts';

const contributed = (
  JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, { default: unknown; scope?: string }> } };
  }
).contributes.configuration.properties;

/** inspect() as VS Code answers it: package.json's default plus whatever each level sets. */
function inspector(levels: Partial<Record<SettingKey, SettingInspection>>) {
  return (key: SettingKey): SettingInspection => ({ defaultValue: contributed[`lfStudio.${key}`]?.default, ...levels[key] });
}

describe('extension settings', () => {
  it('takes every default from package.json, and they agree with the runtime and the filter', () => {
    const { settings, problems } = readSettings(inspector({}));
    assert.deepEqual(problems, []);
    for (const [key, value] of Object.entries(settings)) assert.deepEqual(value, contributed[`lfStudio.${key}`]?.default, key);
    assert.equal(settings['llm.model'], DEFAULT_MODEL);
    assert.equal(settings['llm.maxOverlap'], DEFAULT_THRESHOLDS.maxOverlap);
    assert.equal(settings['llm.minDevAccuracy'], DEFAULT_THRESHOLDS.minDevAccuracy);
    assert.deepEqual(serverOptions(settings), DEFAULT_SERVER_OPTIONS);
  });

  it('ignores a workspace value of a user-only setting and says so', () => {
    assert.equal(isUserOnly('llm.baseUrl'), true);
    assert.equal(isUserOnly('data.allowOutsideWorkspace'), true);
    assert.equal(isUserOnly('llm.model'), false);
    const { settings, problems } = readSettings(
      inspector({
        'llm.baseUrl': { workspaceValue: 'https://collector.example' },
        'data.allowOutsideWorkspace': { workspaceFolderValue: true },
        'llm.model': { workspaceValue: 'claude-workspace-model' },
      }),
    );
    assert.equal(settings['llm.baseUrl'], '');
    assert.equal(settings['data.allowOutsideWorkspace'], false);
    assert.equal(settings['llm.model'], 'claude-workspace-model', 'an ordinary setting still follows the workspace');
    assert.equal(problems.length, 2);
    assert.match(problems[0] ?? '', /lfStudio\.llm\.baseUrl is set in workspace settings, which are ignored for it/);
    const user = readSettings(inspector({ 'llm.baseUrl': { globalValue: ' https://gateway.example/anthropic ', workspaceValue: 'https://collector.example' } }));
    assert.equal(user.settings['llm.baseUrl'], 'https://gateway.example/anthropic');
    assert.equal(readSettings(inspector({ 'data.allowOutsideWorkspace': { globalValue: true } })).settings['data.allowOutsideWorkspace'], true);
  });

  it('replaces a value that breaks its schema by the default, naming the setting', () => {
    const { settings, problems } = readSettings(
      inspector({
        lfTimeoutMs: { globalValue: 50 },
        'llm.candidates': { workspaceValue: 2.5 },
        'llm.maxOverlap': { globalValue: 1.5 },
        'llm.model': { globalValue: '  ' },
        'llm.baseUrl': { globalValue: 'file:///etc/passwd' },
        runOnChange: { globalValue: 'yes' },
      }),
    );
    assert.equal(settings.lfTimeoutMs, 5000);
    assert.equal(settings['llm.candidates'], 5);
    assert.equal(settings['llm.maxOverlap'], 0.95);
    assert.equal(settings['llm.model'], DEFAULT_MODEL);
    assert.equal(settings['llm.baseUrl'], '');
    assert.equal(settings.runOnChange, true);
    assert.equal(problems.length, 6);
    assert.ok(problems.some((p) => /^lfStudio\.lfTimeoutMs is 50; it must be a whole number >= 100, so 5000 is used/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /^lfStudio\.llm\.maxOverlap is 1\.5; it must be a number >= 0 and <= 1/.test(p)), problems.join('\n'));
  });

  it('sends the key only where the user said: user setting, else the environment when trusted, else Anthropic', () => {
    const env = { ANTHROPIC_BASE_URL: 'https://from-environment.example' };
    assert.equal(llmEndpoint({ 'llm.baseUrl': 'https://gateway.example' }, env, false), 'https://gateway.example');
    assert.equal(llmEndpoint({ 'llm.baseUrl': '' }, env, true), 'https://from-environment.example');
    assert.equal(llmEndpoint({ 'llm.baseUrl': '' }, {}, true), null);
    assert.equal(llmEndpoint({ 'llm.baseUrl': '' }, env, false), ANTHROPIC_API_URL);
    assert.equal(llmEndpoint({ 'llm.baseUrl': '' }, {}, false), ANTHROPIC_API_URL);
  });

  it('passes the data-outside-workspace choice to the server', () => {
    const { settings } = readSettings(inspector({ 'data.allowOutsideWorkspace': { globalValue: true } }));
    assert.equal(serverOptions(settings).allowDataOutsideWorkspace, true);
  });
});
