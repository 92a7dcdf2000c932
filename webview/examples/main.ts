/**
 * The examples view: the rows behind a figure. A filter bar (split, LF, its vote, overlaps, conflicts, gold,
 * outcome, label model answer and confidence, text search, order and seed) asks the language server for one
 * page at a time; each row shows its text with what the LF matched highlighted, every LF's vote, the label
 * model's probabilities and gold. Rows can be labeled with the keyboard (1..9 per class, 0 to take a label
 * back, u or Ctrl+Z to undo; j/k or the arrow keys move). The filter, order, seed and page survive a reload.
 */
import type {
  ExampleRow,
  ExamplesFilter,
  ExamplesPage,
  ExamplesQuery,
  ExamplesToHostMessage,
  HostToExamplesMessage,
} from '../../lf-runtime/src/protocol.ts';
import './examples.css';

interface VsCodeApi {
  postMessage(message: ExamplesToHostMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

interface ViewState {
  filter: ExamplesFilter;
  order: ExamplesQuery['order'];
  seed: number;
  page: number;
}

const PAGE_SIZE = 50;
const vscode = acquireVsCodeApi();
const app = document.getElementById('app') as HTMLElement;
const saved = vscode.getState() as ViewState | undefined;
let state: ViewState = saved && saved.filter ? saved : { filter: { split: 'sample' }, order: 'seeded', seed: 1, page: 0 };
let page: ExamplesPage | null = null;
let labels: string[] = [];
let lastRequest = 0;
let outstanding: number | null = null;
let error: string | null = null;
let notice: string | null = null;
let cursor = 0;
const undo: { split: 'sample' | 'dev'; id: string; previous: number | null }[] = [];
const labelRequests = new Map<number, 'label' | 'undo'>();

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function labelName(c: number | null): string {
  if (c === null || c < 0) return 'abstain';
  return labels[c] ?? page?.labels[c] ?? String(c);
}

function ask(): void {
  vscode.setState(state);
  if (outstanding !== null) vscode.postMessage({ type: 'cancel', requestId: outstanding });
  const requestId = ++lastRequest;
  outstanding = requestId;
  const query: ExamplesQuery = { filter: state.filter, order: state.order, seed: state.seed, offset: state.page * PAGE_SIZE, limit: PAGE_SIZE };
  vscode.postMessage({ type: 'query', requestId, query });
  renderStatus('Loading…');
}

function setFilter(change: Partial<ExamplesFilter>): void {
  const next: Record<string, unknown> = { ...state.filter, ...change };
  for (const [k, v] of Object.entries(next)) if (v === undefined || v === '' || v === false || v === null || v === 'any') delete next[k];
  state = { ...state, filter: next as unknown as ExamplesFilter, page: 0 };
  cursor = 0;
  ask();
}

// ---------------------------------------------------------------------------------------------------------
// Filter bar
// ---------------------------------------------------------------------------------------------------------

function select(label: string, value: string, options: [string, string][], onChange: (v: string) => void): HTMLElement {
  const s = document.createElement('select');
  s.title = label;
  s.setAttribute('aria-label', label);
  for (const [v, text] of options) {
    const o = document.createElement('option');
    o.value = v;
    o.textContent = text;
    o.selected = v === value;
    s.append(o);
  }
  s.addEventListener('change', () => onChange(s.value));
  return el('label', {}, `${label} `, s);
}

function checkbox(label: string, checked: boolean, onChange: (v: boolean) => void, title = ''): HTMLElement {
  const c = document.createElement('input');
  c.type = 'checkbox';
  c.checked = checked;
  c.title = title;
  c.addEventListener('change', () => onChange(c.checked));
  return el('label', { title }, c, ` ${label}`);
}

const classOptions = (): [string, string][] => (page?.labels ?? labels).map((l, c) => [String(c), l]);
const numOr = (v: string, fallback: string | number | null) => (v === '' || v === 'any' ? fallback : /^\d+$/.test(v) ? Number(v) : v);

function filterBar(): HTMLElement {
  const f = state.filter;
  const lfNames = page?.lfNames ?? [];
  const bar = el('div', { className: 'filters' });
  bar.append(
    select('Rows', f.split, [['sample', 'sample'], ['dev', 'dev'], ['labeled', 'with gold']], (v) => setFilter({ split: v as ExamplesFilter['split'] })),
    select('LF', f.lf ?? '', [['', '(any)'], ...lfNames.map((n) => [n, n] as [string, string])], (v) => setFilter({ lf: v || null, lfFile: null })),
  );
  if (f.lf) {
    bar.append(
      select('its vote', String(f.vote ?? 'any'), [['any', 'any'], ['fires', 'votes'], ['abstains', 'abstains'], ...classOptions()], (v) =>
        setFilter({ vote: numOr(v, 'any') as ExamplesFilter['vote'] }),
      ),
      checkbox('overlaps', f.overlaps === true, (v) => setFilter({ overlaps: v })),
      select('conflicts with', f.conflictsWith ?? '', [['', '(none)'], ...lfNames.filter((n) => n !== f.lf).map((n) => [n, n] as [string, string])], (v) =>
        setFilter({ conflictsWith: v || null }),
      ),
      checkbox('raised', f.errors === true, (v) => setFilter({ errors: v })),
    );
  }
  bar.append(
    checkbox('conflicts', f.conflicts === true, (v) => setFilter({ conflicts: v })),
    checkbox('no LF votes', f.uncovered === true, (v) => setFilter({ uncovered: v })),
    select('gold', String(f.gold ?? 'any'), [['any', 'any'], ['labeled', 'labeled'], ['unlabeled', 'unlabeled'], ...classOptions()], (v) =>
      setFilter({ gold: numOr(v, 'any') as ExamplesFilter['gold'] }),
    ),
    select(f.lf ? 'its vote vs gold' : 'label model vs gold', f.outcome ?? 'any', [['any', 'any'], ['wrong', 'wrong'], ['right', 'right']], (v) =>
      setFilter({ outcome: v as ExamplesFilter['outcome'] }),
    ),
    select('model says', f.predicted === null || f.predicted === undefined ? '' : String(f.predicted), [['', 'any'], ...classOptions()], (v) =>
      setFilter({ predicted: v === '' ? null : Number(v) }),
    ),
    select('model confidence', f.maxConfidence ? String(f.maxConfidence) : '', [['', 'any'], ['0.6', 'below 60%'], ['0.8', 'below 80%'], ['0.95', 'below 95%']], (v) =>
      setFilter({ maxConfidence: v === '' ? null : Number(v) }),
    ),
  );
  const search = document.createElement('input');
  search.type = 'search';
  search.value = f.search ?? '';
  search.placeholder = 'text contains…';
  search.setAttribute('aria-label', 'Text contains');
  let timer: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => setFilter({ search: search.value }), 200);
  });
  bar.append(search);
  bar.append(
    select('order', state.order, [['seeded', 'random (seeded)'], ['data', 'file order'], ['confidence', 'least confident first']], (v) => {
      state = { ...state, order: v as ExamplesQuery['order'], page: 0 };
      ask();
    }),
  );
  const reshuffle = el('button', { textContent: `Reshuffle (seed ${state.seed})`, title: 'Draw another random sample' });
  reshuffle.addEventListener('click', () => {
    state = { ...state, seed: state.seed + 1, page: 0, order: 'seeded' };
    ask();
  });
  bar.append(reshuffle);
  return bar;
}

