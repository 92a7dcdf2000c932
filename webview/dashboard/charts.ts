/**
 * The dashboard's two plotted charts, drawn with uPlot (a small canvas charting library): coverage against
 * estimated accuracy per LF (scatter), and per-class coverage (bars). Colours and fonts are read from VS
 * Code's theme variables when a chart is made, so the page re-makes its charts when the theme changes. Every
 * point and bar opens the examples view on its rows; the same figures are in the tables, as buttons, for the
 * keyboard and screen readers.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { LfSummary } from '../../lf-runtime/src/protocol.ts';
import { cssVar, el, pct, type DashboardActions } from './dom.ts';

export interface ChartTheme {
  fg: string;
  grid: string;
  point: string;
  focus: string;
  background: string;
  fontPx: number;
  fontFamily: string;
  highContrast: boolean;
}

/** A chart on the page; destroy() frees it and stops watching its size. */
export interface Chart {
  destroy(): void;
}

const HEIGHT = 260;
/** How near (CSS px) the pointer must be to a scatter point to hover or click it. */
const HIT_RADIUS = 14;
/** Up to this many LFs, their names are written beside their points. */
const NAMED_POINTS = 15;

export function chartTheme(): ChartTheme {
  const classes = document.body.classList;
  const highContrast = classes.contains('vscode-high-contrast') || classes.contains('vscode-high-contrast-light');
  const fg = cssVar('--vscode-foreground', '#808080');
  return {
    fg,
    grid: highContrast ? cssVar('--vscode-contrastBorder', fg) : cssVar('--vscode-charts-lines', 'rgba(128, 128, 128, 0.35)'),
    point: cssVar('--vscode-charts-blue', '#3794ff'),
    focus: cssVar('--vscode-charts-orange', '#d18616'),
    background: cssVar('--vscode-editor-background', '#ffffff'),
    fontPx: parseFloat(cssVar('--vscode-font-size', '13px')) || 13,
    fontFamily: cssVar('--vscode-font-family', 'sans-serif'),
    highContrast,
  };
}

const font = (t: ChartTheme, scale = 1) => `${Math.round(t.fontPx * scale)}px ${t.fontFamily}`;

function axis(t: ChartTheme, extra: uPlot.Axis): uPlot.Axis {
  return {
    stroke: t.fg,
    font: font(t, 0.9),
    labelFont: font(t),
    grid: { stroke: t.grid, width: 1 },
    ticks: { stroke: t.grid, width: 1 },
    ...extra,
  };
}

/** Axis values as percentages, with a decimal once the steps are finer than 1%. */
const percentValues: uPlot.Axis.DynamicValues = (_u, splits, _axis, _space, incr) =>
  splits.map((v) => (v === null || v === undefined ? '' : `${(v * 100).toFixed(incr < 0.01 ? 1 : 0)}%`));

/** Makes the chart at the container's width and follows the container's width from then on. */
function mount(container: HTMLElement, make: (width: number) => uPlot): Chart {
  const widthNow = () => Math.max(240, Math.floor(container.clientWidth));
  let width = widthNow();
  const u = make(width);
  const observer = new ResizeObserver(() => {
    const w = widthNow();
    if (w === width) return;
    width = w;
    u.setSize({ width, height: HEIGHT });
  });
  observer.observe(container);
  u.root.querySelectorAll('canvas').forEach((c) => c.setAttribute('aria-hidden', 'true'));
  return {
    destroy() {
      observer.disconnect();
      u.destroy();
    },
  };
}

/** A tooltip inside the plotting area, kept clear of its right edge. */
function tooltip(u: uPlot): { show(left: number, top: number, text: string): void; hide(): void } {
  const tip = el('div', { className: 'chart-tip' });
  tip.hidden = true;
  u.over.append(tip);
  return {
    show(left, top, text) {
      tip.textContent = text;
      tip.hidden = false;
      const flip = left + 16 + tip.offsetWidth > u.over.clientWidth;
      tip.style.left = `${flip ? Math.max(0, left - 12 - tip.offsetWidth) : left + 12}px`;
      tip.style.top = `${Math.max(0, top - tip.offsetHeight - 8)}px`;
    },
    hide() {
      tip.hidden = true;
    },
  };
}

