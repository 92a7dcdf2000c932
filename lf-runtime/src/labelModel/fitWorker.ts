/**
 * Entry of the label-model worker thread (bundled to dist/labelModelWorker.js): fits the candidates that depend
 * on nothing else (see parallelFit.ts) on the shared index, posts their parameters, then raises the flag the
 * fitting thread is blocked on. Any failure is posted as an error, so the fitting thread falls back at once
 * instead of waiting out its timeout.
 */
import { workerData } from 'node:worker_threads';
import { fitIndependentParameters } from './defaultModel.ts';
import { indexFromShared } from './parallelFit.ts';
import type { WorkerInput, WorkerOutput } from './parallelFit.ts';

const input = workerData as WorkerInput;
let output: WorkerOutput;
try {
  output = { ok: true, fit: fitIndependentParameters(indexFromShared(input.index), input.seed, input.maxRows) };
} catch (err) {
  output = { ok: false, error: err instanceof Error ? err.message : String(err) };
}
input.port.postMessage(output);
Atomics.store(input.done, 0, 1);
Atomics.notify(input.done, 0);
