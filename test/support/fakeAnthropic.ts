/**
 * A local stand-in for the Anthropic Messages API, close enough for the real @anthropic-ai/sdk: JSON replies,
 * server-sent-event streaming, Anthropic's error bodies and statuses, slow replies and hung connections.
 * Tests script one behaviour per request and assert on the recorded requests. No test touches the real API.
 *
 * As a program (for end-to-end tests):
 *   node --import tsx test/support/fakeAnthropic.ts --port 8787 --reply-file reply.md [--key sk-expected]
 * prints `listening <url>` and serves that reply to every request until killed.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readFileSync } from 'node:fs';

export interface FakeUsage {
  input_tokens: number;
  output_tokens: number;
}

/** What the server does with one request. */
export type FakeBehaviour =
  | {
      kind: 'reply';
      text: string;
      usage?: FakeUsage;
      /** Wait this long before the first byte. */
      delayMs?: number;
      /** Streaming only: characters per text_delta event (default 40) and a pause between events. */
      chunkSize?: number;
      chunkDelayMs?: number;
      stopReason?: 'end_turn' | 'max_tokens';
    }
  | { kind: 'error'; status: number; errorType?: string; message?: string; retryAfterSeconds?: number }
  /** Accept the request and never answer (the client's timeout or abort must end it). */
  | { kind: 'hang' }
  /** Streaming only: send the headers and the first events, then go silent. */
  | { kind: 'stallMidStream'; text: string };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The key as the client sent it, from `x-api-key` or `Authorization: Bearer`. */
  apiKey: string | null;
  body: Record<string, unknown> | null;
}

export interface FakeAnthropicOptions {
  /** When set, any other key gets a 401 authentication_error. */
  expectedKey?: string;
  port?: number;
}

export interface FakeAnthropic {
  /** Base URL to hand to the SDK (`baseURL`) or to ANTHROPIC_BASE_URL. */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Behaviours are used in order; the last one repeats. A function gets the 0-based request index. */
export type FakeScript = FakeBehaviour[] | ((index: number, request: RecordedRequest) => FakeBehaviour);

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

export async function startFakeAnthropic(script: FakeScript, options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const request: RecordedRequest = {
      method: req.method ?? '',
      path: (req.url ?? '').split('?')[0] ?? '',
      headers: { ...req.headers },
      apiKey: keyOf(req),
      body: parseJson(raw),
    };
    requests.push(request);
    const index = requests.length - 1;
    if (request.method !== 'POST' || request.path !== '/v1/messages') {
      return sendError(res, { kind: 'error', status: 404, message: `no route ${request.method} ${request.path}` });
    }
    if (options.expectedKey !== undefined && request.apiKey !== options.expectedKey) {
      return sendError(res, { kind: 'error', status: 401, message: 'invalid x-api-key' });
    }
    const behaviour = pick(script, index, request);
    if (behaviour.kind === 'hang') return; // the socket stays open until the client gives up or close()
    if (behaviour.kind === 'error') return sendError(res, behaviour);
    const body = request.body ?? {};
    const model = typeof body.model === 'string' ? body.model : 'unknown-model';
    if (behaviour.kind === 'stallMidStream') {
      startStream(res, model, { input_tokens: 10, output_tokens: 0 });
      writeEvent(res, 'content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: behaviour.text } });
      return;
    }
    if (behaviour.delayMs) await sleep(behaviour.delayMs);
    if (res.destroyed) return;
    const usage = behaviour.usage ?? { input_tokens: Math.ceil(raw.length / 4), output_tokens: Math.ceil(behaviour.text.length / 4) };
    if (body.stream === true) await sendStream(res, model, behaviour, usage);
    else sendJson(res, 200, messageObject(model, behaviour.text, usage, behaviour.stopReason ?? 'end_turn'));
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy(); // hung requests would otherwise keep close() waiting
        server.close(() => resolve());
      }),
  };
}