/** Pointer position inside the plotting area, in CSS px. */
function pointerIn(u: uPlot, e: MouseEvent): [number, number] {
  const r = u.over.getBoundingClientRect();
  return [e.clientX - r.left, e.clientY - r.top];
}

/**
 * Coverage (x) against the label model's estimated accuracy (y), one point per LF that has an estimate; a
 * click opens the sample rows the LF votes on. Null when no LF has an estimate yet (the caller says so).
 */
export function scatterChart(container: HTMLElement, lfs: LfSummary[], focused: string | null, t: ChartTheme, actions: DashboardActions): Chart | null {
  const points = lfs
    .filter((lf) => lf.estimatedAccuracy !== null && Number.isFinite(lf.estimatedAccuracy) && Number.isFinite(lf.coverage))
    .map((lf) => ({ name: lf.name, coverage: lf.coverage, accuracy: lf.estimatedAccuracy as number }))
    // uPlot wants its x values ascending.
    .sort((a, b) => a.coverage - b.coverage);
  if (points.length === 0) return null;
  const xs = points.map((p) => p.coverage);
  const ys = points.map((p) => p.accuracy);
  const focusYs = points.map((p) => (p.name === focused ? p.accuracy : null));
  const xMax = Math.min(1, Math.max(0.05, Math.max(...xs) * 1.12));
  const yMin = Math.max(0, Math.min(0.5, Math.floor(Math.min(...ys) * 10) / 10));

  /** The point nearest to (left, top) within HIT_RADIUS, by distance on screen. */
  const nearest = (u: uPlot, left: number, top: number): number | null => {
    let best: number | null = null;
    let bestD = HIT_RADIUS * HIT_RADIUS;
    for (let i = 0; i < points.length; i++) {
      const dx = u.valToPos(xs[i], 'x') - left;
      const dy = u.valToPos(ys[i], 'y') - top;
      const d = dx * dx + dy * dy;
      if (d <= bestD) [best, bestD] = [i, d];
    }
    return best;
  };

  return mount(container, (width) => {
    let tip: ReturnType<typeof tooltip> | null = null;
    const u = new uPlot(
      {
        width,
        height: HEIGHT,
        legend: { show: false },
        // A little room past 0% and 100%, so points on the edges are drawn whole.
        scales: { x: { time: false, range: [-0.02 * xMax, xMax] }, y: { range: [yMin, 1.03] } },
        axes: [axis(t, { label: 'Coverage (share of sample rows)', values: percentValues }), axis(t, { label: 'Estimated accuracy', values: percentValues, size: 56 })],
        series: [
          {},
          {
            label: 'LFs',
            stroke: t.point,
            paths: () => null,
            points: { show: true, size: 9, width: 1.5, fill: t.point, stroke: t.highContrast ? t.fg : t.background },
          },
          {
            label: 'Focused LF',
            stroke: t.focus,
            paths: () => null,
            points: { show: true, size: 14, width: 2, fill: t.focus, stroke: t.fg },
          },
        ],
        cursor: {
          x: false,
          y: false,
          drag: { x: false, y: false, setScale: false },
          points: { size: 16, width: 2, fill: 'transparent', stroke: t.fg },
          // The hovered point is the nearest one on screen, not the nearest in x alone.
          dataIdx: (self, seriesIdx, closestIdx) =>
            seriesIdx === 0 ? closestIdx : seriesIdx === 1 ? nearest(self, self.cursor.left ?? -1e9, self.cursor.top ?? -1e9) : null,
        },
        hooks: {
          setCursor: [
            (self) => {
              const i = self.cursor.idxs?.[1] ?? null;
              self.over.style.cursor = i === null ? 'default' : 'pointer';
              if (i === null) tip?.hide();
              else tip?.show(self.valToPos(xs[i], 'x'), self.valToPos(ys[i], 'y'), `${points[i].name}: coverage ${pct(xs[i])}, estimated accuracy ${pct(ys[i])}. Click for its rows.`);
            },
          ],
          draw: [(self) => drawNames(self, points, xs, ys, t)],
        },
      },
      [xs, ys, focusYs],
      container,
    );
    tip = tooltip(u);
    u.over.addEventListener('click', (e) => {
      const [left, top] = pointerIn(u, e);
      const i = nearest(u, left, top);
      if (i !== null) actions.showRows({ split: 'sample', lf: points[i].name, vote: 'fires' });
    });
    u.over.addEventListener('mouseleave', () => tip?.hide());
    return u;
  });
}

