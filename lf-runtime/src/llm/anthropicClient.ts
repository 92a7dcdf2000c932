/**
 * The one place that talks to the model: a thin wrapper over @anthropic-ai/sdk's streaming Messages API.
 * It owns what the product promises around the call: the key is passed in (never read from the process by
 * this module, never logged), retries with backoff for 429/529/5xx/timeouts (the SDK's own retries are off so
 * attempts and waits are visible to the user), a stall timeout between streamed events, cancellation through
 * an AbortSignal, usage with cost, and SDK warnings (e.g. a deprecated model) captured for the UI instead of
 * being printed to a console nobody reads.
 */
import type { RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import { loadAnthropicSdk } from './anthropicSdk.ts';
import { LlmError, classifySdkError, exhaustedError, missingKeyError, redactKey } from './llmErrors.ts';
import { usageWithCost } from './modelPrices.ts';
import type { ModelPrice } from './modelPrices.ts';
import type { TokenUsage } from './types.ts';

export interface LlmClientOptions {
  apiKey: string | null | undefined;
  model: string;
  /** A gateway or stand-in server; the SDK's default endpoint when null/empty. */
  baseUrl?: string | null;
  maxTokens?: number;
  /** Attempts in all, first included (default 4). */
  maxAttempts?: number;
  /** First backoff pause; doubles each retry, with jitter, up to maxRetryDelayMs (defaults 1 s and 30 s). */
  retryBaseMs?: number;
  maxRetryDelayMs?: number;
  /** Time allowed until the response headers arrive (default 60 s). */
  requestTimeoutMs?: number;
  /** Longest silence allowed between streamed events (default 60 s). */
  stallTimeoutMs?: number;
  prices?: Record<string, ModelPrice>;
}

export interface CompletionRequest {
  system: string;
  user: string;
  signal?: AbortSignal;
  /** Each streamed text piece, with the text so far, e.g. for a progress notification. */
  onText?: (delta: string, soFar: string) => void;
  /** Before each retry pause: why, and how long we wait. */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
}

export interface CompletionResult {
  text: string;
  stopReason: string | null;
  usage: TokenUsage;
  /** Warnings the SDK emitted (deprecated model, ...), for the user to see. */
  warnings: string[];
  model: string;
  attempts: number;
}

/** What the generation pipeline needs from a model; tests may pass their own. */
export interface LlmClient {
  readonly model: string;
  readonly baseUrl: string | null;
  complete(request: CompletionRequest): Promise<CompletionResult>;
}

export function createAnthropicClient(options: LlmClientOptions): LlmClient {
  const apiKey = options.apiKey?.trim();
  if (!apiKey) throw missingKeyError();
  const baseUrl = options.baseUrl?.trim() || null;
  const endpoint = baseUrl ?? 'api.anthropic.com';
  const warnings: string[] = [];
  const keep = (text: string): void => {
    const clean = redactKey(text, apiKey);
    if (!warnings.includes(clean)) warnings.push(clean);
  };
  const Anthropic = loadAnthropicSdk().default;
  const sdk = new Anthropic({
    apiKey,
    ...(baseUrl ? { baseURL: baseUrl } : {}),
    maxRetries: 0,
    timeout: options.requestTimeoutMs ?? 60_000,
    // The SDK's own log lines go to the user's warning list, never to stdout/stderr.
    logger: { debug: () => {}, info: () => {}, warn: (m: string) => keep(String(m)), error: (m: string) => keep(String(m)) },
    logLevel: 'warn',
  });

  async function attempt(request: CompletionRequest, callWarnings: string[]): Promise<Omit<CompletionResult, 'attempts'>> {
    const stall = new AbortController();
    const signal = request.signal ? AbortSignal.any([request.signal, stall.signal]) : stall.signal;
    const stallMs = options.stallTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => stall.abort(), stallMs);
    };
    const stalled = (): LlmError => new LlmError('timeout', `The reply from ${endpoint} stalled for ${(stallMs / 1000).toFixed(1)} s.`);
    let complete = false;
    let text = '';
    let stopReason: string | null = null;
    let inputTokens = 0;
    let outputTokens = 0;
    try {
      arm();
      const stream = await captureWarnings(callWarnings, () =>
        sdk.messages.create(
          {
            model: options.model,
            max_tokens: options.maxTokens ?? 4096,
            system: request.system,
            messages: [{ role: 'user', content: request.user }],
            stream: true,
          },
          { signal },
        ),
      );
      for await (const event of stream as AsyncIterable<RawMessageStreamEvent>) {
        arm();
        if (event.type === 'message_start') inputTokens = event.message.usage.input_tokens;
        else if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
          text += event.delta.text;
          request.onText?.(event.delta.text, text);
        } else if (event.type === 'message_delta') {
          stopReason = event.delta.stop_reason ?? stopReason;
          outputTokens = event.usage.output_tokens;
          if (typeof event.usage.input_tokens === 'number' && event.usage.input_tokens > 0) inputTokens = event.usage.input_tokens;
        } else if (event.type === 'message_stop') complete = true;
      }
      // An aborted SDK stream can end quietly instead of throwing: decide here why it ended.
      if (request.signal?.aborted) throw new LlmError('cancelled', 'Generation cancelled.');
      if (stall.signal.aborted) throw stalled();
      if (!complete) throw new LlmError('network', `The reply from ${endpoint} ended before it was complete.`);
    } catch (err) {
      if (stall.signal.aborted && !request.signal?.aborted) throw stalled();
      throw classifySdkError(err, endpoint, request.signal?.aborted === true);
    } finally {
      clearTimeout(timer);
    }
    const usage = usageWithCost(options.model, inputTokens, outputTokens, options.prices);
    return { text, stopReason, usage, warnings: [], model: options.model };
  }

  return {
    model: options.model,
    baseUrl,
    async complete(request) {
      const maxAttempts = Math.max(1, options.maxAttempts ?? 4);
      const callWarnings: string[] = [];
      for (let n = 1; ; n++) {
        if (request.signal?.aborted) throw new LlmError('cancelled', 'Generation cancelled.');
        try {
          const result = await attempt(request, callWarnings);
          for (const w of callWarnings) keep(w);
          return { ...result, warnings: [...warnings], attempts: n };
        } catch (err) {
          const e = err instanceof LlmError ? err : classifySdkError(err, endpoint, request.signal?.aborted === true);
          if (!e.retryable) throw withAttempts(e, n);
          if (n >= maxAttempts) throw exhaustedError(e, n);
          const delayMs = retryDelay(n, e, options);
          request.onRetry?.({ attempt: n, delayMs, reason: e.message });
          await pause(delayMs, request.signal);
        }
      }
    },
  };
}

