/** A photo's label list: sorting by score, the threshold and top-k. */
import { MumicError } from './errors.ts';
import type { ScoredPhotos } from './score.ts';

export interface LabelScore {
  /** Label id. */
  readonly label: string;
  /** Tempered-sigmoid score p in [0, 1]. */
  readonly score: number;
  readonly cosine: number;
}

/**
 * Descending score; equal scores (float32 saturates at 1.0 above a logit of ~17) fall back to the
 * cosine, which is the same order whenever t and b are shared, then to the id for determinism.
 * NaN sorts last.
 */
export function compareLabelScores(a: LabelScore, b: LabelScore): number {
  const byScore = descending(a.score, b.score);
  if (byScore !== 0) return byScore;
  const byCosine = descending(a.cosine, b.cosine);
  if (byCosine !== 0) return byCosine;
  return a.label < b.label ? -1 : a.label > b.label ? 1 : 0;
}

function descending(x: number, y: number): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1;
  return y - x;
}

/** A sorted copy, best first. */
export function sortByScore(list: readonly LabelScore[]): LabelScore[] {
  return [...list].sort(compareLabelScores);
}

/** Every label of one photo, best first. */
export function photoLabelScores(scored: ScoredPhotos, photo: number): LabelScore[] {
  if (!Number.isInteger(photo) || photo < 0 || photo >= scored.numPhotos) {
    throw new MumicError('InvalidArgument', `photo index ${photo} is out of range`);
  }
  const m = scored.labelIds.length;
  const list = scored.labelIds.map((label, j) => ({
    label,
    score: scored.scores[photo * m + j] ?? Number.NaN,
    cosine: scored.cosines[photo * m + j] ?? Number.NaN,
  }));
  return list.sort(compareLabelScores);
}

function checkThreshold(threshold: number): void {
  if (!(threshold >= 0 && threshold <= 1)) {
    throw new MumicError('InvalidArgument', `threshold must be in [0, 1], got ${threshold}`);
  }
}

function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 0) {
    throw new MumicError('InvalidArgument', `top-k must be a whole number >= 0, got ${k}`);
  }
}

/** Labels with score >= threshold (inclusive, so threshold 0 keeps all), best first. */
export function labelsAbove(list: readonly LabelScore[], threshold: number): LabelScore[] {
  checkThreshold(threshold);
  return sortByScore(list.filter((s) => s.score >= threshold));
}

/** The k best labels (fewer if the list is shorter). */
export function topK(list: readonly LabelScore[], k: number): LabelScore[] {
  checkK(k);
  return sortByScore(list).slice(0, k);
}

export interface Selection {
  /** Keep labels with score >= threshold. */
  threshold?: number;
  /** Then keep at most this many. */
  top?: number;
}

/** Threshold then top-k, the two combined as `--threshold X --top K` means: both must hold. */
export function selectLabels(list: readonly LabelScore[], selection: Selection = {}): LabelScore[] {
  let out = sortByScore(list);
  if (selection.threshold !== undefined) out = labelsAbove(out, selection.threshold);
  if (selection.top !== undefined) out = topK(out, selection.top);
  return out;
}
