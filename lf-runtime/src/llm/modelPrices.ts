/**
 * Token prices for showing what a generation cost. Only models whose list price we have seen published are
 * here; for any other model the cost is shown as unknown rather than guessed. Callers may pass their own
 * table (e.g. a gateway's negotiated rates) which takes precedence.
 */
import type { TokenUsage } from './types.ts';

/** US dollars per million tokens. */
export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
}

/** Anthropic list prices for standard (non-batch, uncached) usage, as published in 2026. */
export const KNOWN_MODEL_PRICES: Readonly<Record<string, ModelPrice>> = {
  'claude-sonnet-5-5': { inputPerMTok: 2, outputPerMTok: 10 },
  'claude-sonnet-5': { inputPerMTok: 2, outputPerMTok: 10 },
  'claude-sonnet-4-6': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-sonnet-4-5': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-opus-4-5': { inputPerMTok: 5, outputPerMTok: 25 },
  'claude-haiku-4-5': { inputPerMTok: 1, outputPerMTok: 5 },
};

/** The model used when the user has not chosen one: current, not deprecated. */
export const DEFAULT_MODEL = 'claude-sonnet-5-5';

/** Price of a model id, also matching dated ids such as `claude-haiku-4-5-20251001`. */
export function priceOf(model: string, extra?: Record<string, ModelPrice>): ModelPrice | null {
  const table = { ...KNOWN_MODEL_PRICES, ...extra };
  return table[model] ?? table[model.replace(/-\d{8}$/, '')] ?? null;
}

export function usageWithCost(model: string, inputTokens: number, outputTokens: number, extra?: Record<string, ModelPrice>): TokenUsage {
  const price = priceOf(model, extra);
  const costUsd = price ? (inputTokens * price.inputPerMTok + outputTokens * price.outputPerMTok) / 1_000_000 : null;
  return { inputTokens, outputTokens, costUsd };
}

/** "1,234 in / 567 out tokens, $0.0081" or "... (price unknown for <model>)". */
export function formatUsage(usage: TokenUsage, model: string): string {
  const tokens = `${usage.inputTokens.toLocaleString('en-US')} in / ${usage.outputTokens.toLocaleString('en-US')} out tokens`;
  return usage.costUsd === null ? `${tokens} (price unknown for ${model})` : `${tokens}, $${usage.costUsd.toFixed(4)}`;
}
