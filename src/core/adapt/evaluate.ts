/**
 * Before/after evaluation of adaptation on held-out feedback: heads trained without some photos
 * score those photos' known cells, next to zero-shot scores of the same cells; the metrics come
 * from src/core/metrics.ts over known cells only (known-cells.ts explains how).
 *
 * Rule: with fewer than 500 photos carrying feedback, 5-fold cross-validation by photo (every
 * photo held out once, out-of-fold scores pooled before computing the metrics, so a fold with no
 * positive of a label costs nothing); from 500 photos on, one hold-out of a fifth of them.
 */
import { MumicError } from '../errors.ts';
import type { EvaluationReport } from '../metrics.ts';
import { assignFolds, feedbackPhotos } from './feedback.ts';
import { evaluateKnownCells } from './known-cells.ts';
import { prepareInput, type AdaptInput, type PreparedInput } from './prepare.ts';
import {
  adaptPrepared,
  resolveAdaptOptions,
  type AdaptOptions,
  type AdaptResult,
} from './train.ts';

/** Below this many photos with feedback, every photo is held out once (k-fold). */
export const KFOLD_BELOW_PHOTOS = 500;
export const DEFAULT_FOLDS = 5;

export interface EvaluateOptions {
  /**
   * 'auto' (default): 5-fold cross-validation when fewer than 500 photos carry feedback, else one
   * 20% hold-out (the first of 5 folds). A number: that many folds, all held out in turn.
   */
  readonly folds?: number | 'auto';
  /** k of GAP@k (10, as MuMIC reports). */
  readonly k?: number;
}

export interface AdaptEvaluation {
  readonly scheme: 'k-fold' | 'holdout';
  readonly folds: number;
  readonly heldOutPhotos: number;
  readonly heldOutEntries: number;
  readonly heldOutPositives: number;
  readonly labelIds: readonly string[];
  /** Zero-shot scores of the held-out cells. */
  readonly before: EvaluationReport;
  /** Scores of the same cells by heads trained without their photos. */
  readonly after: EvaluationReport;
}

/** Logit of a known cell under adapted parameters (falls back to zero-shot when not adapted). */
function adaptedLogits(prepared: PreparedInput, result: AdaptResult, entries: Int32Array) {
  const { dim, images, labels, table, cos0 } = prepared;
  const byLabel = new Map(result.labels.map((l) => [l.id, l]));
  const norms = new Map<string, number>();
  const out = new Float64Array(entries.length);
  entries.forEach((e, k) => {
    const j = table.label[e] ?? 0;
    const id = prepared.labelIds[j] ?? '';
    const adapted = byLabel.get(id);
    let c = cos0[e] ?? 0;
    const r = adapted?.residual ?? null;
    if (r !== null) {
      let norm = norms.get(id);
      if (norm === undefined) {
        let sq = 0;
        for (let q = 0; q < dim; q++) sq += ((labels[j * dim + q] ?? 0) + (r[q] ?? 0)) ** 2;
        norm = Math.sqrt(sq);
        norms.set(id, norm);
      }
      const xo = (table.photo[e] ?? 0) * dim;
      let dot = 0;
      for (let q = 0; q < dim; q++) dot += (images[xo + q] ?? 0) * (r[q] ?? 0);
      c = (c + dot) / norm;
    }
    const t = adapted?.temperature ?? prepared.temperature[j] ?? 1;
    const b = adapted?.bias ?? prepared.bias[j] ?? 0;
    out[k] = (c - b) / t;
  });
  return out;
}

function zeroShotLogits(prepared: PreparedInput, entries: Int32Array): Float64Array {
  const { table, cos0 } = prepared;
  return Float64Array.from(entries, (e) => {
    const j = table.label[e] ?? 0;
    return ((cos0[e] ?? 0) - (prepared.bias[j] ?? 0)) / (prepared.temperature[j] ?? 1);
  });
}

/** `evaluateAdaptation` on prepared input (the CLI or worker may reuse one preparation). */
export function evaluatePrepared(
  prepared: PreparedInput,
  options: AdaptOptions,
  evalOptions: EvaluateOptions = {},
): AdaptEvaluation | null {
  const { table } = prepared;
  const photos = feedbackPhotos(table).length;
  if (photos < 2 || prepared.labelIds.length === 0) return null;
  const spec = evalOptions.folds ?? 'auto';
  if (spec !== 'auto' && !(Number.isInteger(spec) && spec >= 2)) {
    throw new MumicError('InvalidArgument', `folds must be 'auto' or a whole number >= 2`);
  }
  const kFold = spec !== 'auto' || photos < KFOLD_BELOW_PHOTOS;
  const folds = Math.min(spec === 'auto' ? DEFAULT_FOLDS : spec, photos);
  const foldOf = assignFolds(table, prepared.numPhotos, folds, options.seed + 1);
  const heldOut: number[] = [];
  const before: number[] = [];
  const after: number[] = [];
  for (let f = 0; f < (kFold ? folds : 1); f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let e = 0; e < table.length; e++) {
      (foldOf[table.photo[e] ?? 0] === f ? test : train).push(e);
    }
    const testIdx = Int32Array.from(test);
    const result = adaptPrepared(prepared, Int32Array.from(train), options);
    heldOut.push(...test);
    before.push(...zeroShotLogits(prepared, testIdx));
    after.push(...adaptedLogits(prepared, result, testIdx));
  }
  const idx = Int32Array.from(heldOut);
  const photo = Int32Array.from(idx, (e) => table.photo[e] ?? 0);
  const label = Int32Array.from(idx, (e) => table.label[e] ?? 0);
  const y = Int8Array.from(idx, (e) => table.y[e] ?? 0);
  const m = prepared.labelIds.length;
  const k = evalOptions.k ?? 10;
  return {
    scheme: kFold ? 'k-fold' : 'holdout',
    folds,
    heldOutPhotos: new Set(photo).size,
    heldOutEntries: idx.length,
    heldOutPositives: y.reduce((n, v) => n + (v === 1 ? 1 : 0), 0),
    labelIds: prepared.labelIds,
    before: evaluateKnownCells(m, photo, label, y, before, k),
    after: evaluateKnownCells(m, photo, label, y, after, k),
  };
}

/**
 * Before/after GAP@k, GAP and macro mAP on held-out feedback: heads are trained without the
 * held-out photos (k-fold when feedback is small, see EvaluateOptions), their scores pooled.
 * Null when fewer than two photos carry feedback (nothing can be held out).
 */
export function evaluateAdaptation(
  input: AdaptInput,
  options: Partial<AdaptOptions> = {},
  evalOptions: EvaluateOptions = {},
): AdaptEvaluation | null {
  return evaluatePrepared(prepareInput(input), resolveAdaptOptions(options), evalOptions);
}
