/**
 * Heads: the learned parameters of a label set as one JSON file, exported, imported and used by
 * the CLI (`--head`). Pure functions: building, serialising, parsing with validation, applying.
 *
 *   { "format": "mumic-head", "version": 1,
 *     "model": { "id", "dtype", "projectionDim" }, "templates": "<templateSetKey>",
 *     "labels": [{ "id", "text", "temperature", "bias", "residual"?: number[] }],
 *     "trainedAt": "<ISO 8601>", "metrics": {…} | null, "training"?: {…} }
 *
 * A corrupt or malformed file is refused with InvalidHead, one made for another model, dtype,
 * dimension, template set or label set with HeadMismatch; messages name the field or label.
 */
import { MumicError, isRecord } from '../errors.ts';
import type { EvaluationReport } from '../metrics.ts';
import { DEFAULT_SCORING, type ScoringParams, type SigmoidParams } from '../score.ts';
import { DTYPES, type Dtype } from '../types.ts';
import type { AdaptEvaluation } from './evaluate.ts';
import type { AdaptedLabel, AdaptResult } from './train.ts';

export const HEAD_FORMAT = 'mumic-head';
export const HEAD_VERSION = 1;
/** Same bound as label sets: a hostile file cannot ask for unbounded work. */
export const MAX_HEAD_LABELS = 10_000;
const MAX_TEXT = 300;

export interface HeadModel {
  readonly id: string;
  readonly dtype: Dtype;
  readonly projectionDim: number;
}

export interface HeadLabel {
  readonly id: string;
  /** The prompt text the label's zero-shot embedding was made from. */
  readonly text: string;
  readonly temperature: number;
  readonly bias: number;
  /** Added to the unit zero-shot embedding, then re-normalised; absent: none. */
  readonly residual?: readonly number[];
}

/** Before/after numbers of the evaluation, as shown next to the adapt action. */
export interface HeadScores {
  readonly gapAtK: number | null;
  readonly gap: number | null;
  readonly macroMAP: number | null;
}

export interface HeadMetrics {
  readonly scheme: 'k-fold' | 'holdout';
  readonly folds: number;
  readonly k: number;
  readonly heldOutPhotos: number;
  readonly heldOutEntries: number;
  readonly heldOutPositives: number;
  readonly before: HeadScores;
  readonly after: HeadScores;
}

/** How the head was trained (provenance; not needed to apply it). */
export interface HeadTraining {
  readonly mode: 'per-label' | 'global';
  readonly gamma: number;
  readonly residual: boolean;
  readonly epochs: number;
  readonly entries: number;
  readonly positives: number;
  readonly seed: number;
}

export interface MumicHead {
  readonly format: typeof HEAD_FORMAT;
  readonly version: typeof HEAD_VERSION;
  readonly model: HeadModel;
  /** `templateSetKey` of the templates the label embeddings were made with. */
  readonly templates: string;
  readonly labels: readonly HeadLabel[];
  readonly trainedAt: string;
  readonly metrics: HeadMetrics | null;
  readonly training?: HeadTraining;
}

/** What the app or CLI has loaded; a head made for anything else is refused. */
export interface HeadExpectation {
  readonly modelId: string;
  readonly dtype: string;
  readonly projectionDim: number;
  /** The current label set: every label of the head must be in it. */
  readonly labelIds?: readonly string[];
  /** Prompt texts aligned with `labelIds`: a head label whose text changed is refused. */
  readonly labelTexts?: readonly string[];
  /** The current `templateSetKey`: a head made with other templates is refused. */
  readonly templates?: string;
}

const invalid = (reason: string): MumicError => new MumicError('InvalidHead', reason);
const mismatch = (reason: string): MumicError => new MumicError('HeadMismatch', reason);

function scoresOf(report: EvaluationReport): HeadScores {
  return { gapAtK: report.gapAtK, gap: report.gap, macroMAP: report.macroMAP };
}

