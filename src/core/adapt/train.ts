/**
 * Adaptation: fit per-label (or global) temperature, bias and residual to a person's feedback on
 * cached image embeddings, with Adam, early stopping on held-out photos, then a refit on all the
 * feedback. Deterministic: the only randomness is the seeded photo split.
 */
import { MumicError } from '../errors.ts';
import { normalizeRows, resolveLabelParams, type ScoringParams } from '../score.ts';
import { indexFeedback, type FeedbackEntry, type FeedbackTable } from './feedback.ts';
import {
  copyParams,
  createParams,
  objective,
  resetParams,
  type EntrySet,
  type LossOptions,
  type Params,
  type Problem,
} from './objective.ts';
import { createRandom, shuffleInPlace } from './random.ts';

export type AdaptMode = 'per-label' | 'global';

export interface AdaptOptions extends LossOptions {
  /** 'per-label': a (t, b) per label with feedback; 'global': one (t, b) shared by all labels. */
  readonly mode: AdaptMode;
  /** Learn a residual on each label's text embedding (labels with feedback only). */
  readonly residual: boolean;
  /** Adam step sizes: residual coordinates, bias (cosine units), log-temperature. */
  readonly learningRate: number;
  readonly biasLearningRate: number;
  readonly temperatureLearningRate: number;
  /** Full-batch Adam steps at most (one step = one pass over the training feedback). */
  readonly maxEpochs: number;
  /** Stop after this many epochs without a better validation loss. */
  readonly patience: number;
  /** Share of the photos with feedback held out for early stopping. */
  readonly validationFraction: number;
  /** Fewer photos with feedback than this: no validation split, train maxEpochs on all of it. */
  readonly minValidationPhotos: number;
  /** After early stopping, retrain on all feedback for the best number of epochs. */
  readonly refit: boolean;
  /** Seed of the photo split. */
  readonly seed: number;
}

export const DEFAULT_ADAPT_OPTIONS: AdaptOptions = Object.freeze({
  mode: 'per-label',
  residual: true,
  gamma: 2,
  positiveShare: 0.5,
  residualL2: 1,
  biasL2: 10,
  logTemperatureL2: 1,
  learningRate: 0.002,
  biasLearningRate: 0.005,
  temperatureLearningRate: 0.02,
  maxEpochs: 200,
  patience: 20,
  validationFraction: 0.2,
  minValidationPhotos: 5,
  refit: true,
  seed: 1,
});

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

/** Learned parameters of one label, in the shape of a head file's label entry. */
export interface AdaptedLabel {
  readonly id: string;
  readonly temperature: number;
  readonly bias: number;
  /** Added to the unit zero-shot embedding before re-normalising; null: none learned. */
  readonly residual: Float32Array | null;
}

export interface AdaptProgress {
  readonly phase: 'train' | 'refit';
  readonly epoch: number;
  readonly maxEpochs: number;
}

export interface AdaptResult {
  readonly labelIds: readonly string[];
  readonly mode: AdaptMode;
  /**
   * Labels whose parameters differ from zero-shot: those with feedback (per-label mode), every
   * label (global mode); empty when early stopping found that no epoch beat zero-shot.
   */
  readonly labels: AdaptedLabel[];
  /** Adam steps behind the returned parameters (0: zero-shot kept). */
  readonly epochs: number;
  /** Early-stopping run, null when there were too few photos to hold any out. */
  readonly validation: {
    readonly photos: number;
    readonly entries: number;
    /** Data loss on the held-out feedback at zero-shot, and at the best epoch. */
    readonly zeroShotLoss: number;
    readonly bestLoss: number;
    readonly bestEpoch: number;
    /** Epochs run before stopping. */
    readonly ranEpochs: number;
  } | null;
  /** Feedback used: known cells, positives, labels with feedback. */
  readonly entries: number;
  readonly positives: number;
  readonly trainedLabels: number;
  readonly options: AdaptOptions;
}

