/**
 * Adaptation: fit per-label (or global) temperature, bias and residual to a person's feedback on
 * cached image embeddings, with Adam, early stopping on held-out photos, then a refit on all the
 * feedback. Deterministic: the only randomness is seeded (the photo split, and the cell sample
 * when maxCellsPerClass is set). docs/ADAPTATION.md explains every default.
 */
import { MumicError } from '../errors.ts';
import { averagePrecision, macroMeanAveragePrecision } from '../metrics.ts';
import {
  copyParams,
  createParams,
  entryLogits,
  objective,
  resetParams,
  type EntrySet,
  type LossOptions,
  type Params,
  type Problem,
} from './objective.ts';
import { createGrams, prepareInput, type AdaptInput, type PreparedInput } from './prepare.ts';
import { buildProblem, residualVector } from './problem.ts';
import { sampleCells, splitValidation } from './sampling.ts';
import { BETA1, BETA2, adamUpdate, createAdam, type Adam } from './adam.ts';

export type AdaptMode = 'per-label' | 'global';
export type EarlyStopping = 'loss' | 'map' | 'gap';

export interface AdaptOptions extends LossOptions {
  /** 'per-label': a (t, b) per label with feedback; 'global': one (t, b) shared by all labels. */
  readonly mode: AdaptMode;
  /** Learn a residual on each label's text embedding (labels with feedback only). */
  readonly residual: boolean;
  /** Learn t; false keeps each label's zero-shot t (then consider gamma 2, docs/ADAPTATION.md). */
  readonly learnTemperature: boolean;
  /**
   * Adam step sizes: of the residual (a change of its norm per step, whatever its number of
   * coordinates), of the bias (cosine units) and of log t.
   */
  readonly learningRate: number;
  readonly biasLearningRate: number;
  readonly temperatureLearningRate: number;
  /** Full-batch Adam steps at most (one step = one pass over the training feedback). */
  readonly maxEpochs: number;
  /**
   * The held-out criterion: 'loss' (balanced plain BCE, negated), 'map' (macro mAP over the
   * held-out known cells) or 'gap' (their GAP); a metric without held-out positives falls back
   * to the loss.
   */
  readonly earlyStopping: EarlyStopping;
  /** Stop after this many epochs without a better validation score. */
  readonly patience: number;
  /** Share of the photos with feedback held out for early stopping. */
  readonly validationFraction: number;
  /** Fewer photos with feedback than this: no validation split, train maxEpochs on all of it. */
  readonly minValidationPhotos: number;
  /** After early stopping, retrain on all feedback for the best number of epochs. */
  readonly refit: boolean;
  /**
   * Per label, train on at most this many positive and this many negative cells (null: all).
   * Beyond it: the hardest half by zero-shot score and a seeded random sample of the rest,
   * weighted so the loss still counts every cell. Bounds the cost of a complete truth file.
   */
  readonly maxCellsPerClass: number | null;
  /** Seed of the photo split and of the cell sample. */
  readonly seed: number;
}

export const DEFAULT_ADAPT_OPTIONS: AdaptOptions = Object.freeze({
  mode: 'per-label',
  residual: true,
  learnTemperature: true,
  gamma: 0,
  positiveShare: 0.5,
  residualL2: 1,
  biasL2: 10,
  logTemperatureL2: 1,
  learningRate: 0.1,
  biasLearningRate: 0.01,
  temperatureLearningRate: 0.05,
  maxEpochs: 300,
  earlyStopping: 'gap',
  patience: 30,
  validationFraction: 0.2,
  minValidationPhotos: 20,
  refit: true,
  maxCellsPerClass: null,
  seed: 1,
});

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
    /** What early stopping maximised (see AdaptOptions.earlyStopping). */
    readonly criterion: EarlyStopping;
    /** Its value on the held-out feedback at zero-shot, and at the best epoch. */
    readonly zeroShotScore: number;
    readonly bestScore: number;
    readonly bestEpoch: number;
    /** Epochs run before stopping. */
    readonly ranEpochs: number;
  } | null;
  /** Feedback used: known cells, positives, labels with feedback. */
  readonly entries: number;
  readonly positives: number;
  readonly trainedLabels: number;
  /** Cells trained on (fewer than `entries` when maxCellsPerClass sampled them). */
  readonly trainedCells: number;
  readonly options: AdaptOptions;
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
  if (
    o.maxCellsPerClass !== null &&
    !(Number.isInteger(o.maxCellsPerClass) && o.maxCellsPerClass >= 2)
  ) {
    throw bad('maxCellsPerClass must be a whole number >= 2, or null');
  }
  if (!(o.validationFraction > 0 && o.validationFraction < 1)) {
    throw bad('validationFraction must be strictly between 0 and 1');
  }
  if (o.mode !== 'per-label' && o.mode !== 'global') throw bad(`unknown mode "${String(o.mode)}"`);
  if (!['loss', 'map', 'gap'].includes(o.earlyStopping)) {
    throw bad(`earlyStopping must be 'loss', 'map' or 'gap'`);
  }
  for (const key of ['residual', 'learnTemperature', 'refit'] as const) {
    if (typeof o[key] !== 'boolean') throw bad(`${key} must be true or false`);
  }
  return o;
}

