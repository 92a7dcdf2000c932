/**
 * One error type for everything that can go wrong talking to the model, with a kind the UI can act on
 * (auth -> offer "Set API Key") and a message that says what happened and what to do. SDK errors are
 * classified here so no caller needs to know the SDK's class hierarchy.
 */
import type { APIError } from '@anthropic-ai/sdk';
import { loadedAnthropicSdk, type AnthropicSdk } from './anthropicSdk.ts';

export type LlmErrorKind =
  | 'missing-key'
  | 'auth'
  | 'permission'
  | 'rate-limit'
  | 'overloaded'
  | 'server'
  | 'timeout'
  | 'network'
  | 'cancelled'
  | 'bad-request'
  | 'not-found';

/** Kinds worth another attempt after a pause. */
export const RETRYABLE_KINDS: ReadonlySet<LlmErrorKind> = new Set(['rate-limit', 'overloaded', 'server', 'timeout', 'network']);

export class LlmError extends Error {
  constructor(
    readonly kind: LlmErrorKind,
    message: string,
    readonly status: number | null = null,
    /** Seconds the server asked us to wait (retry-after), when it said. */
    readonly retryAfterSeconds: number | null = null,
    readonly attempts = 1,
  ) {
    super(message);
    this.name = 'LlmError';
  }

  get retryable(): boolean {
    return RETRYABLE_KINDS.has(this.kind);
  }
}

export const SET_KEY_HINT =
  'Set it with the command "LF Studio: Set Anthropic API Key", or the ANTHROPIC_API_KEY environment variable.';

export function missingKeyError(): LlmError {
  return new LlmError('missing-key', `No Anthropic API key. ${SET_KEY_HINT}`);
}

/** The server's own explanation from an Anthropic error body, e.g. "overloaded_error: Overloaded". */
function serverDetail(err: APIError): string {
  const body = err.error as { error?: { type?: unknown; message?: unknown } } | undefined;
  const type = typeof body?.error?.type === 'string' ? body.error.type : null;
  const message = typeof body?.error?.message === 'string' ? body.error.message : null;
  if (type && message) return `${type}: ${message}`;
  return type ?? message ?? 'no details';
}

function retryAfter(err: APIError): number | null {
  const value = err.headers?.get('retry-after');
  if (!value) return null;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}

/** Classifies anything the SDK (or the stream) threw. `endpoint` names where we were talking to. */
export function classifySdkError(err: unknown, endpoint: string, userCancelled: boolean): LlmError {
  if (err instanceof LlmError) return err;
  if (userCancelled) return new LlmError('cancelled', 'Generation cancelled.');
  // An SDK error can only come from a loaded SDK; without one, this is some other failure.
  const sdk = loadedAnthropicSdk();
  if (sdk) {
    const classified = classifyApiError(err, endpoint, sdk);
    if (classified) return classified;
  }
  const message = err instanceof Error ? err.message : String(err);
  return new LlmError('network', `Talking to ${endpoint} failed: ${message}`);
}

function classifyApiError(err: unknown, endpoint: string, sdk: AnthropicSdk): LlmError | null {
  const {
    APIConnectionError,
    APIConnectionTimeoutError,
    APIError,
    APIUserAbortError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
  } = sdk;
  if (err instanceof APIConnectionTimeoutError) return new LlmError('timeout', `No reply from ${endpoint} in time.`);
  if (err instanceof APIUserAbortError) return new LlmError('cancelled', 'Generation cancelled.');
  if (err instanceof APIConnectionError) {
    const cause = err.cause instanceof Error ? err.cause.message : err.message;
    return new LlmError('network', `Could not reach ${endpoint} (${cause}).`);
  }
  if (err instanceof APIError) {
    const status = typeof err.status === 'number' ? err.status : null;
    const detail = serverDetail(err);
    if (err instanceof AuthenticationError) {
      return new LlmError('auth', `The Anthropic API rejected the API key (401 ${detail}). ${SET_KEY_HINT}`, 401);
    }
    if (err instanceof PermissionDeniedError) {
      return new LlmError('permission', `The API key may not use this model or endpoint (403 ${detail}).`, 403);
    }
    if (err instanceof RateLimitError) return new LlmError('rate-limit', `Rate limited (429 ${detail}).`, 429, retryAfter(err));
    if (status === 529) return new LlmError('overloaded', `The Anthropic API is overloaded (529 ${detail}).`, 529, retryAfter(err));
    if (status !== null && (status >= 500 || status === 408)) {
      return new LlmError('server', `The Anthropic API failed (${status} ${detail}).`, status, retryAfter(err));
    }
    if (err instanceof NotFoundError) {
      return new LlmError('not-found', `Not found (404 ${detail}). Check the model id (setting lfStudio.llm.model) and the base URL.`, 404);
    }
    if (err instanceof BadRequestError) return new LlmError('bad-request', `The request was refused (400 ${detail}).`, 400);
    return new LlmError('bad-request', `The Anthropic API answered ${status ?? 'with an error'} (${detail}).`, status);
  }
  return null;
}

/** The final message after retries ran out: what happened, how often we tried, what to do. */
export function exhaustedError(last: LlmError, attempts: number): LlmError {
  const advice: Partial<Record<LlmErrorKind, string>> = {
    'rate-limit': 'Wait a minute, ask for fewer candidates, or raise your rate limit.',
    overloaded: 'The service is busy; try again in a few minutes.',
    server: 'Try again later; if it persists, check the status page of your provider or gateway.',
    timeout: 'Check the network and the base URL (lfStudio.llm.baseUrl / ANTHROPIC_BASE_URL), then try again.',
    network: 'Check the network and the base URL (lfStudio.llm.baseUrl / ANTHROPIC_BASE_URL), then try again.',
  };
  const message = `${last.message} Gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}. ${advice[last.kind] ?? ''}`.trim();
  return new LlmError(last.kind, message, last.status, last.retryAfterSeconds, attempts);
}

/** Removes the API key from any text before it is shown, logged or saved. */
export function redactKey(text: string, apiKey: string | null | undefined): string {
  if (!apiKey || apiKey.length < 4) return text;
  return text.split(apiKey).join('[redacted key]');
}