/** Input checked and normalised once; shared by the training runs of an evaluation. */
export interface PreparedInput {
  readonly numPhotos: number;
  readonly dim: number;
  readonly labelIds: readonly string[];
  /** Unit rows. */
  readonly images: Float32Array;
  readonly labels: Float32Array;
  readonly table: FeedbackTable;
  /** Zero-shot cosine of every feedback entry. */
  readonly cos0: Float64Array;
  /** Zero-shot (t, b) per label after overrides, and the shared defaults. */
  readonly temperature: Float64Array;
  readonly bias: Float64Array;
  readonly globalTemperature: number;
  readonly globalBias: number;
}

const bad = (reason: string): MumicError => new MumicError('InvalidArgument', reason);

export function resolveAdaptOptions(options: Partial<AdaptOptions> = {}): AdaptOptions {
  const o = { ...DEFAULT_ADAPT_OPTIONS, ...options };
  const nonNegative = ['gamma', 'residualL2', 'biasL2', 'logTemperatureL2'] as const;
  for (const key of nonNegative) {
    if (!(Number.isFinite(o[key]) && o[key] >= 0)) throw bad(`${key} must be a number >= 0`);
  }
  const positive = ['learningRate', 'biasLearningRate', 'temperatureLearningRate'] as const;
  for (const key of positive) {
    if (!(Number.isFinite(o[key]) && o[key] > 0)) throw bad(`${key} must be a number > 0`);
  }
  for (const key of ['maxEpochs', 'patience', 'minValidationPhotos', 'seed'] as const) {
    if (!(Number.isInteger(o[key]) && o[key] >= 0)) throw bad(`${key} must be a whole number`);
  }
  if (o.positiveShare !== null && !(o.positiveShare > 0 && o.positiveShare < 1)) {
    throw bad('positiveShare must be strictly between 0 and 1, or null');
  }
  if (!(o.validationFraction > 0 && o.validationFraction < 1)) {
    throw bad('validationFraction must be strictly between 0 and 1');
  }
  if (o.mode !== 'per-label' && o.mode !== 'global') throw bad(`unknown mode "${String(o.mode)}"`);
  return o;
}

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
  const table = indexFeedback(input.feedback, labelIds, numPhotos);
  const cos0 = new Float64Array(table.length);
  for (let e = 0; e < table.length; e++) {
    const xo = (table.photo[e] ?? 0) * dim;
    const lo = (table.label[e] ?? 0) * dim;
    let dot = 0;
    for (let q = 0; q < dim; q++) dot += (unitImages[xo + q] ?? 0) * (unitLabels[lo + q] ?? 0);
    cos0[e] = dot;
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
    cos0,
    temperature,
    bias,
    globalTemperature: shared.temperature[0] ?? 0,
    globalBias: shared.bias[0] ?? 0,
  };
}

/** The photos of `entries` (indices into the table), split by a seeded shuffle. */
function splitValidation(
  prepared: PreparedInput,
  entries: Int32Array,
  options: AdaptOptions,
): { train: Int32Array; validation: Int32Array; photos: number } | null {
  const { table } = prepared;
  const photos = Int32Array.from(new Set(Array.from(entries, (e) => table.photo[e] ?? 0))).sort();
  if (photos.length < Math.max(2, options.minValidationPhotos)) return null;
  shuffleInPlace(photos, createRandom(options.seed));
  const held = Math.max(1, Math.round(options.validationFraction * photos.length));
  const isHeld = new Uint8Array(prepared.numPhotos);
  for (let k = 0; k < held; k++) isHeld[photos[k] ?? 0] = 1;
  const train = entries.filter((e) => isHeld[table.photo[e] ?? 0] === 0);
  const validation = entries.filter((e) => isHeld[table.photo[e] ?? 0] === 1);
  return { train, validation, photos: held };
}

/**
 * An orthonormal basis of span{e, x_1, …, x_n} (modified Gram–Schmidt, twice for stability),
 * as rows; vectors already in the span are dropped.
 */
