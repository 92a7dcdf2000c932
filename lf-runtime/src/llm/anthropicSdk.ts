/**
 * @anthropic-ai/sdk, loaded on first use. It is more than half of each bundle that can talk to the model
 * (dist/cli.js, dist/extension.js), and compiling it cost every `lf-studio` command ~60 ms at start, and the
 * extension as much at activation, though most runs never ask the model anything. In the bundles this
 * require() is of dist/anthropic-sdk.js, the SDK bundled on its own (scripts/build.mjs); from source it is the
 * package itself.
 */
import type * as AnthropicModule from '@anthropic-ai/sdk';

export type AnthropicSdk = typeof AnthropicModule;

let sdk: AnthropicSdk | null = null;

/** The SDK module, loading it if no one has yet. */
export function loadAnthropicSdk(): AnthropicSdk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  sdk ??= require('@anthropic-ai/sdk') as AnthropicSdk;
  return sdk;
}

/** The SDK module if it was loaded, else null: then nothing the SDK threw can exist. */
export function loadedAnthropicSdk(): AnthropicSdk | null {
  return sdk;
}