/** The metrics block of a head from an evaluation. */
export function headMetrics(evaluation: AdaptEvaluation): HeadMetrics {
  return {
    scheme: evaluation.scheme,
    folds: evaluation.folds,
    k: evaluation.before.k,
    heldOutPhotos: evaluation.heldOutPhotos,
    heldOutEntries: evaluation.heldOutEntries,
    heldOutPositives: evaluation.heldOutPositives,
    before: scoresOf(evaluation.before),
    after: scoresOf(evaluation.after),
  };
}

export interface BuildHeadInfo {
  readonly model: HeadModel;
  readonly templates: string;
  /** Prompt texts aligned with `result.labelIds`. */
  readonly labelTexts: readonly string[];
  readonly evaluation?: AdaptEvaluation | null;
  /** Default: now. */
  readonly trainedAt?: Date;
}

/** A head from an adaptation result (labels whose parameters differ from zero-shot only). */
export function buildHead(result: AdaptResult, info: BuildHeadInfo): MumicHead {
  if (info.labelTexts.length !== result.labelIds.length) {
    throw new MumicError(
      'InvalidArgument',
      `${info.labelTexts.length} label texts for ${result.labelIds.length} labels`,
    );
  }
  const textOf = new Map(result.labelIds.map((id, j) => [id, info.labelTexts[j] ?? '']));
  return {
    format: HEAD_FORMAT,
    version: HEAD_VERSION,
    model: { ...info.model },
    templates: info.templates,
    labels: result.labels.map((l) => ({
      id: l.id,
      text: textOf.get(l.id) ?? '',
      temperature: l.temperature,
      bias: l.bias,
      ...(l.residual === null ? {} : { residual: Array.from(l.residual) }),
    })),
    trainedAt: (info.trainedAt ?? new Date()).toISOString(),
    metrics:
      info.evaluation === undefined || info.evaluation === null
        ? null
        : headMetrics(info.evaluation),
    training: {
      mode: result.mode,
      gamma: result.options.gamma,
      residual: result.options.residual,
      epochs: result.epochs,
      entries: result.entries,
      positives: result.positives,
      seed: result.options.seed,
    },
  };
}

/**
 * The file's text. Residual values keep 7 significant digits (float32 precision, which is what
 * they were computed in), so a 512-d head of 120 labels stays under a megabyte.
 */
export function serializeHead(head: MumicHead): string {
  const round = (v: number): number => Number(v.toPrecision(7));
  const labels = head.labels.map((l) =>
    l.residual === undefined ? l : { ...l, residual: l.residual.map(round) },
  );
  return `${JSON.stringify({ ...head, labels }, null, 1)}\n`;
}

const TOP_KEYS = new Set([
  'format',
  'version',
  'model',
  'templates',
  'labels',
  'trainedAt',
  'metrics',
  'training',
]);
const MODEL_KEYS = new Set(['id', 'dtype', 'projectionDim']);
const LABEL_KEYS = new Set(['id', 'text', 'temperature', 'bias', 'residual']);

function text(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalid(`${where} must be a non-empty string`);
  }
  if (value.length > MAX_TEXT) throw invalid(`${where} is longer than ${MAX_TEXT} characters`);
  return value;
}

function finite(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalid(`${where} must be a finite number`);
  }
  return value;
}

function unknownKey(value: Record<string, unknown>, keys: Set<string>, where: string): void {
  const extra = Object.keys(value).find((k) => !keys.has(k));
  if (extra !== undefined) throw invalid(`unknown field "${extra}" in ${where}`);
}

function checkScores(value: unknown, where: string): HeadScores {
  if (!isRecord(value)) throw invalid(`${where} must be an object`);
  const score = (key: string): number | null => {
    const v = value[key];
    if (v === null) return null;
    const n = finite(v, `${where}.${key}`);
    if (n < 0 || n > 1) throw invalid(`${where}.${key} must be between 0 and 1`);
    return n;
  };
  return { gapAtK: score('gapAtK'), gap: score('gap'), macroMAP: score('macroMAP') };
}