function spanBasis(
  first: Float32Array,
  firstOffset: number,
  rows: Float32Array,
  photos: readonly number[],
  dim: number,
): Float64Array {
  const basis: Float64Array[] = [];
  const add = (source: Float32Array, offset: number): void => {
    const v = Float64Array.from(source.subarray(offset, offset + dim));
    for (let pass = 0; pass < 2; pass++) {
      for (const b of basis) {
        let dot = 0;
        for (let q = 0; q < dim; q++) dot += (b[q] ?? 0) * (v[q] ?? 0);
        for (let q = 0; q < dim; q++) v[q] = (v[q] ?? 0) - dot * (b[q] ?? 0);
      }
    }
    let sq = 0;
    for (let q = 0; q < dim; q++) sq += (v[q] ?? 0) ** 2;
    // Inputs are unit vectors: what is left of one already in the span is rounding noise.
    if (sq < 1e-10) return;
    const inv = 1 / Math.sqrt(sq);
    for (let q = 0; q < dim; q++) v[q] = (v[q] ?? 0) * inv;
    basis.push(v);
  };
  add(first, firstOffset);
  for (const i of photos) add(rows, i * dim);
  const out = new Float64Array(basis.length * dim);
  basis.forEach((b, r) => out.set(b, r * dim));
  return out;
}

/** Use a label's own span when it has at most this share of d dimensions (cheaper per step). */
const SPAN_BASIS_MAX_SHARE = 0.5;

interface Slots {
  readonly labelOf: number[];
  readonly slotOfLabel: Int32Array;
}

function slotsOf(prepared: PreparedInput, entries: Int32Array): Slots {
  const slotOfLabel = new Int32Array(prepared.labelIds.length).fill(-1);
  const labelOf: number[] = [];
  for (const e of entries) {
    const j = prepared.table.label[e] ?? 0;
    if (slotOfLabel[j] === -1) {
      slotOfLabel[j] = labelOf.length;
      labelOf.push(j);
    }
  }
  return { labelOf, slotOfLabel };
}

/** Entries of one set grouped by slot, with balance weights and feature offsets. */
function entrySet(
  prepared: PreparedInput,
  entries: Int32Array,
  slots: Slots,
  positiveShare: number | null,
  featureOffset: (slot: number, photo: number) => number,
): EntrySet {
  const { table, cos0 } = prepared;
  const n = slots.labelOf.length;
  const kept = entries.filter((e) => (slots.slotOfLabel[table.label[e] ?? 0] ?? -1) >= 0);
  // The table is sorted by label, so the entries of a slot are contiguous and in slot order.
  const start = new Int32Array(n + 1);
  for (const e of kept) {
    const s = slots.slotOfLabel[table.label[e] ?? 0] ?? 0;
    start[s + 1] = (start[s + 1] ?? 0) + 1;
  }
  for (let s = 0; s < n; s++) start[s + 1] = (start[s + 1] ?? 0) + (start[s] ?? 0);
  const set: EntrySet = {
    start,
    photo: new Int32Array(kept.length),
    y: new Int8Array(kept.length),
    weight: new Float64Array(kept.length),
    cos0: new Float64Array(kept.length),
    feature: new Int32Array(kept.length),
  };
  kept.forEach((e, k) => {
    const photo = table.photo[e] ?? 0;
    set.photo[k] = photo;
    set.y[k] = table.y[e] ?? 0;
    set.cos0[k] = cos0[e] ?? 0;
    set.feature[k] = featureOffset(slots.slotOfLabel[table.label[e] ?? 0] ?? 0, photo);
  });
  for (let s = 0; s < n; s++) {
    const from = start[s] ?? 0;
    const to = start[s + 1] ?? 0;
    let pos = 0;
    for (let k = from; k < to; k++) if (set.y[k] === 1) pos++;
    const neg = to - from - pos;
    const all = to - from;
    // Balanced weights sum to the number of cells, so with more feedback the data outweighs
    // the priors, as a posterior should; a one-sided label keeps weight 1 per cell.
    const balance = positiveShare !== null && pos > 0 && neg > 0;
    const wPos = balance ? (positiveShare * all) / pos : 1;
    const wNeg = balance ? ((1 - positiveShare) * all) / neg : 1;
    for (let k = from; k < to; k++) set.weight[k] = set.y[k] === 1 ? wPos : wNeg;
  }
  return set;
}

