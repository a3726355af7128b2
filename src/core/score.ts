/**
 * MuMIC scoring: every label on its own, p = sigmoid((cos - b) / t), never a softmax across
 * labels, so a photo can be "bathroom", "bathtub" and "sea view" at once. Defaults and what they
 * mean: docs/SCORING.md.
 */
import { dotEachRow } from './library/dot-kernel.ts';
import { MumicError } from './errors.ts';

/** CLIP's learned logit scale is 100, i.e. t = 1/100: the scale CLIP separates matches at. */
export const DEFAULT_TEMPERATURE = 0.01;
/** The cosine at which p = 0.5: an assumption for ViT-B/32-like CLIP models (docs/SCORING.md). */
export const DEFAULT_BIAS = 0.25;
/** p >= 0.5 means cos >= b: the label is more likely there than not, under the defaults. */
export const DEFAULT_THRESHOLD = 0.5;

export interface SigmoidParams {
  /** t > 0, in cosine units: p goes 0.5 → 0.73 as the cosine goes b → b + t. */
  readonly temperature: number;
  /** b: the cosine at which p = 0.5. */
  readonly bias: number;
}

export interface ScoringParams extends SigmoidParams {
  /** Per-label overrides by label id; ids not in the current label set are ignored. */
  readonly overrides?: Readonly<Record<string, Partial<SigmoidParams>>>;
}

export const DEFAULT_SCORING: ScoringParams = Object.freeze({
  temperature: DEFAULT_TEMPERATURE,
  bias: DEFAULT_BIAS,
});

const bad = (reason: string): MumicError => new MumicError('InvalidArgument', reason);

/** Logistic function, without overflow for large |x|. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

function checkParams(p: Partial<SigmoidParams>, where: string): void {
  if (p.temperature !== undefined && !(p.temperature > 0 && Number.isFinite(p.temperature))) {
    throw bad(`${where}: temperature must be a finite number > 0, got ${p.temperature}`);
  }
  if (p.bias !== undefined && !Number.isFinite(p.bias)) {
    throw bad(`${where}: bias must be a finite number, got ${p.bias}`);
  }
}

/** MuMIC's tempered sigmoid of one cosine. */
export function temperedSigmoid(cosine: number, params: SigmoidParams = DEFAULT_SCORING): number {
  checkParams(params, 'scoring');
  return sigmoid((cosine - params.bias) / params.temperature);
}

/** The inverse: the cosine that gives score p (shows a threshold in cosine units). */
export function cosineAtScore(p: number, params: SigmoidParams = DEFAULT_SCORING): number {
  checkParams(params, 'scoring');
  if (!(p > 0 && p < 1)) throw bad(`score must be strictly between 0 and 1, got ${p}`);
  return params.bias + params.temperature * Math.log(p / (1 - p));
}

/** Each label's (t, b) after overrides, aligned with `labelIds`. */
export function resolveLabelParams(
  labelIds: readonly string[],
  params: Partial<ScoringParams> = {},
): { temperature: Float64Array; bias: Float64Array } {
  const base = { ...DEFAULT_SCORING, ...params };
  checkParams(base, 'scoring');
  const temperature = new Float64Array(labelIds.length).fill(base.temperature);
  const bias = new Float64Array(labelIds.length).fill(base.bias);
  const overrides = params.overrides ?? {};
  labelIds.forEach((id, j) => {
    const o = Object.hasOwn(overrides, id) ? overrides[id] : undefined;
    if (o === undefined) return;
    checkParams(o, `override for "${id}"`);
    if (o.temperature !== undefined) temperature[j] = o.temperature;
    if (o.bias !== undefined) bias[j] = o.bias;
  });
  return { temperature, bias };
}

function rows(data: Float32Array, d: number, what: string): number {
  if (!Number.isInteger(d) || d <= 0) throw bad(`dimension must be a positive integer, got ${d}`);
  if (data.length % d !== 0) throw bad(`${what}: length ${data.length} is not a multiple of ${d}`);
  return data.length / d;
}

/** A unit-length copy; a zero vector stays zero (its cosine with anything is then 0). */
export function normalize(v: ArrayLike<number>): Float32Array {
  return normalizeRows(Float32Array.from(v), v.length || 1);
}

/** A copy of a row-major [rows × d] matrix with every row scaled to unit length. */
export function normalizeRows(data: Float32Array, d: number): Float32Array {
  const n = rows(data, d, 'matrix');
  const out = new Float32Array(data.length);
  for (let r = 0; r < n; r++) {
    const o = r * d;
    let sq = 0;
    for (let k = 0; k < d; k++) sq += (data[o + k] ?? 0) ** 2;
    const inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
    for (let k = 0; k < d; k++) out[o + k] = (data[o + k] ?? 0) * inv;
  }
  return out;
}

/**
 * Cosines of n image and m label embeddings (row-major [n × d] and [m × d]): [n × m].
 * Rows are normalised once, so the inner loop is a plain dot product.
 */
export function cosineMatrix(images: Float32Array, labels: Float32Array, d: number): Float32Array {
  const n = rows(images, d, 'images');
  const m = rows(labels, d, 'labels');
  const a = normalizeRows(images, d);
  const b = normalizeRows(labels, d);
  const out = new Float32Array(n * m);
  for (let i = 0; i < n; i++) {
    dotEachRow(b, m, d, a.subarray(i * d, (i + 1) * d), out.subarray(i * m, (i + 1) * m));
  }
  return out;
}

/** Scores of n photos against m labels, all [n × m] row-major (one row per photo). */
export interface ScoredPhotos {
  readonly numPhotos: number;
  readonly labelIds: readonly string[];
  readonly cosines: Float32Array;
  /** (cos - b) / t: the same order as `scores` per label, but never saturates to 1.0 in float32. */
  readonly logits: Float32Array;
  /** p = sigmoid(logit) in [0, 1]. */
  readonly scores: Float32Array;
}

/** Tempered-sigmoid scores from a precomputed [n × m] cosine matrix (no encoder involved). */
export function scoreCosines(
  cosines: Float32Array,
  labelIds: readonly string[],
  params?: Partial<ScoringParams>,
): ScoredPhotos {
  const m = labelIds.length;
  const n = m === 0 ? 0 : rows(cosines, m, 'cosines');
  const { temperature, bias } = resolveLabelParams(labelIds, params);
  const logits = new Float32Array(n * m);
  const scores = new Float32Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const z = ((cosines[i * m + j] ?? 0) - (bias[j] ?? 0)) / (temperature[j] ?? 1);
      logits[i * m + j] = z;
      scores[i * m + j] = sigmoid(z);
    }
  }
  return { numPhotos: n, labelIds, cosines, logits, scores };
}

/** Scores every photo against every label: cosines, then the tempered sigmoid per label. */
export function scoreImages(
  images: Float32Array,
  labels: Float32Array,
  d: number,
  labelIds: readonly string[],
  params?: Partial<ScoringParams>,
): ScoredPhotos {
  const n = rows(images, d, 'images');
  const m = rows(labels, d, 'labels');
  if (m !== labelIds.length) throw bad(`${m} label embeddings but ${labelIds.length} label ids`);
  if (m === 0) {
    // No labels: every photo gets an empty list (the cosine matrix cannot tell n when m = 0).
    const empty = new Float32Array(0);
    return { numPhotos: n, labelIds, cosines: empty, logits: empty, scores: empty };
  }
  return scoreCosines(cosineMatrix(images, labels, d), labelIds, params);
}
