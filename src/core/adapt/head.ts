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
import { DTYPES, type Dtype } from '../types.ts';
import type { AdaptEvaluation } from './evaluate.ts';
import type { AdaptResult } from './train.ts';

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

import { checkHeadFits } from './head-check.ts';

export { checkHeadFits };
export { applyAdapted, applyHead, type AdaptedParams, type AppliedHead } from './head-apply.ts';
