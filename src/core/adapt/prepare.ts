/**
 * Adaptation input: checked and normalised once, then shared by every training run of an
 * evaluation (its folds, the early-stopping run and the refit).
 */
import { MumicError } from '../errors.ts';
import { normalizeRows, resolveLabelParams, type ScoringParams } from '../score.ts';
import { indexFeedback, type FeedbackEntry, type FeedbackTable } from './feedback.ts';

/** What adaptation runs on: cached embeddings only, the image encoder never runs again. */
export interface AdaptInput {
  /** [numPhotos × dim] image embeddings, row-major (normalised inside; any length is fine). */
  readonly images: Float32Array;
  readonly dim: number;
  /** [labels × dim] zero-shot label (text) embeddings, aligned with `labelIds`. */
  readonly labelEmbeddings: Float32Array;
  readonly labelIds: readonly string[];
  /** Feedback triples; `photo` indexes the rows of `images`. */
  readonly feedback: readonly FeedbackEntry[];
  /** Zero-shot scoring (t, b and per-label overrides): the starting point and the prior. */
  readonly scoring?: Partial<ScoringParams>;
}

export interface PreparedInput {
  readonly numPhotos: number;
  readonly dim: number;
  readonly labelIds: readonly string[];
  /** Unit rows. */
  readonly images: Float32Array;
  readonly labels: Float32Array;
  /** Feedback, sorted by label then photo. */
  readonly table: FeedbackTable;
  /** Entries of label j are labelStart[j] .. labelStart[j + 1] − 1 in the table. */
  readonly labelStart: Int32Array;
  /** Zero-shot cosine of every feedback entry. */
  readonly cos0: Float64Array;
  /** Zero-shot (t, b) per label after overrides, and the shared defaults. */
  readonly temperature: Float64Array;
  readonly bias: Float64Array;
  readonly globalTemperature: number;
  readonly globalBias: number;
}

/**
 * A label gets its own residual basis (the span of its embedding and photos) while that span has
 * at most half the dimensions of the space; beyond, the identity basis costs less.
 */
export function spanBasisLimit(dim: number): number {
  return Math.floor(dim / 2);
}

const bad = (reason: string): MumicError => new MumicError('InvalidArgument', reason);

/** Checks shapes, normalises rows, indexes the feedback and its zero-shot cosines. */
export function prepareInput(input: AdaptInput): PreparedInput {
  const { images, labelEmbeddings, labelIds, dim } = input;
  if (!Number.isInteger(dim) || dim <= 0) throw bad(`dimension must be a positive integer`);
  if (images.length % dim !== 0) throw bad(`images: length is not a multiple of ${dim}`);
  if (labelEmbeddings.length !== labelIds.length * dim) {
    throw bad(`${labelEmbeddings.length / dim} label embeddings but ${labelIds.length} label ids`);
  }
  const numPhotos = images.length / dim;
  const unitImages = normalizeRows(images, dim);
  const unitLabels = normalizeRows(labelEmbeddings, dim);
  for (let j = 0; j < labelIds.length; j++) {
    let sq = 0;
    for (let q = 0; q < dim; q++) sq += (unitLabels[j * dim + q] ?? 0) ** 2;
    if (!(sq > 0.5)) throw bad(`label "${labelIds[j]}" has a zero or non-finite embedding`);
  }
  for (let i = 0; i < numPhotos; i++) {
    let sq = 0;
    for (let q = 0; q < dim; q++) sq += (unitImages[i * dim + q] ?? 0) ** 2;
    if (!Number.isFinite(sq)) throw bad(`image ${i} has a non-finite embedding`);
  }
  const table = indexFeedback(input.feedback, labelIds, numPhotos);
  const m = labelIds.length;
  const labelStart = new Int32Array(m + 1);
  for (let e = 0; e < table.length; e++) {
    const j = table.label[e] ?? 0;
    labelStart[j + 1] = (labelStart[j + 1] ?? 0) + 1;
  }
  for (let j = 0; j < m; j++) labelStart[j + 1] = (labelStart[j + 1] ?? 0) + (labelStart[j] ?? 0);
  const cos0 = new Float64Array(table.length);
  for (let e = 0; e < table.length; e++) {
    cos0[e] = dotRows(unitImages, table.photo[e] ?? 0, unitLabels, table.label[e] ?? 0, dim);
  }
  const { temperature, bias } = resolveLabelParams(labelIds, input.scoring);
  const shared = resolveLabelParams(['\u0000'], { ...input.scoring, overrides: {} });
  return {
    numPhotos,
    dim,
    labelIds,
    images: unitImages,
    labels: unitLabels,
    table,
    labelStart,
    cos0,
    temperature,
    bias,
    globalTemperature: shared.temperature[0] ?? 0,
    globalBias: shared.bias[0] ?? 0,
  };
}

function dotRows(a: Float32Array, i: number, b: Float32Array, j: number, dim: number): number {
  const ao = i * dim;
  const bo = j * dim;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let q = 0;
  for (; q + 4 <= dim; q += 4) {
    s0 += (a[ao + q] ?? 0) * (b[bo + q] ?? 0);
    s1 += (a[ao + q + 1] ?? 0) * (b[bo + q + 1] ?? 0);
    s2 += (a[ao + q + 2] ?? 0) * (b[bo + q + 2] ?? 0);
    s3 += (a[ao + q + 3] ?? 0) * (b[bo + q + 3] ?? 0);
  }
  for (; q < dim; q++) s0 += (a[ao + q] ?? 0) * (b[bo + q] ?? 0);
  return s0 + s1 + (s2 + s3);
}

/**
 * Gram matrices of each label's vectors [e_j, x of its photos among `entries`, in table order],
 * computed on first use: all the d-dimensional work a span basis needs (problem.ts).
 */
export interface Grams {
  /** (n_j + 1)² row-major, or null when the label has too many photos for a span basis. */
  gram(label: number): Float64Array | null;
  /** Index of an entry's photo in its label's Gram matrix (1 + its position). */
  index(entry: number): number;
}

export function createGrams(prepared: PreparedInput, entries: Int32Array): Grams {
  const { table, images, labels, dim } = prepared;
  const byLabel = new Map<number, number[]>();
  const position = new Map<number, number>();
  for (const e of Int32Array.from(entries).sort()) {
    const j = table.label[e] ?? 0;
    let list = byLabel.get(j);
    if (list === undefined) {
      list = [];
      byLabel.set(j, list);
    }
    position.set(e, list.length + 1);
    list.push(e);
  }
  const cache = new Map<number, Float64Array | null>();
  return {
    index: (entry) => position.get(entry) ?? 0,
    gram(j) {
      const cached = cache.get(j);
      if (cached !== undefined) return cached;
      const list = byLabel.get(j) ?? [];
      const n = list.length;
      let g: Float64Array | null = null;
      if (n + 1 <= spanBasisLimit(dim)) {
        const size = n + 1;
        g = new Float64Array(size * size);
        g[0] = dotRows(labels, j, labels, j, dim);
        for (let a = 0; a < n; a++) {
          const pa = table.photo[list[a] ?? 0] ?? 0;
          const ea = dotRows(images, pa, labels, j, dim);
          g[a + 1] = ea;
          g[(a + 1) * size] = ea;
          for (let b = 0; b <= a; b++) {
            const v = dotRows(images, pa, images, table.photo[list[b] ?? 0] ?? 0, dim);
            g[(a + 1) * size + b + 1] = v;
            g[(b + 1) * size + a + 1] = v;
          }
        }
      }
      cache.set(j, g);
      return g;
    },
  };
}
