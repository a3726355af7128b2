/**
 * Metrics over known (photo, label) cells only, with src/core/metrics.ts `evaluate`.
 *
 * `evaluate` takes a dense [photos × labels] matrix, so every unknown cell gets a score strictly
 * below every known score and truth 0. AP (per label, GAP, GAP@k) adds precision only where a
 * positive is ranked, and these cells rank below every positive, so they change nothing, not even
 * the top k of a photo (its known cells fill it first). The result is exactly the metrics over the
 * labelled pairs alone: unknown cells are never counted as negatives.
 */
import { evaluate, type EvaluationReport } from '../metrics.ts';

/** Metrics of the known cells (photo, label, y = ±1, score), one row per known cell. */
export function evaluateKnownCells(
  numLabels: number,
  photo: ArrayLike<number>,
  label: ArrayLike<number>,
  y: ArrayLike<number>,
  scores: ArrayLike<number>,
  k = 10,
): EvaluationReport {
  const rowOf = new Map<number, number>();
  for (let e = 0; e < photo.length; e++) {
    const p = photo[e] ?? 0;
    if (!rowOf.has(p)) rowOf.set(p, rowOf.size);
  }
  let low = Infinity;
  for (let e = 0; e < scores.length; e++) low = Math.min(low, scores[e] ?? 0);
  const floor = Number.isFinite(low) ? low - 1 - Math.abs(low) : 0;
  const matrix = new Float64Array(rowOf.size * numLabels).fill(floor);
  const truth = new Uint8Array(rowOf.size * numLabels);
  for (let e = 0; e < photo.length; e++) {
    const cell = (rowOf.get(photo[e] ?? 0) ?? 0) * numLabels + (label[e] ?? 0);
    matrix[cell] = scores[e] ?? 0;
    truth[cell] = y[e] === 1 ? 1 : 0;
  }
  return evaluate(matrix, truth, numLabels, { k });
}
