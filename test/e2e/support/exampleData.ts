/**
 * Expected figures computed straight from the example's data (examples/youtube-spam/data/train.json, the
 * project's sample), independently of the extension, so a lens or review-panel number can be checked
 * against a count made here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exampleWorkspace } from './paths.ts';

interface WrenchRow {
  data: { text: string };
}

/** The sample rows' texts, in file order. */
export function exampleSampleTexts(): string[] {
  const samplePath = join(exampleWorkspace, 'data', 'train.json');
  const parsed: unknown = JSON.parse(readFileSync(samplePath, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null) throw new Error(`${samplePath} is not a WRENCH object of rows`);
  const rows = Object.values(parsed as Record<string, WrenchRow>);
  if (rows.length === 0 || typeof rows[0]?.data?.text !== 'string') throw new Error(`${samplePath} has no rows with data.text`);
  return rows.map((row) => row.data.text);
}

/** Fraction of sample rows where `votes` holds, formatted as the lens and the review panel print it ("19.9%"). */
export function sampleCoverage(votes: (text: string) => boolean): string {
  const texts = exampleSampleTexts();
  const hits = texts.filter(votes).length;
  return `${((100 * hits) / texts.length).toFixed(1)}%`;
}

/** Coverage of an LF voting when the lower-cased text contains `keyword`. */
export function keywordCoverage(keyword: string): string {
  return sampleCoverage((text) => text.toLowerCase().includes(keyword));
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