function pick(script: FakeScript, index: number, request: RecordedRequest): FakeBehaviour {
  if (typeof script === 'function') return script(index, request);
  const b = script[Math.min(index, script.length - 1)];
  if (!b) throw new Error('fake Anthropic script is empty: give at least one behaviour');
  return b;
}

function keyOf(req: IncomingMessage): string | null {
  const x = req.headers['x-api-key'];
  if (typeof x === 'string' && x) return x;
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice('Bearer '.length);
  return null;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(raw: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(raw);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_fake_${Date.now()}`, ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, b: Extract<FakeBehaviour, { kind: 'error' }>): void {
  const type = b.errorType ?? ERROR_TYPES[b.status] ?? 'api_error';
  const headers: Record<string, string> = {};
  if (b.retryAfterSeconds !== undefined) headers['retry-after'] = String(b.retryAfterSeconds);
  // Anthropic marks its own retryable errors; the SDK honours this header.
  headers['x-should-retry'] = b.status === 429 || b.status >= 500 ? 'true' : 'false';
  sendJson(res, b.status, { type: 'error', error: { type, message: b.message ?? defaultMessage(b.status) } }, headers);
}

function defaultMessage(status: number): string {
  if (status === 401) return 'invalid x-api-key';
  if (status === 429) return 'Number of request tokens has exceeded your per-minute rate limit';
  if (status === 529) return 'Overloaded';
  return 'Internal server error';
}

function messageObject(model: string, text: string, usage: FakeUsage, stopReason: string): Record<string, unknown> {
  return {
    id: `msg_fake_${Date.now()}`,
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text }],
    stop_reason: stopReason,
    stop_sequence: null,
    usage: { ...usage, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  };
}

function writeEvent(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function startStream(res: ServerResponse, model: string, usage: FakeUsage): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': `req_fake_${Date.now()}` });
  const message = messageObject(model, '', { input_tokens: usage.input_tokens, output_tokens: 1 }, 'end_turn');
  writeEvent(res, 'message_start', { type: 'message_start', message: { ...message, content: [], stop_reason: null } });
  writeEvent(res, 'content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
}

async function sendStream(res: ServerResponse, model: string, b: Extract<FakeBehaviour, { kind: 'reply' }>, usage: FakeUsage): Promise<void> {
  startStream(res, model, usage);
  const size = Math.max(1, b.chunkSize ?? 40);
  for (let i = 0; i < b.text.length; i += size) {
    if (res.destroyed) return;
    writeEvent(res, 'content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: b.text.slice(i, i + size) } });
    if (b.chunkDelayMs) await sleep(b.chunkDelayMs);
  }
  writeEvent(res, 'content_block_stop', { type: 'content_block_stop', index: 0 });
  writeEvent(res, 'message_delta', {
    type: 'message_delta',
    delta: { stop_reason: b.stopReason ?? 'end_turn', stop_sequence: null },
    usage: { output_tokens: usage.output_tokens },
  });
  writeEvent(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Command-line entry for end-to-end tests: serve one reply text (or one error status) to every request. */
async function main(argv: string[]): Promise<void> {
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const replyFile = arg('--reply-file');
  const status = arg('--status');
  const behaviour: FakeBehaviour = status
    ? { kind: 'error', status: Number(status) }
    : { kind: 'reply', text: replyFile ? readFileSync(replyFile, 'utf8') : 'No code here.', chunkDelayMs: Number(arg('--chunk-delay-ms') ?? 0) };
  const key = arg('--key');
  const fake = await startFakeAnthropic([behaviour], { port: Number(arg('--port') ?? 0), ...(key ? { expectedKey: key } : {}) });
  process.stdout.write(`listening ${fake.url}\n`);
  const stop = (): void => void fake.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

// Run as a program only when it is the entry script, not when a test imports it.
if (/fakeAnthropic\.ts$/.test(process.argv[1] ?? '')) {
  void main(process.argv.slice(2));
}
