/**
 * What differs between dual-encoder families (CLIP, SigLIP, …): one description per family, so a
 * new family is a new file here rather than edits across the tree. Selected by config.json's
 * `model_type` (see index.ts).
 */
import type { MumicError } from '../errors.ts';
import type { SigmoidParams } from '../score.ts';

export type FamilyId = 'clip' | 'siglip';

/** How a family's tokenizer wraps, truncates and pads (transformers' tokenizer class semantics). */
export interface TokenizerScheme {
  /** tokenizer_config.json `tokenizer_class` values that mean this scheme. */
  readonly classes: readonly string[];
  /** Special tokens used when tokenizer_config.json omits them (the class's own defaults). */
  readonly defaults: {
    readonly bos_token?: string;
    readonly eos_token: string;
    readonly pad_token: string;
  };
  /** A bos token starts every text (CLIP); SigLIP has none. */
  readonly addBos: boolean;
  /**
   * Text rewriting the tokenizer class does in code before tokenizing (tokenizer.json may not):
   * CLIP unescapes HTML; SigLIP lower-cases, strips punctuation and collapses whitespace.
   */
  readonly clean: (text: string) => string;
}

/** The graph names a family's ONNX tower takes and returns. */
export interface TowerIo {
  readonly input: string;
  /** The output read as the (unnormalised) embedding. */
  readonly output: string;
}

export interface ModelSizes {
  /** Length of an embedding (CLIP projection_dim; SigLIP hidden size). */
  projectionDim: number;
  /** The square input side of the vision tower. */
  imageSize: number;
  /** Token positions of the text tower; every text is padded to it. */
  contextLength: number;
}

/** The tempered sigmoid's defaults for a model, and where they came from. */
export interface Calibration extends SigmoidParams {
  /** e.g. "onnx/model.onnx initializers logit_scale, logit_bias", or "mumic default for CLIP". */
  readonly source: string;
  /** The model's own raw logit_scale (before exp) and logit_bias, when it has them. */
  readonly logitScale?: number;
  readonly logitBias?: number;
}

/** Just enough of a model folder for a family to find its calibration. */
export interface FolderAccess {
  exists(path: string): Promise<boolean>;
  read(path: string): Promise<Uint8Array>;
  readJson(path: string): Promise<unknown>;
}

export interface ModelFamily {
  readonly id: FamilyId;
  /** Shown to people, e.g. "SigLIP". */
  readonly name: string;
  /** config.json `model_type` values of this family. */
  readonly modelTypes: readonly string[];
  /** The image processor assumed when preprocessor_config.json names none. */
  readonly imageProcessorType: string;
  readonly tokenizer: TokenizerScheme;
  /** Fed only when the text graph declares it and the family pools with it (CLIP). */
  readonly attentionMask: boolean;
  readonly towers: { readonly vision: TowerIo; readonly text: TowerIo };
  /** Sizes from config.json, with the family's config-class defaults for omitted keys. */
  readSizes(config: Record<string, unknown>, invalid: (what: string) => MumicError): ModelSizes;
  /** Scoring defaults: fixed for CLIP, the model's own logit scale and bias for SigLIP. */
  calibrate(
    folder: FolderAccess,
    invalid: (file: string, what: string) => MumicError,
  ): Promise<Calibration>;
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A sub-config of config.json; old transformers wrote `*_config_dict` beside or instead of it. */
export function subConfig(
  json: Record<string, unknown>,
  key: 'vision_config' | 'text_config',
  invalid: (what: string) => MumicError,
): Record<string, unknown> {
  const v = json[key] ?? json[`${key}_dict`];
  if (v === undefined || v === null) return {};
  if (!isRecord(v)) throw invalid(`${key} must be an object`);
  return v;
}

/** A positive integer size at `path`, or `fallback` (the config class default) when omitted. */
export function sizeAt(
  obj: Record<string, unknown>,
  key: string,
  path: string,
  fallback: number,
  invalid: (what: string) => MumicError,
): number {
  const v = obj[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw invalid(`${path} must be a positive integer, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** The tempered sigmoid equal to sigmoid(cos * exp(logitScale) + logitBias). */
export function calibrationFromLogits(
  logitScale: number,
  logitBias: number,
  source: string,
): Calibration {
  const scale = Math.exp(logitScale);
  return { temperature: 1 / scale, bias: -logitBias / scale, source, logitScale, logitBias };
}