function checkMetrics(value: unknown): HeadMetrics | null {
  if (value === null) return null;
  if (!isRecord(value)) throw invalid('"metrics" must be an object or null');
  const count = (key: string): number => {
    const n = finite(value[key], `metrics.${key}`);
    if (!Number.isInteger(n) || n < 0) throw invalid(`metrics.${key} must be a whole number`);
    return n;
  };
  const scheme = value['scheme'];
  if (scheme !== 'k-fold' && scheme !== 'holdout') {
    throw invalid('metrics.scheme must be "k-fold" or "holdout"');
  }
  return {
    scheme,
    folds: count('folds'),
    k: count('k'),
    heldOutPhotos: count('heldOutPhotos'),
    heldOutEntries: count('heldOutEntries'),
    heldOutPositives: count('heldOutPositives'),
    before: checkScores(value['before'], 'metrics.before'),
    after: checkScores(value['after'], 'metrics.after'),
  };
}

function checkTraining(value: unknown): HeadTraining | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) throw invalid('"training" must be an object');
  const mode = value['mode'];
  if (mode !== 'per-label' && mode !== 'global') {
    throw invalid('training.mode must be "per-label" or "global"');
  }
  if (typeof value['residual'] !== 'boolean') throw invalid('training.residual must be a boolean');
  return {
    mode,
    gamma: finite(value['gamma'], 'training.gamma'),
    residual: value['residual'],
    epochs: finite(value['epochs'], 'training.epochs'),
    entries: finite(value['entries'], 'training.entries'),
    positives: finite(value['positives'], 'training.positives'),
    seed: finite(value['seed'], 'training.seed'),
  };
}

/** Checks the shape of a parsed head (InvalidHead), without comparing it to anything. */
export function validateHeadShape(value: unknown): MumicHead {
  if (!isRecord(value)) throw invalid('expected a JSON object');
  if (value['format'] !== HEAD_FORMAT) {
    throw invalid(`not a head file: "format" must be "${HEAD_FORMAT}"`);
  }
  if (value['version'] !== HEAD_VERSION) {
    throw invalid(
      `unsupported head version ${JSON.stringify(value['version'])}; this version reads ${HEAD_VERSION}`,
    );
  }
  unknownKey(value, TOP_KEYS, 'the head');
  const model = value['model'];
  if (!isRecord(model)) throw invalid('"model" must be an object');
  unknownKey(model, MODEL_KEYS, '"model"');
  const dtype = model['dtype'];
  if (typeof dtype !== 'string' || !(DTYPES as readonly string[]).includes(dtype)) {
    throw invalid(`model.dtype must be one of ${DTYPES.join(', ')}`);
  }
  const projectionDim = finite(model['projectionDim'], 'model.projectionDim');
  if (!Number.isInteger(projectionDim) || projectionDim <= 0 || projectionDim > 65_536) {
    throw invalid('model.projectionDim must be a positive whole number');
  }
  const templates = value['templates'];
  if (typeof templates !== 'string' || templates === '') {
    throw invalid('"templates" must be a non-empty string');
  }
  const trainedAt = value['trainedAt'];
  if (typeof trainedAt !== 'string' || Number.isNaN(Date.parse(trainedAt))) {
    throw invalid('"trainedAt" must be an ISO 8601 date');
  }
  const list = value['labels'];
  if (!Array.isArray(list)) throw invalid('"labels" must be an array');
  if (list.length > MAX_HEAD_LABELS) throw invalid(`more than ${MAX_HEAD_LABELS} labels`);
  const seen = new Set<string>();
  const labels = list.map((item: unknown, i): HeadLabel => {
    const where = `labels[${i}]`;
    if (!isRecord(item)) throw invalid(`${where} must be an object`);
    unknownKey(item, LABEL_KEYS, where);
    const id = text(item['id'], `${where}.id`);
    if (seen.has(id)) throw invalid(`${where}: duplicate label id "${id}"`);
    seen.add(id);
    const temperature = finite(item['temperature'], `${where}.temperature`);
    if (!(temperature > 0)) throw invalid(`${where}.temperature must be > 0`);
    const label = {
      id,
      text: text(item['text'], `${where}.text`),
      temperature,
      bias: finite(item['bias'], `${where}.bias`),
    };
    const residual = item['residual'];
    if (residual === undefined) return label;
    if (!Array.isArray(residual) || residual.length !== projectionDim) {
      throw invalid(`${where}.residual must be an array of ${projectionDim} numbers`);
    }
    residual.forEach((v: unknown, q) => finite(v, `${where}.residual[${q}]`));
    return { ...label, residual: residual as number[] };
  });
  const training = checkTraining(value['training']);
  return {
    format: HEAD_FORMAT,
    version: HEAD_VERSION,
    model: { id: text(model['id'], 'model.id'), dtype: dtype as Dtype, projectionDim },
    templates,
    labels,
    trainedAt,
    metrics: checkMetrics(value['metrics']),
    ...(training === undefined ? {} : { training }),
  };
}

