/**
 * The review webview: one card per candidate LF with a monaco editor holding its code, its numbers
 * (coverage, estimated and dev accuracy, overlap, conflict, what it adds to the label model), why it passed
 * or failed, and a few rows it votes on. Editing re-scores (debounced, through the host); Accept inserts it
 * into the chosen LF file; Reject marks it; Accept All Passing takes every passing, undecided candidate.
 * A candidate that does not run cannot be accepted: its Accept is disabled with the reason beside it (the
 * host checks again). The overlap and its limit use the filter's own wording and digits (candidateFilter.ts).
 * Editors are kept across refreshes so re-scoring never steals the cursor.
 */
import * as monaco from 'monaco-editor/editor/editor.api';
import 'monaco-editor/languages/definitions/python/register';
import type { HostToReviewMessage, ReviewToHostMessage } from '../../lf-runtime/src/protocol.ts';
import { acceptBlocker, figuresAgainst, OVERLAP_RULE, refinementOf } from '../../lf-runtime/src/llm/candidateFilter.ts';
import type { GenerationRecord, ScoredCandidate } from '../../lf-runtime/src/llm/types.ts';
import './review.css';

interface VsCodeApi {
  postMessage(message: ReviewToHostMessage): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

// No MonacoEnvironment worker is configured on purpose: monaco then runs its language services on the main
// thread, which is plenty for highlighting Python and keeps the CSP free of extra script sources.

const host = acquireVsCodeApi();
const app = document.getElementById('app') as HTMLElement;
const EDIT_DEBOUNCE_MS = 600;

let record: GenerationRecord | null = null;
let lfFiles: string[] = [];
let targetFile: string | null = null;
const editors = new Map<string, { editor: monaco.editor.IStandaloneCodeEditor; card: HTMLElement; timer: number | undefined }>();
const busy = new Set<string>();

const pct = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);
const signed = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} pt`);

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function header(): HTMLElement {
  if (!record) return el('div');
  const passed = record.candidates.filter((c) => c.passed).length;
  const usage = record.usage
    ? `${record.usage.inputTokens} in / ${record.usage.outputTokens} out tokens${record.usage.costUsd !== null ? ` · $${record.usage.costUsd.toFixed(4)}` : ' · price unknown'}`
    : '';
  const select = el('select', { id: 'target-file', title: 'LF file that Accept inserts into' });
  const shown = shortPaths(lfFiles);
  lfFiles.forEach((f, i) => select.append(el('option', { value: f, textContent: shown[i], title: f, selected: f === targetFile })));
  select.addEventListener('change', () => (targetFile = select.value));
  const acceptAll = el('button', { id: 'accept-all', textContent: 'Accept All Passing', disabled: lfFiles.length === 0 || passed === 0 });
  acceptAll.addEventListener('click', () => targetFile && host.postMessage({ type: 'acceptAllPassing', targetFile }));
  const bar = el('header', {},
    el('h1', { textContent: `${passed} of ${record.candidates.length} candidates pass` }),
    el('p', { className: 'meta', textContent: record.source === 'suggester' ? `${record.model} · ${record.prompt.user}` : `${record.model} · tier ${record.prompt.tier} · ${usage}` }),
    el('label', {}, 'Insert into ', select), acceptAll);
  for (const w of record.warnings) bar.append(el('p', { className: 'warning', textContent: w }));
  if (record.problem) bar.append(el('p', { className: 'error', textContent: record.problem }));
  return bar;
}

/**
 * "94.7% with keyword_my (must be below 95.0%)": the largest overlap against the generation's limit, or, for
 * a refinement of that LF, the comparison that lets it pass.
 */
function overlapCell(s: ScoredCandidate['score']): string {
  if (!s) return '—';
  const limit = record?.thresholds.maxOverlap;
  const with_ = s.maxOverlapWith ? ` with ${s.maxOverlapWith}` : '';
  if (limit === undefined) return `${pct(s.maxOverlap)}${with_}`;
  const [share, max] = figuresAgainst(s.maxOverlap, limit, { percent: true, minDigits: 1 });
  const top = s.overlaps?.find((o) => o.name === s.maxOverlapWith);
  const refinement = top && top.share >= limit ? refinementOf(s, top) : null;
  if (refinement?.refines) return `${share}: ${refinement.note}`;
  return `${share}${with_} (must be below ${max})`;
}

function devCell(s: ScoredCandidate['score']): string {
  if (s?.devAccuracy === null || s?.devAccuracy === undefined) return '—';
  return s.devCorrect !== undefined ? `${pct(s.devAccuracy)} (${s.devCorrect}/${s.devVotes})` : `${pct(s.devAccuracy)} (${s.devVotes} votes)`;
}

function numbers(c: ScoredCandidate): HTMLElement {
  const s = c.score;
  const rows: [string, string, string][] = [
    ['Coverage', pct(s?.coverage), 'share of sample rows it votes on'],
    ['Est. accuracy', pct(s?.estimatedAccuracy), 'label model estimate when voting, no gold labels used'],
    ['Dev accuracy', devCell(s), 'correct / votes on the dev set: really a precision'],
    ['Overlap', overlapCell(s), `Largest overlap with one existing LF. The rule: ${OVERLAP_RULE}, unless the candidate refines that LF.`],
    ['Conflict', pct(s?.conflict), 'sample rows where an existing LF votes a different label'],
    ['Label model Δ', signed(s?.deltaLabelModelAccuracy), 'change in label-model accuracy on the dev set if added'],
    ['Coverage Δ', signed(s?.deltaCoverage), 'change in total coverage if added'],
  ];
  const table = el('table', { className: 'numbers' });
  for (const [k, v, title] of rows) table.append(el('tr', { title }, el('th', { textContent: k }), el('td', { textContent: v })));
  return table;
}

function examples(c: ScoredCandidate): HTMLElement {
  const labels = record?.labels ?? [];
  const list = el('ul', { className: 'examples' });
  for (const r of c.score?.exampleRows ?? []) {
    const verdict = r.gold === null ? '' : r.gold === r.vote ? ' ✓' : ` ✗ (truly ${labels[r.gold] ?? r.gold})`;
    list.append(el('li', {}, el('span', { className: 'vote', textContent: `${labels[r.vote] ?? r.vote}${verdict}` }), ` ${r.text.slice(0, 200)}`));
  }
  return list;
}

function card(c: ScoredCandidate): HTMLElement {
  const existing = editors.get(c.name);
  const container = existing?.card ?? el('section', { className: 'candidate' });
  container.dataset.name = c.name;
  container.className = `candidate ${c.passed ? 'pass' : 'fail'} ${c.decision}`;
  const editorHost = existing ? (container.querySelector('.editor') as HTMLElement) : el('div', { className: 'editor' });
  const blocker = acceptBlocker(c);
  const accept = el('button', { className: 'accept', textContent: 'Accept', disabled: blocker !== null || c.decision === 'accepted' || !targetFile });
  if (blocker) accept.title = `Cannot be accepted as it is: ${blocker}`;
  accept.addEventListener('click', () => targetFile && host.postMessage({ type: 'accept', name: c.name, targetFile }));
  const reject = el('button', { className: 'reject', textContent: 'Reject', disabled: c.decision !== 'pending' });
  reject.addEventListener('click', () => host.postMessage({ type: 'reject', name: c.name }));
  const title = el('h2', {}, `#${c.rank} ${c.name}`, el('span', { className: 'badge', textContent: c.decision !== 'pending' ? c.decision : c.passed ? 'passes' : 'fails' }));
  if (busy.has(c.name)) title.append(el('span', { className: 'busy', textContent: ' re-scoring…' }));
  container.replaceChildren(title, el('p', { className: 'reason', textContent: c.reason }), editorHost, el('div', { className: 'side' }, numbers(c), examples(c)), el('div', { className: 'actions' }, accept, reject, ...(blocker ? [el('span', { className: 'blocked', textContent: `Cannot be accepted as it is: ${blocker}` })] : [])));
  if (!existing) {
    const editor = monaco.editor.create(editorHost, {
      value: c.code,
      language: 'python',
      theme: document.body.classList.contains('vscode-light') ? 'vs' : 'vs-dark',
      minimap: { enabled: false },
      automaticLayout: true,
      scrollBeyondLastLine: false,
      fontSize: 13,
    });
    const entry = { editor, card: container, timer: undefined as number | undefined };
    editor.onDidChangeModelContent(() => {
      window.clearTimeout(entry.timer);
      entry.timer = window.setTimeout(() => host.postMessage({ type: 'edit', name: container.dataset.name ?? c.name, code: editor.getValue() }), EDIT_DEBOUNCE_MS);
    });
    editors.set(c.name, entry);
  } else if (!existing.editor.hasTextFocus() && existing.editor.getValue() !== c.code && existing.timer === undefined) {
    existing.editor.setValue(c.code);
  }
  return container;
}