// ---------------------------------------------------------------------------------------------------------
// Rows
// ---------------------------------------------------------------------------------------------------------

function highlighted(text: string, spans: [number, number][]): HTMLElement {
  const p = el('div', { className: 'text' });
  let at = 0;
  for (const [s, e] of spans) {
    if (s < at) continue;
    p.append(text.slice(at, s), el('mark', { textContent: text.slice(s, e) }));
    at = e;
  }
  p.append(text.slice(at));
  return p;
}

function rowView(r: ExampleRow, i: number, p: ExamplesPage): HTMLElement {
  const focusLf = state.filter.lf ?? null;
  const item = el('li', { className: `row${i === cursor ? ' cursor' : ''}`, tabIndex: i === cursor ? 0 : -1 });
  item.dataset.index = String(i);
  item.addEventListener('click', () => moveCursor(i));
  const head = el('div', { className: 'row-head' }, el('span', { className: 'row-id', textContent: `${r.split} #${r.id}` }));
  const gold = el('span', { className: `gold${r.gold === null ? ' none' : ''}`, textContent: r.gold === null ? 'no gold' : `gold ${labelName(r.gold)}${r.goldFromUser ? ' (yours)' : ''}` });
  head.append(gold);
  if (r.probs) {
    const best = r.probs.indexOf(Math.max(...r.probs));
    const probs = el('span', { className: 'probs', title: 'Label model P(class | votes)' });
    r.probs.forEach((q, c) => probs.append(el('span', { className: `prob${c === best ? ' best' : ''}`, textContent: `${labelName(c)} ${(q * 100).toFixed(0)}%` })));
    head.append(probs);
  }
  const buttons = el('span', { className: 'label-buttons' });
  p.labels.forEach((name, c) => {
    const b = el('button', { textContent: `${c + 1} ${name}`, title: `Label this row ${name} (key ${c + 1})`, className: r.gold === c && r.goldFromUser ? 'chosen' : '' });
    b.addEventListener('click', (e) => {
      e.stopPropagation();
      setLabel(r, c);
    });
    buttons.append(b);
  });
  if (r.goldFromUser) {
    const clear = el('button', { textContent: '0 clear', title: 'Take your label back (key 0)' });
    clear.addEventListener('click', (e) => {
      e.stopPropagation();
      setLabel(r, null);
    });
    buttons.append(clear);
  }
  head.append(buttons);
  item.append(head, highlighted(r.text, r.highlights));
  const fields = Object.entries(r.fields);
  if (fields.length) item.append(el('div', { className: 'fields', textContent: fields.map(([k, v]) => `${k}: ${v}`).join(' · ') }));
  const votes = el('div', { className: 'votes' });
  let abstains = 0;
  r.votes.forEach((v, j) => {
    if (v === -1 && p.lfNames[j] !== focusLf) {
      abstains++;
      return;
    }
    const wrong = r.gold !== null && v !== -1 && v !== r.gold;
    const chip = el('a', { href: '#', className: `vote${p.lfNames[j] === focusLf ? ' focus' : ''}${wrong ? ' wrong' : ''}`, textContent: `${p.lfNames[j]}: ${labelName(v)}`, title: `Open ${p.lfNames[j]} in its file` });
    chip.addEventListener('click', (e) => {
      e.preventDefault();
      vscode.postMessage({ type: 'revealLf', name: p.lfNames[j] });
    });
    votes.append(chip);
  });
  if (abstains) votes.append(el('span', { className: 'abstains', textContent: `${abstains} LF${abstains === 1 ? '' : 's'} abstain` }));
  item.append(votes);
  return item;
}

