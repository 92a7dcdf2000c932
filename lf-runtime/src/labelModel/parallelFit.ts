/**
 * Large fits on two threads. A matrix with too many distinct vote patterns to compress (1M x 100 synthetic) is
 * fitted row by row, and its five candidates cost seconds; two of them (prior-anchored and FlyingSquid) depend
 * on nothing the others compute, so a worker thread fits them while this thread fits majority vote, the
 * agreement model and the Dawid-Skene step. The index is copied once into shared memory (no per-row messages),
 * and this thread blocks on an Atomics flag for the worker's parameters, so fitDefault stays synchronous.
 *
 * Both threads run the same code on the same numbers, so the result is identical to the one-thread fit
 * (tested); when the worker bundle is missing or the worker fails, the fit runs on this thread instead.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { AGREEMENT_SHRINKAGE, fitIndependentParameters, fitVoteCandidates, independentModels } from './candidateFits.ts';
import type { IndependentFit } from './candidateFits.ts';
import type { IndexedLabelModel } from './fittedModel.ts';
import { runAgreementModel } from './agreementModel.ts';
import { strideRows } from './voteIndex.ts';
import type { VoteIndex } from './voteIndex.ts';
import type { LabelModelOptions } from './types.ts';

/** The bundle the worker runs (built from fitWorker.ts by scripts/build.mjs). */
export const WORKER_BUNDLE = 'labelModelWorker.js';

/** How long to wait for the worker before fitting its share here instead. */
const WORKER_TIMEOUT_MS = 60_000;

export interface LargeFit {
  candidates: IndexedLabelModel[];
  /** Rows of the strided sample the EM candidates started from. */
  warmStartRows: number;
  /** 2 when the worker thread fitted its share, 1 when everything ran on this thread. */
  threads: 1 | 2;
}

/** The index arrays, copied into shared memory: what the worker reads. */
export interface SharedIndexData {
  n: number;
  m: number;
  k: number;
  rows: number;
  uncoveredRows: number;
  rowStart: Int32Array;
  lf: Uint16Array;
  label: Uint8Array;
  weight: Float64Array;
  votesPerLf: Float64Array;
}

export interface WorkerInput {
  index: SharedIndexData;
  maxRows: number;
  seed: number;
  /** Set to 1 (and notified) by the worker when its message is on `port`. */
  done: Int32Array;
  port: MessagePort;
}

export type WorkerOutput = { ok: true; fit: IndependentFit } | { ok: false; error: string };

function shared<T extends Int32Array | Uint16Array | Uint8Array | Float64Array>(a: T, make: (b: SharedArrayBuffer) => T): T {
  const out = make(new SharedArrayBuffer(a.byteLength));
  out.set(a as never);
  return out;
}

function shareIndex(index: VoteIndex): SharedIndexData {
  return {
    n: index.n,
    m: index.m,
    k: index.k,
    rows: index.rows,
    uncoveredRows: index.uncoveredRows,
    rowStart: shared(index.rowStart, (b) => new Int32Array(b)),
    lf: shared(index.lf, (b) => new Uint16Array(b)),
    label: shared(index.label, (b) => new Uint8Array(b)),
    weight: shared(index.weight, (b) => new Float64Array(b)),
    votesPerLf: shared(index.votesPerLf, (b) => new Float64Array(b)),
  };
}

/** The worker's view of the shared arrays as a VoteIndex (row by row, so no pattern map). */
export function indexFromShared(d: SharedIndexData): VoteIndex {
  return { ...d, rowPattern: null };
}

/**
 * Beside the running bundle (dist/cli.js, dist/server.js), or the repository's dist/ when running from
 * source; null when it has not been built.
 */
export function locateWorkerBundle(): string | null {
  let dir = typeof __dirname === 'string' ? __dirname : process.cwd();
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, WORKER_BUNDLE))) return join(dir, WORKER_BUNDLE);
    if (existsSync(join(dir, 'dist', WORKER_BUNDLE))) return join(dir, 'dist', WORKER_BUNDLE);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}

/** The five candidates of a large row-by-row index, in fitCandidates' order, on two threads when possible. */
export function fitLargeIndex(index: VoteIndex, options: LabelModelOptions, maxRows: number, workerBundle = locateWorkerBundle()): LargeFit {
  const seed = options.seed ?? 0;
  const side = workerBundle ? startWorker(workerBundle, index, maxRows, seed) : null;
  const sample = index.n > maxRows ? strideRows(index, maxRows) : null;
  const agreementStart = sample ? runAgreementModel(sample, { shrinkage: AGREEMENT_SHRINKAGE }).accuracy : undefined;
  const voteCandidates = fitVoteCandidates(index, seed, agreementStart);
  const fromWorker = side ? side.wait() : null;
  const independent = fromWorker ?? fitIndependentParameters(index, seed, maxRows);
  return {
    candidates: [...voteCandidates, ...independentModels(index, independent, seed)],
    warmStartRows: sample ? sample.rows : 0,
    threads: fromWorker ? 2 : 1,
  };
}

/** Starts the worker on a shared copy of the index; wait() blocks for its parameters (null if it failed). */
function startWorker(bundle: string, index: VoteIndex, maxRows: number, seed: number): { wait(): IndependentFit | null } | null {
  const done = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  let worker: Worker;
  try {
    const input: WorkerInput = { index: shareIndex(index), maxRows, seed, done, port: port2 };
    worker = new Worker(bundle, { workerData: input, transferList: [port2] });
  } catch {
    port1.close();
    return null;
  }
  worker.unref();
  return {
    wait() {
      Atomics.wait(done, 0, 0, WORKER_TIMEOUT_MS);
      const message = receiveMessageOnPort(port1)?.message as WorkerOutput | undefined;
      port1.close();
      void worker.terminate();
      return message?.ok ? message.fit : null;
    },
  };
}