function render(): void {
  if (!record) {
    app.replaceChildren(el('p', { textContent: 'Waiting for a generation…' }));
    return;
  }
  const cards = record.candidates.map(card);
  const names = new Set(record.candidates.map((c) => c.name));
  for (const [name, entry] of editors) {
    if (!names.has(name)) {
      entry.editor.dispose();
      editors.delete(name);
    }
  }
  app.replaceChildren(header(), ...cards);
}

window.addEventListener('message', (event: MessageEvent<HostToReviewMessage>) => {
  const m = event.data;
  if (m.type === 'showGeneration') {
    record = m.record;
    lfFiles = m.lfFiles;
    targetFile = targetFile && lfFiles.includes(targetFile) ? targetFile : m.targetFile;
    render();
  } else if (m.type === 'busy') {
    if (m.busy) busy.add(m.name);
    else busy.delete(m.name);
    const entry = editors.get(m.name);
    if (entry && !m.busy) entry.timer = undefined;
    if (record) render();
  } else if (m.type === 'error') {
    app.prepend(el('p', { className: 'error', textContent: m.message }));
  }
});

render();
host.postMessage({ type: 'ready' });

/** File paths relative to the folder they all share, as a user reads them in the explorer. */
function shortPaths(files: string[]): string[] {
  if (files.length === 0) return [];
  const split = files.map((f) => f.split(/[\\/]/));
  let common = split[0].length - 1; // never strip the file name itself
  for (const parts of split) {
    let i = 0;
    while (i < common && i < parts.length - 1 && parts[i] === split[0][i]) i++;
    common = i;
  }
  return split.map((parts) => parts.slice(common).join('/'));
}