function setLabel(r: ExampleRow, label: number | null, kind: 'label' | 'undo' = 'label'): void {
  const requestId = ++lastRequest;
  labelRequests.set(requestId, kind);
  vscode.postMessage({ type: 'setLabel', requestId, split: r.split, id: r.id, label });
  notice = `Saving ${label === null ? 'no label' : labelName(label)} for ${r.split} #${r.id}…`;
  renderStatus(notice);
}

/** Takes the last label given in this view back to what the row had before. */
function undoLast(): void {
  const last = undo.pop();
  updateUndoButton();
  if (!last) return;
  setLabel({ split: last.split, id: last.id } as ExampleRow, last.previous, 'undo');
}

function updateUndoButton(): void {
  const b = document.getElementById('undo') as HTMLButtonElement | null;
  if (!b) return;
  const last = undo[undo.length - 1];
  b.disabled = !last;
  b.title = last ? `Take back the label of ${last.split} #${last.id} (u)` : 'Nothing to undo';
}

function moveCursor(i: number): void {
  if (!page) return;
  cursor = Math.max(0, Math.min(page.rows.length - 1, i));
  for (const li of app.querySelectorAll<HTMLElement>('li.row')) {
    const on = Number(li.dataset.index) === cursor;
    li.classList.toggle('cursor', on);
    li.tabIndex = on ? 0 : -1;
    if (on) {
      li.focus({ preventScroll: true });
      li.scrollIntoView({ block: 'nearest' });
    }
  }
}

function goPage(n: number): void {
  state = { ...state, page: n };
  cursor = 0;
  ask();
}

function pager(p: ExamplesPage): HTMLElement {
  const pages = Math.max(1, Math.ceil(p.total / PAGE_SIZE));
  const nav = el('nav', { className: 'pager' });
  const prev = el('button', { textContent: '‹ Previous', disabled: state.page === 0 });
  prev.addEventListener('click', () => goPage(state.page - 1));
  const next = el('button', { textContent: 'Next ›', disabled: state.page >= pages - 1 });
  next.addEventListener('click', () => goPage(state.page + 1));
  nav.append(prev, el('span', { textContent: ` page ${state.page + 1} of ${pages} ` }), next);
  return nav;
}

