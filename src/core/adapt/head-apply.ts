// Applying learned parameters (a head's, or an adaptation result's) to a label set: scoring
// overrides and adapted label vectors for scoreImages.
import { MumicError } from '../errors.ts';
import { DEFAULT_SCORING, type ScoringParams, type SigmoidParams } from '../score.ts';
import type { MumicHead } from './head.ts';
import type { AdaptedLabel } from './train.ts';

const mismatch = (reason: string): MumicError => new MumicError('HeadMismatch', reason);

/** Per-label parameters to apply: a head's labels or an adaptation result's. */
export type AdaptedParams = Pick<AdaptedLabel, 'id' | 'temperature' | 'bias'> & {
  readonly residual?: ArrayLike<number> | null;
};

export interface AppliedHead {
  /** Base scoring with an override (t, b) for every adapted label: pass to scoreImages. */
  readonly scoring: ScoringParams;
  /** [labels × dim]: adapted labels normalise(unit(e) + r), the others unchanged. */
  readonly labelEmbeddings: Float32Array;
  /** Ids of the labels the head changed. */
  readonly adapted: string[];
}

/**
 * Scoring parameters and label vectors with adapted labels applied; labels the parameters do not
 * mention keep zero-shot scoring. Then `scoreImages(images, labelEmbeddings, dim, labelIds,
 * scoring)` scores as the adapted head does. HeadMismatch for a label not in `labelIds` or a
 * residual of the wrong length.
 */
export function applyAdapted(
  adapted: readonly AdaptedParams[],
  labelIds: readonly string[],
  labelEmbeddings: Float32Array,
  dim: number,
  base: Partial<ScoringParams> = {},
): AppliedHead {
  if (labelEmbeddings.length !== labelIds.length * dim) {
    throw new MumicError(
      'InvalidArgument',
      `label embeddings do not match ${labelIds.length} × ${dim}`,
    );
  }
  const index = new Map(labelIds.map((id, j) => [id, j]));
  const out = Float32Array.from(labelEmbeddings);
  const overrides: Record<string, Partial<SigmoidParams>> = { ...base.overrides };
  for (const label of adapted) {
    const j = index.get(label.id);
    if (j === undefined) throw mismatch(`label "${label.id}" is not in the current label set`);
    overrides[label.id] = { temperature: label.temperature, bias: label.bias };
    const r = label.residual;
    if (r === undefined || r === null) continue;
    if (r.length !== dim) {
      throw mismatch(`label "${label.id}" has a ${r.length}-d residual, the model is ${dim}-d`);
    }
    const o = j * dim;
    let sq = 0;
    for (let q = 0; q < dim; q++) sq += (labelEmbeddings[o + q] ?? 0) ** 2;
    const inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
    const u = new Float64Array(dim);
    let norm = 0;
    for (let q = 0; q < dim; q++) {
      u[q] = (labelEmbeddings[o + q] ?? 0) * inv + (r[q] ?? 0);
      norm += (u[q] ?? 0) ** 2;
    }
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let q = 0; q < dim; q++) out[o + q] = (u[q] ?? 0) * scale;
  }
  return {
    scoring: { ...DEFAULT_SCORING, ...base, overrides },
    labelEmbeddings: out,
    adapted: adapted.map((l) => l.id),
  };
}

/** A head applied to the current label set (see `applyAdapted`). */
export function applyHead(
  head: MumicHead,
  labelIds: readonly string[],
  labelEmbeddings: Float32Array,
  dim: number,
  base: Partial<ScoringParams> = {},
): AppliedHead {
  if (head.model.projectionDim !== dim) {
    throw mismatch(`it has ${head.model.projectionDim}-d label vectors, the model is ${dim}-d`);
  }
  return applyAdapted(head.labels, labelIds, labelEmbeddings, dim, base);
}