function preview(ids: readonly string[]): string {
  const shown = ids.slice(0, 5).map((id) => `"${id}"`);
  return ids.length > 5 ? `${shown.join(', ')} and ${ids.length - 5} more` : shown.join(', ');
}

/** Refuses (HeadMismatch) a well-formed head made for another model or label set. */
export function checkHeadFits(head: MumicHead, expected: HeadExpectation): MumicHead {
  const { model } = head;
  if (model.id !== expected.modelId) {
    throw mismatch(
      `it was made for model "${model.id}", the loaded model is "${expected.modelId}"`,
    );
  }
  if (model.dtype !== expected.dtype) {
    throw mismatch(
      `it was made with ${model.dtype} embeddings, the loaded model uses ${expected.dtype}`,
    );
  }
  if (model.projectionDim !== expected.projectionDim) {
    throw mismatch(
      `it has ${model.projectionDim}-d label vectors, the model embeds in ${expected.projectionDim}-d`,
    );
  }
  if (expected.templates !== undefined && head.templates !== expected.templates) {
    throw mismatch(
      `it was made with prompt templates ${head.templates}, the current ones are ${expected.templates}`,
    );
  }
  if (expected.labelIds !== undefined) {
    const ids = expected.labelIds;
    const index = new Map(ids.map((id, j) => [id, j]));
    const missing = head.labels.filter((l) => !index.has(l.id)).map((l) => l.id);
    if (missing.length > 0) {
      throw mismatch(
        `it was made for other labels: ${preview(missing)} ${missing.length === 1 ? 'is' : 'are'} not in the current label set`,
      );
    }
    const texts = expected.labelTexts;
    if (texts !== undefined) {
      if (texts.length !== ids.length) {
        throw new MumicError(
          'InvalidArgument',
          `${texts.length} label texts for ${ids.length} labels`,
        );
      }
      for (const l of head.labels) {
        const current = texts[index.get(l.id) ?? 0];
        if (current !== l.text) {
          throw mismatch(
            `label "${l.id}" was adapted for the text "${l.text}", it now reads "${current}"`,
          );
        }
      }
    }
  }
  return head;
}

/** `parseHead` on an already parsed value (e.g. a head kept in IndexedDB). */
export function validateHead(value: unknown, expected: HeadExpectation): MumicHead {
  return checkHeadFits(validateHeadShape(value), expected);
}

/**
 * Reads a head file's text: InvalidHead when it is not JSON or not a well-formed head,
 * HeadMismatch when it was made for another model, dtype, dimension, template set or labels.
 */
export function parseHead(json: string, expected: HeadExpectation): MumicHead {
  let value: unknown;
  try {
    value = JSON.parse(json.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new MumicError('InvalidHead', `not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return validateHead(value, expected);
}

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
