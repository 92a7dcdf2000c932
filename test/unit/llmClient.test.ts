import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAnthropicClient } from '../../lf-runtime/src/llm/anthropicClient.ts';
import type { LlmClientOptions } from '../../lf-runtime/src/llm/anthropicClient.ts';
import { LlmError } from '../../lf-runtime/src/llm/llmErrors.ts';
import { startFakeAnthropic } from '../support/fakeAnthropic.ts';
import type { FakeScript } from '../support/fakeAnthropic.ts';

const KEY = 'sk-ant-test-0123456789abcdef';
const REPLY = 'Here:\n```python\n@labeling_function()\ndef kw(x):\n    return 1 if "buy" in x.text else -1\n```\n';

async function withFake<T>(script: FakeScript, run: (url: string, requests: import('../support/fakeAnthropic.ts').RecordedRequest[]) => Promise<T>): Promise<T> {
  const fake = await startFakeAnthropic(script, { expectedKey: KEY });
  try {
    return await run(fake.url, fake.requests);
  } finally {
    await fake.close();
  }
}

function client(url: string, extra: Partial<LlmClientOptions> = {}) {
  return createAnthropicClient({ apiKey: KEY, model: 'claude-sonnet-5-5', baseUrl: url, retryBaseMs: 5, maxRetryDelayMs: 50, ...extra });
}