/**
 * A ranking metric cannot see what cannot change a ranking: one (t, b) for all labels changes no
 * order at all, and per-label (t, b) without residuals no order within a label (macro mAP). Then
 * the held-out loss decides.
 */
function effectiveCriterion(options: AdaptOptions): EarlyStopping {
  if (options.residual) return options.earlyStopping;
  if (options.mode === 'global') return 'loss';
  return options.earlyStopping === 'map' ? 'loss' : options.earlyStopping;
}

/**
 * The early-stopping score of parameters on the held-out entries (higher is better). Allocates
 * its buffers once; the metrics themselves come from src/core/metrics.ts.
 */
function validationScorer(
  problem: Problem,
  set: EntrySet,
  options: AdaptOptions,
): (params: Params) => number {
  const criterion = effectiveCriterion(options);
  // Balanced plain BCE (γ = 0): a proper scoring rule, whatever γ training uses.
  const plain = { ...options, gamma: 0 };
  const logits = new Float64Array(set.photo.length);
  const relevant = Uint8Array.from(set.y, (y) => (y === 1 ? 1 : 0));
  const hasPositive = relevant.includes(1);
  return (params) => {
    if (criterion !== 'loss' && hasPositive) {
      entryLogits(problem, params, set, logits);
      // GAP over known cells = AP of the pooled cells; macro mAP = mean AP of each label's.
      if (criterion === 'gap') return averagePrecision(logits, relevant) ?? 0;
      const perLabel: (number | null)[] = [];
      for (let s = 0; s < problem.slots; s++) {
        const from = set.start[s] ?? 0;
        const to = set.start[s + 1] ?? 0;
        perLabel.push(averagePrecision(logits.subarray(from, to), relevant.subarray(from, to)));
      }
      const map = macroMeanAveragePrecision(perLabel);
      if (map !== null) return map;
    }
    return -objective(problem, params, plain, set, null, false);
  };
}

/** One full-batch Adam step on the training entries; returns J before the step. */
function adamStep(problem: Problem, params: Params, adam: Adam, options: AdaptOptions): number {
  const loss = objective(problem, params, options, problem.train, adam.grad);
  adam.step++;
  const c1 = 1 - BETA1 ** adam.step;
  const c2 = 1 - BETA2 ** adam.step;
  const { grad, m1, m2 } = adam;
  if (options.learnTemperature) {
    adamUpdate(params.tau, grad.tau, m1.tau, m2.tau, options.temperatureLearningRate, c1, c2);
  }
  adamUpdate(params.bias, grad.bias, m1.bias, m2.bias, options.biasLearningRate, c1, c2);
  // Adam moves every coordinate by about lr at first, so a residual of k coordinates would move
  // by lr·√k: dividing by √k makes `learningRate` a step in norm, the same whatever k is.
  const { resStart } = problem;
  for (let s = 0; s < problem.slots; s++) {
    const from = resStart[s] ?? 0;
    const to = resStart[s + 1] ?? 0;
    if (to === from) continue;
    const lr = options.learningRate / Math.sqrt(to - from);
    adamUpdate(params.residual, grad.residual, m1.residual, m2.residual, lr, c1, c2, from, to);
  }
  return loss;
}

function labelsOf(prepared: PreparedInput, problem: Problem, params: Params, mode: AdaptMode) {
  const out: AdaptedLabel[] = [];
  const slotOf = new Map<number, number>();
  problem.labelOf.forEach((j, s) => slotOf.set(j, s));
  prepared.labelIds.forEach((id, j) => {
    const s = slotOf.get(j);
    if (s === undefined && mode === 'per-label') return;
    const g = mode === 'global' ? 0 : (s ?? 0);
    let residual: Float32Array | null = null;
    if (s !== undefined && (problem.resStart[s + 1] ?? 0) > (problem.resStart[s] ?? 0)) {
      residual = residualVector(prepared, problem, params, s);
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
  const { chosen, weights } = sampleCells(prepared, entries, options);
  const grams = createGrams(prepared, chosen);
  const split = splitValidation(prepared, chosen, options);
  let epochs = options.maxEpochs;
  let validation: AdaptResult['validation'] = null;
  let problem = buildProblem(
    prepared,
    grams,
    split?.train ?? chosen,
    split?.validation ?? null,
    options,
    weights,
  );
  let params = createParams(problem);
  resetParams(problem, params);
  const valSet = problem.validation;
  if (split !== null && valSet !== null && valSet.photo.length > 0) {
    const best = createParams(problem);
    copyParams(params, best);
    const adam = createAdam(problem);
    const score = validationScorer(problem, valSet, options);
    const zeroShotScore = score(params);
    let bestScore = zeroShotScore;
    let bestEpoch = 0;
    let epoch = 0;
    while (epoch < options.maxEpochs && epoch - bestEpoch < options.patience) {
      adamStep(problem, params, adam, options);
      epoch++;
      const value = score(params);
      if (value > bestScore + 1e-9 * Math.abs(bestScore)) {
        bestScore = value;
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
      criterion: effectiveCriterion(options),
      zeroShotScore,
      bestScore,
      bestEpoch,
      ranEpochs: epoch,
    };
  }
  const refit = validation === null || (options.refit && epochs > 0);
  if (refit) {
    if (validation !== null) {
      problem = buildProblem(prepared, grams, chosen, null, options, weights);
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
    trainedCells: chosen.length,
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