function withAttempts(e: LlmError, attempts: number): LlmError {
  return new LlmError(e.kind, e.message, e.status, e.retryAfterSeconds, attempts);
}

/** Honours the server's retry-after within our cap; otherwise exponential backoff with jitter. */
export function retryDelay(attempt: number, e: LlmError, options: Pick<LlmClientOptions, 'retryBaseMs' | 'maxRetryDelayMs'>): number {
  const cap = options.maxRetryDelayMs ?? 30_000;
  if (e.retryAfterSeconds !== null) return Math.min(cap, e.retryAfterSeconds * 1000);
  const base = (options.retryBaseMs ?? 1000) * 2 ** (attempt - 1);
  return Math.min(cap, Math.round(base * (0.75 + Math.random() * 0.5)));
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new LlmError('cancelled', 'Generation cancelled.'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new LlmError('cancelled', 'Generation cancelled.'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The SDK announces deprecated models with console.warn, synchronously inside messages.create. We swap
 * console.warn only for that synchronous call so the warning reaches the user's screen, not a log.
 */
function captureWarnings<T>(sink: string[], call: () => T): T {
  const original = console.warn;
  console.warn = (...args: unknown[]) => {
    sink.push(args.map(String).join(' '));
  };
  try {
    return call();
  } finally {
    console.warn = original;
  }
}
