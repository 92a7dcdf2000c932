// The few-shot baseline of the suggester benchmark: multinomial logistic regression on binary bag-of-words
// features (the vocabulary of the training rows only, tokens as the suggested LFs see words), with an L2
// penalty on the weights (not the intercepts), fitted by Nesterov-accelerated gradient descent. The penalty is
// chosen by 5-fold cross-validation on the same training rows, so the baseline is tuned as fairly as a user
// with only those rows could tune it.
import { pyLower, tokenize } from '../../lf-runtime/src/suggest/pythonText.ts';

export interface BagOfWords {
  vocabulary: Map<string, number>;
}

/** Feature indices (sorted, distinct) present in a text. */
function features(bow: BagOfWords, text: string): Int32Array {
  const out = new Set<number>();
  for (const t of tokenize(pyLower(text)).tokens) {
    const f = bow.vocabulary.get(t);
    if (f !== undefined) out.add(f);
  }
  return Int32Array.from([...out].sort((a, b) => a - b));
}

export interface LogisticModel {
  bow: BagOfWords;
  k: number;
  /** d x k weights, row-major, then k intercepts. */
  weights: Float64Array;
  bias: Float64Array;
}

function scores(model: LogisticModel, x: Int32Array, out: Float64Array): void {
  const { k, weights, bias } = model;
  for (let c = 0; c < k; c++) out[c] = bias[c];
  for (const f of x) for (let c = 0; c < k; c++) out[c] += weights[f * k + c];
  let max = -Infinity;
  for (let c = 0; c < k; c++) max = Math.max(max, out[c]);
  let sum = 0;
  for (let c = 0; c < k; c++) sum += out[c] = Math.exp(out[c] - max);
  for (let c = 0; c < k; c++) out[c] /= sum;
}

function fit(xs: Int32Array[], ys: number[], d: number, k: number, lambda: number, bow: BagOfWords, iterations = 600): LogisticModel {
  const n = xs.length;
  const size = d * k + k;
  let theta = new Float64Array(size);
  let previous = new Float64Array(size);
  const grad = new Float64Array(size);
  const p = new Float64Array(k);
  let maxNorm = 1;
  for (const x of xs) maxNorm = Math.max(maxNorm, x.length + 1);
  // 1 / Lipschitz constant of the gradient: the softmax Hessian is at most half the features' second moment.
  const step = 1 / (0.5 * maxNorm + lambda);
  const view = (t: Float64Array): LogisticModel => ({ bow, k, weights: t.subarray(0, d * k), bias: t.subarray(d * k) });
  for (let it = 1; it <= iterations; it++) {
    // Nesterov look-ahead point y = theta + (it - 1) / (it + 2) * (theta - previous).
    const momentum = (it - 1) / (it + 2);
    const y = new Float64Array(size);
    for (let q = 0; q < size; q++) y[q] = theta[q] + momentum * (theta[q] - previous[q]);
    grad.fill(0);
    const model = view(y);
    for (let i = 0; i < n; i++) {
      scores(model, xs[i], p);
      p[ys[i]] -= 1;
      for (const f of xs[i]) for (let c = 0; c < k; c++) grad[f * k + c] += p[c] / n;
      for (let c = 0; c < k; c++) grad[d * k + c] += p[c] / n;
    }
    for (let q = 0; q < d * k; q++) grad[q] += lambda * y[q];
    previous = theta;
    theta = new Float64Array(size);
    for (let q = 0; q < size; q++) theta[q] = y[q] - step * grad[q];
  }
  return view(theta);
}

export function predictLogistic(model: LogisticModel, texts: readonly string[]): Int32Array {
  const p = new Float64Array(model.k);
  return Int32Array.from(
    texts.map((t) => {
      scores(model, features(model.bow, t), p);
      let best = 0;
      for (let c = 1; c < model.k; c++) if (p[c] > p[best]) best = c;
      return best;
    }),
  );
}

const LAMBDAS = [0.001, 0.003, 0.01, 0.03, 0.1];

/** Fits on the texts and labels, the penalty chosen by 5-fold cross-validation over LAMBDAS. */
export function trainLogistic(texts: readonly string[], labels: readonly number[], k: number): { model: LogisticModel; lambda: number } {
  const vocabulary = new Map<string, number>();
  for (const t of texts) for (const w of tokenize(pyLower(t)).tokens) if (!vocabulary.has(w)) vocabulary.set(w, vocabulary.size);
  const bow = { vocabulary };
  const xs = texts.map((t) => features(bow, t));
  const d = vocabulary.size;
  const folds = 5;
  let best = { lambda: LAMBDAS[0], right: -1 };
  for (const lambda of LAMBDAS) {
    let right = 0;
    for (let f = 0; f < folds; f++) {
      const trainIdx = xs.map((_, i) => i).filter((i) => i % folds !== f);
      const model = fit(trainIdx.map((i) => xs[i]), trainIdx.map((i) => labels[i]), d, k, lambda, bow, 300);
      const p = new Float64Array(k);
      for (let i = f; i < xs.length; i += folds) {
        scores(model, xs[i], p);
        let arg = 0;
        for (let c = 1; c < k; c++) if (p[c] > p[arg]) arg = c;
        if (arg === labels[i]) right++;
      }
    }
    if (right > best.right) best = { lambda, right };
  }
  return { model: fit(xs, [...labels], d, k, best.lambda, bow), lambda: best.lambda };
}