function renderStatus(text: string): void {
  const s = document.getElementById('status');
  if (s) s.textContent = text;
}

function render(): void {
  app.replaceChildren();
  app.append(filterBar());
  const status = el('p', { id: 'status', className: 'status' });
  status.setAttribute('role', 'status');
  const undoButton = el('button', { id: 'undo', textContent: 'Undo last label' });
  undoButton.addEventListener('click', () => undoLast());
  app.append(el('div', { className: 'status-bar' }, status, undoButton));
  updateUndoButton();
  if (error) app.append(el('p', { className: 'problem', textContent: error }));
  if (!page) return;
  const p = page;
  app.append(
    el('h2', { textContent: p.title }),
    el('p', {
      className: 'summary',
      textContent: `${p.total.toLocaleString('en-US')} row${p.total === 1 ? '' : 's'} · labels you give go to ${p.labelsFile} and count as dev labels at once · keys: 1-${p.labels.length} label, 0 clear, u undo, j/k move`,
    }),
  );
  if (p.rows.length === 0) app.append(el('p', { textContent: 'No rows match.' }));
  const list = el('ol', { className: 'rows', start: p.offset + 1 });
  p.rows.forEach((r, i) => list.append(rowView(r, i, p)));
  app.append(list);
  if (p.total > PAGE_SIZE) app.append(pager(p));
  if (notice) renderStatus(notice);
}

window.addEventListener('keydown', (e) => {
  if (!page || (e.target instanceof HTMLElement && ['INPUT', 'SELECT', 'TEXTAREA'].includes(e.target.tagName))) return;
  const row = page.rows[cursor];
  if ((e.key === 'z' && (e.ctrlKey || e.metaKey)) || e.key === 'u') {
    undoLast();
    e.preventDefault();
  } else if (e.key === 'j' || e.key === 'ArrowDown') {
    moveCursor(cursor + 1);
    e.preventDefault();
  } else if (e.key === 'k' || e.key === 'ArrowUp') {
    moveCursor(cursor - 1);
    e.preventDefault();
  } else if (row && /^[1-9]$/.test(e.key) && Number(e.key) <= page.labels.length) {
    setLabel(row, Number(e.key) - 1);
    e.preventDefault();
  } else if (row && e.key === '0') {
    setLabel(row, null);
    e.preventDefault();
  }
});

window.addEventListener('message', (event: MessageEvent<HostToExamplesMessage>) => {
  const m = event.data;
  switch (m.type) {
    case 'showQuery':
      state = { filter: m.filter, order: m.order ?? 'seeded', seed: state.seed, page: 0 };
      cursor = 0;
      page = null;
      render();
      ask();
      break;
    case 'page':
      if (m.requestId !== outstanding) return; // an answer to a question no longer asked
      outstanding = null;
      page = m.page;
      labels = m.page.labels;
      error = null;
      render();
      moveCursor(Math.min(cursor, m.page.rows.length - 1));
      renderStatus(`${m.page.total.toLocaleString('en-US')} row${m.page.total === 1 ? '' : 's'} in ${m.page.tookMs} ms`);
      break;
    case 'error':
      if (m.requestId !== outstanding) return;
      outstanding = null;
      if (!m.cancelled) {
        error = m.message;
        render();
      }
      break;
    case 'didAnalyze':
      labels = m.labels;
      // New figures: ask again so the rows, votes and gold are those of the latest run.
      if (m.version !== null && (page === null || page.version !== m.version)) ask();
      break;
    case 'labelDone': {
      const kind = labelRequests.get(m.requestId) ?? 'label';
      labelRequests.delete(m.requestId);
      if (m.error) {
        notice = `Could not save the label: ${m.error}`;
        renderStatus(notice);
        break;
      }
      if (kind === 'label') undo.push({ split: m.split, id: m.id, previous: m.previous });
      updateUndoButton();
      notice = `${m.split} #${m.id}: ${m.label === null ? 'label taken back' : `labeled ${labelName(m.label)}`}${kind === 'undo' ? ' (undone)' : ''}`;
      renderStatus(notice);
      if (kind === 'label' && page && cursor < page.rows.length - 1) cursor++;
      break;
    }
  }
});

render();
vscode.postMessage({ type: 'ready' });