async function rejection(p: Promise<unknown>): Promise<LlmError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof LlmError, `expected LlmError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

test('a streamed reply arrives whole, piece by piece, with usage and cost', async () => {
  await withFake([{ kind: 'reply', text: REPLY, chunkSize: 7, usage: { input_tokens: 1200, output_tokens: 300 } }], async (url, requests) => {
    const pieces: string[] = [];
    const result = await client(url).complete({ system: 'sys', user: 'write LFs', onText: (d) => pieces.push(d) });
    assert.equal(result.text, REPLY);
    assert.ok(pieces.length > 3, 'text should arrive in several deltas');
    assert.equal(result.usage.inputTokens, 1200);
    assert.equal(result.usage.outputTokens, 300);
    // claude-sonnet-5-5 at $2 / $10 per million tokens.
    assert.ok(Math.abs((result.usage.costUsd ?? 0) - (1200 * 2 + 300 * 10) / 1e6) < 1e-12);
    assert.equal(result.stopReason, 'end_turn');
    assert.equal(requests.length, 1);
    assert.equal(requests[0]!.body?.stream, true);
    assert.equal(requests[0]!.body?.model, 'claude-sonnet-5-5');
    assert.equal(requests[0]!.body?.system, 'sys');
  });
});

test('an unknown model has tokens but no cost', async () => {
  await withFake([{ kind: 'reply', text: 'ok' }], async (url) => {
    const result = await client(url, { model: 'my-gateway-model' }).complete({ system: 's', user: 'u' });
    assert.equal(result.usage.costUsd, null);
  });
});

test('401 gives a clear auth message pointing at the Set Key command, without retrying', async () => {
  await withFake([{ kind: 'reply', text: 'never' }], async (url, requests) => {
    const e = await rejection(createAnthropicClient({ apiKey: 'sk-wrong-key-999', model: 'claude-sonnet-5-5', baseUrl: url }).complete({ system: 's', user: 'u' }));
    assert.equal(e.kind, 'auth');
    assert.match(e.message, /rejected the API key/);
    assert.match(e.message, /LF Studio: Set Anthropic API Key/);
    assert.doesNotMatch(e.message, /sk-wrong-key-999/);
    assert.equal(requests.length, 1);
  });
});

test('a missing key is refused before any request', () => {
  assert.throws(() => createAnthropicClient({ apiKey: '  ', model: 'm' }), (e: unknown) => e instanceof LlmError && e.kind === 'missing-key' && /ANTHROPIC_API_KEY/.test(e.message));
});

test('429 then success is retried and succeeds', async () => {
  await withFake([{ kind: 'error', status: 429, retryAfterSeconds: 0 }, { kind: 'reply', text: REPLY }], async (url, requests) => {
    const retries: string[] = [];
    const result = await client(url).complete({ system: 's', user: 'u', onRetry: (r) => retries.push(r.reason) });
    assert.equal(result.text, REPLY);
    assert.equal(result.attempts, 2);
    assert.equal(requests.length, 2);
    assert.equal(retries.length, 1);
    assert.match(retries[0]!, /429/);
  });
});

test('529 every time ends, after the allowed attempts, in a clear overloaded message', async () => {
  await withFake([{ kind: 'error', status: 529 }], async (url, requests) => {
    const e = await rejection(client(url, { maxAttempts: 3 }).complete({ system: 's', user: 'u' }));
    assert.equal(e.kind, 'overloaded');
    assert.equal(e.attempts, 3);
    assert.match(e.message, /overloaded \(529 overloaded_error: Overloaded\)/);
    assert.match(e.message, /Gave up after 3 attempts/);
    assert.equal(requests.length, 3);
  });
});

test('500 is retried like other server errors', async () => {
  await withFake([{ kind: 'error', status: 500 }, { kind: 'reply', text: 'fine' }], async (url) => {
    const result = await client(url).complete({ system: 's', user: 'u' });
    assert.equal(result.text, 'fine');
    assert.equal(result.attempts, 2);
  });
});

test('a slow reply is cancelled by the abort signal', async () => {
  await withFake([{ kind: 'reply', text: REPLY, delayMs: 5000 }], async (url, requests) => {
    const controller = new AbortController();
    const pending = client(url).complete({ system: 's', user: 'u', signal: controller.signal });
    // Abort once the server has the request, so the cancellation really interrupts a call in flight.
    while (requests.length === 0) await new Promise((r) => setImmediate(r));
    controller.abort();
    const e = await rejection(pending);
    assert.equal(e.kind, 'cancelled');
    assert.equal(requests.length, 1, 'a cancelled call is not retried');
  });
});

test('a hung connection times out, is retried, then reported', async () => {
  await withFake([{ kind: 'hang' }], async (url, requests) => {
    const e = await rejection(client(url, { requestTimeoutMs: 150, maxAttempts: 2 }).complete({ system: 's', user: 'u' }));
    assert.equal(e.kind, 'timeout');
    assert.equal(requests.length, 2);
    assert.match(e.message, /Gave up after 2 attempts/);
  });
});

test('a stream that stalls midway is treated as a timeout', async () => {
  await withFake([{ kind: 'stallMidStream', text: 'partial' }, { kind: 'reply', text: 'complete' }], async (url) => {
    const result = await client(url, { stallTimeoutMs: 150 }).complete({ system: 's', user: 'u' });
    assert.equal(result.text, 'complete');
    assert.equal(result.attempts, 2);
  });
});

test('a deprecated model warning is captured for the user, not printed', async () => {
  await withFake([{ kind: 'reply', text: 'ok' }], async (url) => {
    const printed: unknown[] = [];
    const original = console.warn;
    console.warn = (...args: unknown[]) => printed.push(args);
    try {
      const result = await client(url, { model: 'claude-sonnet-4-5' }).complete({ system: 's', user: 'u' });
      assert.ok(result.warnings.some((w) => /claude-sonnet-4-5' is deprecated/.test(w)), JSON.stringify(result.warnings));
    } finally {
      console.warn = original;
    }
    assert.equal(printed.length, 0);
  });
});

test('the key travels as the SDK sends it and the fake accepts x-api-key too', async () => {
  await withFake([{ kind: 'reply', text: 'ok' }], async (url, requests) => {
    await client(url).complete({ system: 's', user: 'u' });
    assert.equal(requests[0]!.apiKey, KEY);
    const res = await fetch(`${url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', max_tokens: 5, messages: [] }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { content: { text: string }[] };
    assert.equal(body.content[0]!.text, 'ok');
  });
});
