/**
 * Synthetic CLIP-like embeddings with a known answer, for the adaptation tests, the benchmark and
 * the numbers in docs/ADAPTATION.md. Each label j is a hidden visual direction h_j. Its zero-shot
 * text embedding is normalise(0.3·o_img + 0.81·o_txt + 0.5·(m·h_j + √(1−m²)·g_j)), m = textMatch:
 * its concept part matches h_j at cos m (0.5), the rest points at a distractor concept g_j that
 * also appears in photos, so zero-shot ranks distractor photos as high as real ones and only a
 * residual can learn the difference. A photo is normalise(2.2·o_img + its concepts + noise); the
 * shared offsets o_img, o_txt give CLIP-like cosines (about 0.15 for non-matching pairs).
 */
import { createRandom } from './random.ts';
import type { FeedbackEntry } from './feedback.ts';

export interface SyntheticOptions {
  readonly dim: number;
  readonly numLabels: number;
  readonly numPhotos: number;
  /** Probability of each label on a photo (one number for all, or one per label). */
  readonly prevalence: number | readonly number[];
  /** Probability of each distractor concept on a photo. */
  readonly distractorPrevalence: number;
  /** cos(text direction, hidden direction); the rest of the text points at a distractor. */
  readonly textMatch: number;
  /** Norm of the isotropic noise of a photo, relative to one concept. */
  readonly noise: number;
  /**
   * A confusable concept per label (think "shower" for "bathtub"): cos `confusableCos` with the
   * label's hidden direction, on a photo with probability `confusablePrevalence` (0: none). Its
   * photos are the hard negatives.
   */
  readonly confusableCos: number;
  readonly confusablePrevalence: number;
  /**
   * A nuisance concept on the other negatives of a label (probability `nuisancePrevalence`),
   * pointing away from the confusable concept with norm `nuisanceScale`: the direction that
   * separates positives from the confusable photos raises these easy negatives. A linear head
   * cannot serve both; this is where weighting by hardness should matter.
   */
  readonly nuisancePrevalence: number;
  readonly nuisanceScale: number;
  readonly seed: number;
}

export interface SyntheticData {
  readonly dim: number;
  readonly labelIds: string[];
  /** [numPhotos × dim]. */
  readonly images: Float32Array;
  /** [numLabels × dim], unit rows. */
  readonly labelEmbeddings: Float32Array;
  /** [numPhotos × numLabels] 0/1 ground truth. */
  readonly truth: Uint8Array;
}

export const DEFAULT_SYNTHETIC: SyntheticOptions = Object.freeze({
  dim: 64,
  numLabels: 8,
  numPhotos: 800,
  prevalence: 0.15,
  distractorPrevalence: 0.3,
  textMatch: 0.5,
  noise: 1,
  confusableCos: 0.8,
  confusablePrevalence: 0,
  nuisancePrevalence: 0,
  nuisanceScale: 3,
  seed: 7,
});

function gaussian(random: () => number): () => number {
  return () => {
    const u = random() || Number.MIN_VALUE;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
}

function unit(v: Float64Array): Float64Array {
  let sq = 0;
  for (const x of v) sq += x * x;
  const inv = 1 / Math.sqrt(sq);
  return v.map((x) => x * inv);
}

export function makeSynthetic(options: Partial<SyntheticOptions> = {}): SyntheticData {
  const o = { ...DEFAULT_SYNTHETIC, ...options };
  const { dim, numLabels: m, numPhotos: n } = o;
  const random = createRandom(o.seed);
  const normal = gaussian(random);
  const direction = (): Float64Array => unit(Float64Array.from({ length: dim }, normal));
  // Shared offsets (CLIP's embeddings of photos, and of texts, sit in a narrow cone).
  const imageOffset = direction();
  const textOffset = direction();
  const hidden = Array.from({ length: m }, direction);
  const distractor = Array.from({ length: m }, direction);
  // confusable_j = c·h_j + √(1 − c²)·v_j; the nuisance concept points at −v_j.
  const nuisance = Array.from({ length: m }, direction);
  const confusable = hidden.map((h, j) => {
    const v = nuisance[j] ?? h;
    const c = o.confusableCos;
    return Float64Array.from(v, (x, q) => c * (h[q] ?? 0) + Math.sqrt(1 - c * c) * x);
  });
  const labelEmbeddings = new Float32Array(m * dim);
  const other = Math.sqrt(1 - o.textMatch ** 2);
  for (let j = 0; j < m; j++) {
    const h = hidden[j] ?? new Float64Array(dim);
    const g = distractor[j] ?? new Float64Array(dim);
    const text = Float64Array.from(
      { length: dim },
      (_, q) =>
        0.3 * (imageOffset[q] ?? 0) +
        0.81 * (textOffset[q] ?? 0) +
        0.5 * (o.textMatch * (h[q] ?? 0) + other * (g[q] ?? 0)),
    );
    labelEmbeddings.set(unit(text), j * dim);
  }
  const images = new Float32Array(n * dim);
  const truth = new Uint8Array(n * m);
  const prevalence = (j: number): number =>
    typeof o.prevalence === 'number' ? o.prevalence : (o.prevalence[j] ?? 0);
  const noiseScale = o.noise / Math.sqrt(dim);
  for (let i = 0; i < n; i++) {
    const x = Float64Array.from({ length: dim }, (_, q) => 2.2 * (imageOffset[q] ?? 0));
    for (let j = 0; j < m; j++) {
      const h = hidden[j] ?? x;
      const c = confusable[j] ?? x;
      const v = nuisance[j] ?? x;
      const draw = random();
      if (draw < prevalence(j)) {
        truth[i * m + j] = 1;
        for (let q = 0; q < dim; q++) x[q] = (x[q] ?? 0) + (h[q] ?? 0);
      } else if (draw < prevalence(j) + o.confusablePrevalence) {
        for (let q = 0; q < dim; q++) x[q] = (x[q] ?? 0) + (c[q] ?? 0);
      } else if (o.nuisancePrevalence > 0 && random() < o.nuisancePrevalence) {
        for (let q = 0; q < dim; q++) x[q] = (x[q] ?? 0) - o.nuisanceScale * (v[q] ?? 0);
      }
      if (random() < o.distractorPrevalence) {
        const g = distractor[j] ?? x;
        for (let q = 0; q < dim; q++) x[q] = (x[q] ?? 0) + (g[q] ?? 0);
      }
    }
    for (let q = 0; q < dim; q++) x[q] = (x[q] ?? 0) + noiseScale * normal();
    images.set(unit(x), i * dim);
  }
  return {
    dim,
    labelIds: Array.from({ length: m }, (_, j) => `label-${j}`),
    images,
    labelEmbeddings,
    truth,
  };
}

/**
 * Feedback a person could give: for `photos` (indices), each label's truth with probability
 * `coverage` (1: every label of every listed photo, as a truth CSV gives).
 */
export function syntheticFeedback(
  data: SyntheticData,
  photos: readonly number[],
  coverage = 1,
  seed = 11,
): FeedbackEntry[] {
  const random = createRandom(seed);
  const m = data.labelIds.length;
  const out: FeedbackEntry[] = [];
  for (const i of photos) {
    data.labelIds.forEach((label, j) => {
      if (coverage < 1 && random() >= coverage) return;
      out.push({ photo: i, label, value: data.truth[i * m + j] === 1 ? 1 : -1 });
    });
  }
  return out;
}