/** LF names beside their points, when there are few enough to read. */
function drawNames(u: uPlot, points: { name: string }[], xs: number[], ys: number[], t: ChartTheme): void {
  if (points.length > NAMED_POINTS) return;
  const ratio = uPlot.pxRatio;
  const ctx = u.ctx;
  ctx.save();
  ctx.font = font(t, 0.8 * ratio);
  ctx.fillStyle = t.fg;
  ctx.textBaseline = 'middle';
  const right = u.bbox.left + u.bbox.width;
  points.forEach((p, i) => {
    const x = u.valToPos(xs[i], 'x', true);
    const y = u.valToPos(ys[i], 'y', true);
    const w = ctx.measureText(p.name).width;
    const leftSide = x + 8 * ratio + w > right;
    ctx.textAlign = leftSide ? 'right' : 'left';
    ctx.fillText(p.name, leftSide ? x - 8 * ratio : x + 8 * ratio, y);
  });
  ctx.restore();
}

/** Per class, the share of sample rows some label-model LF votes it on; a click opens those rows. */
export function classCoverageChart(container: HTMLElement, labels: string[], coverage: number[], t: ChartTheme, actions: DashboardActions): Chart | null {
  const k = labels.length;
  if (k === 0) return null;
  const xs = labels.map((_, c) => c);
  const ys = labels.map((_, c) => (Number.isFinite(coverage[c]) ? coverage[c] : 0));
  const yMax = Math.min(1, Math.max(0.05, Math.max(...ys) * 1.15));
  const bars = uPlot.paths.bars?.({ size: [0.6, 96] });
  const classAt = (u: uPlot, left: number): number | null => {
    if (left < 0 || left > u.over.clientWidth) return null;
    const c = Math.round(u.posToVal(left, 'x'));
    return c >= 0 && c < k ? c : null;
  };

  return mount(container, (width) => {
    let tip: ReturnType<typeof tooltip> | null = null;
    const u = new uPlot(
      {
        width,
        height: HEIGHT,
        legend: { show: false },
        scales: { x: { time: false, range: [-0.5, k - 0.5] }, y: { range: [0, yMax] } },
        axes: [
          axis(t, { label: 'Class', splits: () => xs, values: (_u, splits) => splits.map((s) => labels[s] ?? ''), grid: { show: false } }),
          axis(t, { label: 'Sample rows some LF votes it', values: percentValues, size: 56 }),
        ],
        series: [
          {},
          {
            label: 'Coverage',
            stroke: t.highContrast ? t.fg : t.point,
            fill: t.point,
            width: t.highContrast ? 1 : 0,
            paths: bars,
            points: { show: false },
          },
        ],
        cursor: { x: false, y: false, drag: { x: false, y: false, setScale: false }, points: { show: false } },
        hooks: {
          setCursor: [
            (self) => {
              const left = self.cursor.left ?? -1;
              const c = left >= 0 ? classAt(self, left) : null;
              self.over.style.cursor = c === null ? 'default' : 'pointer';
              if (c === null) tip?.hide();
              else tip?.show(self.valToPos(c, 'x'), self.valToPos(ys[c], 'y'), `${labels[c]}: some LF votes it on ${pct(ys[c])} of sample rows. Click for those rows.`);
            },
          ],
        },
      },
      [xs, ys],
      container,
    );
    tip = tooltip(u);
    u.over.addEventListener('click', (e) => {
      const c = classAt(u, pointerIn(u, e)[0]);
      if (c !== null) actions.showRows({ split: 'sample', anyVote: c });
    });
    u.over.addEventListener('mouseleave', () => tip?.hide());
    return u;
  });
}
