/**
 * MuMIC's evaluation: per-label AP, macro mAP, GAP and GAP@k. Inputs are row-major [photos ×
 * labels] matrices: scores (any monotone score; pass logits or cosines rather than float32
 * probabilities, which saturate to ties at 1.0) and truth (1/true = the label is on the photo).
 *
 * Ties: every score value is one threshold, as in scikit-learn's average_precision_score. A
 * group of g tied predictions holding r positives adds (r / P) × (precision after the whole
 * group), so the result never depends on the input order. Definitions in docs/SCORING.md.
 */
import { MumicError } from './errors.ts';

export type Truth = ArrayLike<number | boolean>;

export interface EvaluationReport {
  /** GAP over each photo's top k predictions (YouTube-8M), null when there is no positive. */
  gapAtK: number | null;
  k: number;
  /** GAP over all predictions. */
  gap: number | null;
  /** Mean AP over labels with at least one positive; null when none has. */
  macroMAP: number | null;
  /** AP per label, aligned with the label order; null for a label without positives. */
  perLabelAP: (number | null)[];
  numPhotos: number;
  numLabels: number;
  numPositives: number;
  labelsWithPositives: number;
}

const bad = (reason: string): MumicError => new MumicError('InvalidArgument', reason);
const positive = (v: number | boolean | undefined): boolean => v === true || (v as number) > 0;

/**
 * AP over `totalPositives` of (score, hit) pairs. Ties only need counts per score value, so the
 * scores and the hit scores are sorted apart with native numeric sorts (fast on millions), then
 * walked together from the top, one group of equal scores at a time.
 */
function apOf(scores: Float64Array, hits: Uint8Array, totalPositives: number): number {
  const all = scores.slice().sort();
  const pos = scores.filter((_, i) => hits[i] === 1).sort();
  let ap = 0;
  let seen = 0;
  let tp = 0;
  let p = pos.length - 1;
  for (let i = all.length - 1; i >= 0;) {
    const s = all[i];
    for (; i >= 0 && all[i] === s; i--) seen++;
    let groupTp = 0;
    for (; p >= 0 && pos[p] === s; p--) groupTp++;
    tp += groupTp;
    // Recall rises by groupTp / P at this threshold; precision there counts the whole group.
    if (groupTp > 0) ap += (groupTp / totalPositives) * (tp / seen);
  }
  return ap;
}

function check(scores: ArrayLike<number>, truth: Truth, numLabels: number): number {
  if (!Number.isInteger(numLabels) || numLabels <= 0) {
    throw bad(`number of labels must be a positive integer, got ${numLabels}`);
  }
  if (scores.length !== truth.length) {
    throw bad(`${scores.length} scores but ${truth.length} truth values`);
  }
  if (scores.length % numLabels !== 0) {
    throw bad(`${scores.length} scores is not a multiple of ${numLabels} labels`);
  }
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) throw bad(`score ${i} is not a finite number`);
  }
  return scores.length / numLabels;
}

/**
 * Average precision of one ranking, as scikit-learn's average_precision_score: sum over
 * thresholds of (recall gain) × precision, no interpolation. Null without positives (undefined).
 */
export function averagePrecision(scores: ArrayLike<number>, relevant: Truth): number | null {
  check(scores, relevant, 1);
  const hits = Uint8Array.from({ length: relevant.length }, (_, i) =>
    positive(relevant[i]) ? 1 : 0,
  );
  const total = hits.reduce((a, b) => a + b, 0);
  return total === 0 ? null : apOf(Float64Array.from(scores), hits, total);
}

/** AP of every label (column). */
export function perLabelAveragePrecision(
  scores: ArrayLike<number>,
  truth: Truth,
  numLabels: number,
): (number | null)[] {
  const n = check(scores, truth, numLabels);
  const out: (number | null)[] = [];
  for (let j = 0; j < numLabels; j++) {
    const col = new Float64Array(n);
    const rel = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      col[i] = scores[i * numLabels + j] ?? 0;
      rel[i] = positive(truth[i * numLabels + j]) ? 1 : 0;
    }
    out.push(averagePrecision(col, rel));
  }
  return out;
}

/** Mean of the defined APs: labels without positives are left out, not counted as 0. */
export function macroMeanAveragePrecision(perLabel: readonly (number | null)[]): number | null {
  const defined = perLabel.filter((ap): ap is number => ap !== null);
  return defined.length === 0 ? null : defined.reduce((a, b) => a + b, 0) / defined.length;
}

/**
 * GAP (YouTube-8M): pool every photo's predictions (its top k only, when k is given), rank the
 * pool by score, AP with the denominator = all positives in the truth, kept or not. Within a
 * photo, the top k break equal scores by label order. Null when the truth has no positive.
 */
export function globalAveragePrecision(
  scores: ArrayLike<number>,
  truth: Truth,
  numLabels: number,
  k?: number,
): number | null {
  const n = check(scores, truth, numLabels);
  if (k !== undefined && (!Number.isInteger(k) || k < 1)) {
    throw bad(`k must be a whole number >= 1, got ${k}`);
  }
  const keep = Math.min(k ?? numLabels, numLabels);
  let total = 0;
  for (let i = 0; i < truth.length; i++) if (positive(truth[i])) total++;
  if (total === 0) return null;
  const pooled = new Float64Array(n * keep);
  const hits = new Uint8Array(n * keep);
  const labels = Array.from({ length: numLabels }, (_, j) => j);
  for (let i = 0; i < n; i++) {
    const row = i * numLabels;
    const chosen =
      keep === numLabels
        ? labels
        : [...labels]
            .sort((a, b) => (scores[row + b] ?? 0) - (scores[row + a] ?? 0) || a - b)
            .slice(0, keep);
    chosen.forEach((j, r) => {
      pooled[i * keep + r] = scores[row + j] ?? 0;
      hits[i * keep + r] = positive(truth[row + j]) ? 1 : 0;
    });
  }
  return apOf(pooled, hits, total);
}

/** All of MuMIC's numbers at once (k = 10 as in the paper's GAP@10). */
export function evaluate(
  scores: ArrayLike<number>,
  truth: Truth,
  numLabels: number,
  options: { k?: number } = {},
): EvaluationReport {
  const k = options.k ?? 10;
  const numPhotos = check(scores, truth, numLabels);
  const perLabelAP = perLabelAveragePrecision(scores, truth, numLabels);
  let numPositives = 0;
  for (let i = 0; i < truth.length; i++) if (positive(truth[i])) numPositives++;
  return {
    gapAtK: globalAveragePrecision(scores, truth, numLabels, k),
    k,
    gap: globalAveragePrecision(scores, truth, numLabels),
    macroMAP: macroMeanAveragePrecision(perLabelAP),
    perLabelAP,
    numPhotos,
    numLabels,
    numPositives,
    labelsWithPositives: perLabelAP.filter((ap) => ap !== null).length,
  };
}

/**
 * A [photos × labels] 0/1 truth matrix from each photo's label ids (as in an eval CSV). An id
 * not in `labelIds` is an error naming the row, so a typo cannot silently lower the metrics.
 */
export function truthMatrix(
  photoLabels: readonly (readonly string[])[],
  labelIds: readonly string[],
): Uint8Array {
  const column = new Map(labelIds.map((id, j) => [id, j]));
  const m = labelIds.length;
  const out = new Uint8Array(photoLabels.length * m);
  photoLabels.forEach((ids, i) => {
    for (const id of ids) {
      const j = column.get(id);
      if (j === undefined) throw bad(`row ${i + 1}: unknown label "${id}"`);
      out[i * m + j] = 1;
    }
  });
  return out;
}