/**
 * The training problem over `train` entries (and `validation` entries for early stopping).
 *
 * Residual basis per label: the gradient of the data term by r_j always lies in
 * S_j = span{e_j, training photos of j}, and the prior only shrinks r_j; so plain gradient
 * descent from r_j = 0 never leaves S_j, and the optimum lies in it. Adam's per-coordinate
 * scaling would drift out of S_j along the arbitrary axes of the embedding space, so the residual
 * is restricted to S_j, in an orthonormal basis of it: exact, and with few photos far cheaper
 * (k_j ≤ photos + 1 instead of d per known cell and step). When S_j would exceed half of the
 * space, the full space (identity basis) is used instead.
 */
export function buildProblem(
  prepared: PreparedInput,
  train: Int32Array,
  validation: Int32Array | null,
  options: AdaptOptions,
): Problem {
  const { table, dim, labels, images, numPhotos } = prepared;
  const trainSorted = Int32Array.from(train).sort();
  const slots = slotsOf(prepared, trainSorted);
  const n = slots.labelOf.length;
  const global = options.mode === 'global';
  const groups = global ? 1 : n;
  // Bases: identity, or the span of the label's embedding and its training photos.
  const photosOf: number[][] = slots.labelOf.map(() => []);
  for (const e of trainSorted) {
    photosOf[slots.slotOfLabel[table.label[e] ?? 0] ?? 0]?.push(table.photo[e] ?? 0);
  }
  const bases: (Float64Array | null)[] = slots.labelOf.map((j, s) => {
    const photos = photosOf[s] ?? [];
    if (!options.residual || photos.length + 1 > SPAN_BASIS_MAX_SHARE * dim) return null;
    return spanBasis(labels, j * dim, images, photos, dim);
  });
  const kOf = (s: number): number => {
    if (!options.residual) return 0;
    const basis = bases[s];
    return basis === null || basis === undefined ? dim : basis.length / dim;
  };
  const resStart = new Int32Array(n + 1);
  for (let s = 0; s < n; s++) resStart[s + 1] = (resStart[s] ?? 0) + kOf(s);
  const eHat = new Float64Array(resStart[n] ?? 0);
  const tau0 = new Float64Array(groups);
  const bias0 = new Float64Array(groups);
  slots.labelOf.forEach((j, s) => {
    const basis = bases[s];
    const ao = resStart[s] ?? 0;
    for (let q = 0; q < kOf(s); q++) {
      if (basis === null || basis === undefined) {
        eHat[ao + q] = labels[j * dim + q] ?? 0;
      } else {
        let dot = 0;
        for (let c = 0; c < dim; c++) dot += (basis[q * dim + c] ?? 0) * (labels[j * dim + c] ?? 0);
        eHat[ao + q] = dot;
      }
    }
    if (!global) {
      tau0[s] = Math.log(prepared.temperature[j] ?? 1);
      bias0[s] = prepared.bias[j] ?? 0;
    }
  });
  if (global) {
    tau0[0] = Math.log(prepared.globalTemperature);
    bias0[0] = prepared.globalBias;
  }
  // Features: the unit image rows when some label uses the identity basis, then the projected
  // rows of the entries of labels with their own basis (one row per entry, train then validation).
  const usesIdentity = options.residual && bases.some((b) => b === null);
  const validationSorted = validation === null ? null : Int32Array.from(validation).sort();
  const projected: { slot: number; photo: number }[] = [];
  const offsets = new Map<number, number>();
  let size = usesIdentity ? numPhotos * dim : 0;
  const offset = (slot: number, photo: number): number => {
    const k = kOf(slot);
    if (k === 0) return 0;
    if (bases[slot] === null) return photo * dim;
    const key = slot * numPhotos + photo;
    let at = offsets.get(key);
    if (at === undefined) {
      at = size;
      size += k;
      offsets.set(key, at);
      projected.push({ slot, photo });
    }
    return at;
  };
  const trainSet = entrySet(prepared, trainSorted, slots, options.positiveShare, offset);
  const validationSet =
    validationSorted === null
      ? null
      : entrySet(prepared, validationSorted, slots, options.positiveShare, offset);
  const features = new Float32Array(size);
  if (usesIdentity) features.set(images);
  for (const { slot, photo } of projected) {
    const basis = bases[slot];
    if (basis === null || basis === undefined) continue;
    const at = offsets.get(slot * numPhotos + photo) ?? 0;
    const k = basis.length / dim;
    for (let q = 0; q < k; q++) {
      let dot = 0;
      for (let c = 0; c < dim; c++) dot += (basis[q * dim + c] ?? 0) * (images[photo * dim + c] ?? 0);
      features[at + q] = dot;
    }
  }
  let maxK = 0;
  for (let s = 0; s < n; s++) maxK = Math.max(maxK, kOf(s));
  return {
    slots: n,
    labelOf: Int32Array.from(slots.labelOf),
    group: Int32Array.from(slots.labelOf, (_, s) => (global ? 0 : s)),
    groups,
    resStart,
    features,
    eHat,
    bases,
    tau0,
    bias0,
    train: trainSet,
    validation: validationSet,
    scratch: new Float64Array(maxK),
  };
}

/** A slot's residual in embedding space (length d). */
export function residualVector(problem: Problem, params: Params, slot: number, dim: number) {
  const ao = problem.resStart[slot] ?? 0;
  const k = (problem.resStart[slot + 1] ?? 0) - ao;
  const basis = problem.bases[slot];
  const out = new Float32Array(dim);
  if (basis === null || basis === undefined) {
    for (let q = 0; q < k; q++) out[q] = params.residual[ao + q] ?? 0;
    return out;
  }
  const r = new Float64Array(dim);
  for (let q = 0; q < k; q++) {
    const a = params.residual[ao + q] ?? 0;
    for (let c = 0; c < dim; c++) r[c] = (r[c] ?? 0) + a * (basis[q * dim + c] ?? 0);
  }
  out.set(r);
  return out;
}

interface Adam {
  readonly grad: Params;
  readonly m1: Params;
  readonly m2: Params;
  step: number;
}

function createAdam(problem: Problem): Adam {
  return {
    grad: createParams(problem),
    m1: createParams(problem),
    m2: createParams(problem),
    step: 0,
  };
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

function adamUpdate(
  x: Float64Array,
  g: Float64Array,
  m1: Float64Array,
  m2: Float64Array,
  lr: number,
  c1: number,
  c2: number,
): void {
  for (let i = 0; i < x.length; i++) {
    const gi = g[i] ?? 0;
    const a = BETA1 * (m1[i] ?? 0) + (1 - BETA1) * gi;
    const b = BETA2 * (m2[i] ?? 0) + (1 - BETA2) * gi * gi;
    m1[i] = a;
    m2[i] = b;
    x[i] = (x[i] ?? 0) - (lr * (a / c1)) / (Math.sqrt(b / c2) + EPSILON);
  }
}

/** One full-batch Adam step on the training entries; returns J before the step. */
export function adamStep(
  problem: Problem,
  params: Params,
  adam: Adam,
  options: AdaptOptions,
): number {
  const loss = objective(problem, params, options, problem.train, adam.grad);
  adam.step++;
  const c1 = 1 - BETA1 ** adam.step;
  const c2 = 1 - BETA2 ** adam.step;
  const { grad, m1, m2 } = adam;
  adamUpdate(params.tau, grad.tau, m1.tau, m2.tau, options.temperatureLearningRate, c1, c2);
  adamUpdate(params.bias, grad.bias, m1.bias, m2.bias, options.biasLearningRate, c1, c2);
  adamUpdate(
    params.residual,
    grad.residual,
    m1.residual,
    m2.residual,
    options.learningRate,
    c1,
    c2,
  );
  return loss;
}

export { createAdam };

function labelsOf(prepared: PreparedInput, problem: Problem, params: Params, mode: AdaptMode) {
  const out: AdaptedLabel[] = [];
  const { dim } = prepared;
  const slotOf = new Map<number, number>();
  problem.labelOf.forEach((j, s) => slotOf.set(j, s));
  prepared.labelIds.forEach((id, j) => {
    const s = slotOf.get(j);
    if (s === undefined && mode === 'per-label') return;
    const g = mode === 'global' ? 0 : (s ?? 0);
    let residual: Float32Array | null = null;
    if (s !== undefined && (problem.resStart[s + 1] ?? 0) > (problem.resStart[s] ?? 0)) {
      residual = residualVector(problem, params, s, dim);
      if (residual.every((v) => v === 0)) residual = null;
    }
    out.push({
      id,
      temperature: Math.exp(params.tau[g] ?? 0),
      bias: params.bias[g] ?? 0,
      residual,
    });
  });
  return out;
}

/** Trains on `entries` (indices into the prepared table). Used by `adapt` and the evaluation. */
export function adaptPrepared(
  prepared: PreparedInput,
  entries: Int32Array,
  options: AdaptOptions,
  onProgress?: (progress: AdaptProgress) => void,
): AdaptResult {
  const split = splitValidation(prepared, entries, options);
  let epochs = options.maxEpochs;
  let validation: AdaptResult['validation'] = null;
  let problem = buildProblem(prepared, split?.train ?? entries, split?.validation ?? null, options);
  let params = createParams(problem);
  resetParams(problem, params);
  const valSet = problem.validation;
  if (split !== null && valSet !== null && valSet.photo.length > 0) {
    const best = createParams(problem);
    copyParams(params, best);
    const adam = createAdam(problem);
    // Held-out loss: balanced plain BCE (γ = 0), a proper scoring rule whatever γ trains with.
    const plain = { ...options, gamma: 0 };
    const zeroShotLoss = objective(problem, params, plain, valSet, null, false);
    let bestLoss = zeroShotLoss;
    let bestEpoch = 0;
    let epoch = 0;
    while (epoch < options.maxEpochs && epoch - bestEpoch < options.patience) {
      adamStep(problem, params, adam, options);
      epoch++;
      const loss = objective(problem, params, plain, valSet, null, false);
      if (loss < bestLoss - 1e-9 * Math.abs(bestLoss)) {
        bestLoss = loss;
        bestEpoch = epoch;
        copyParams(params, best);
      }
      onProgress?.({ phase: 'train', epoch, maxEpochs: options.maxEpochs });
    }
    epochs = bestEpoch;
    params = best;
    validation = {
      photos: split.photos,
      entries: valSet.photo.length,
      zeroShotLoss,
      bestLoss,
      bestEpoch,
      ranEpochs: epoch,
    };
  }
  const refit = validation === null || (options.refit && epochs > 0);
  if (refit) {
    if (validation !== null) {
      problem = buildProblem(prepared, entries, null, options);
      params = createParams(problem);
      resetParams(problem, params);
    }
    const adam = createAdam(problem);
    for (let epoch = 1; epoch <= epochs; epoch++) {
      adamStep(problem, params, adam, options);
      onProgress?.({ phase: validation === null ? 'train' : 'refit', epoch, maxEpochs: epochs });
    }
  }
  let positives = 0;
  for (const e of entries) if (prepared.table.y[e] === 1) positives++;
  return {
    labelIds: prepared.labelIds,
    mode: options.mode,
    labels: epochs === 0 ? [] : labelsOf(prepared, problem, params, options.mode),
    epochs,
    validation,
    entries: entries.length,
    positives,
    trainedLabels: new Set(Array.from(entries, (e) => prepared.table.label[e] ?? 0)).size,
    options,
  };
}

/**
 * Adapts the label side to feedback. Labels without feedback keep their zero-shot parameters
 * (per-label mode); in global mode every label takes the shared (t, b). The image encoder is not
 * involved: only cached embeddings are read. Throws InvalidArgument on bad shapes or feedback.
 */
export function adapt(
  input: AdaptInput,
  options: Partial<AdaptOptions> = {},
  onProgress?: (progress: AdaptProgress) => void,
): AdaptResult {
  const resolved = resolveAdaptOptions(options);
  const prepared = prepareInput(input);
  const all = Int32Array.from({ length: prepared.table.length }, (_, e) => e);
  return adaptPrepared(prepared, all, resolved, onProgress);
}
