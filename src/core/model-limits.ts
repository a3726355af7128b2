/**
 * Bounds on what a model folder may ask for (issue 10, item 5). A hostile or mistaken folder must
 * be refused when it is installed or opened, naming the file and field, not fail later as a bare
 * RangeError or hang the worker: sizes in config.json and preprocessor_config.json are bounded,
 * and tokenizer.json's regular expressions are screened for shapes that backtrack exponentially
 * (the timed probe of tokenizer-probe.ts catches what this static screen cannot see).
 *
 * Every bound is far above any CLIP-family model published (ViT-bigG: hidden 1664, 48 layers;
 * SigLIP so400m: 1152 wide, 384 px; Jina CLIP v2: 8192 positions; Gemma-sized vocabularies:
 * 256k), so a real model never meets one.
 */
import { tokenizerPatterns, regexProblem } from './regex-screen.ts';

export const MODEL_LIMITS = {
  /** Square input side of the vision tower: 3 x 2048^2 floats is 50 MB per photo. */
  imageSize: 2048,
  /** Any resize or crop side in preprocessor_config.json. */
  preprocessSide: 4096,
  /** Embedding width (projection_dim) and each tower's hidden size. */
  width: 16_384,
  intermediateSize: 65_536,
  layers: 256,
  heads: 256,
  /** Token positions: every label is padded to it. */
  positions: 8192,
  /** Tokens in the vocabulary (config.json vocab_size and tokenizer.json's model.vocab). */
  vocab: 1 << 20,
} as const;

/**
 * Bytes of a model folder's JSON files, checked before a file is read whole and parsed
 * (JSON.parse holds several times a file's size). Published tokenizer.json files reach ~35 MB
 * (vocabularies of 256k tokens with their merges); tokenizer_config.json lists added tokens and
 * can reach MBs; every other JSON file of a folder (config.json, preprocessor_config.json,
 * mumic-model.json) is a few kB.
 */
export const JSON_BYTE_LIMITS: Readonly<Record<string, number>> = {
  'tokenizer.json': 64 * 2 ** 20,
  'tokenizer_config.json': 16 * 2 ** 20,
  'special_tokens_map.json': 16 * 2 ** 20,
};
/** Any other JSON file read from a model folder. */
export const JSON_BYTE_LIMIT_OTHER = 2 ** 20;

const jsonByteLimit = (file: string): number =>
  JSON_BYTE_LIMITS[file.slice(file.lastIndexOf('/') + 1)] ?? JSON_BYTE_LIMIT_OTHER;

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 2 : 1)} MiB`;

type Invalid = (file: string, what: string) => Error;

/** Throws (through `invalid`) when a JSON file of `bytes` is past its bound. */
export function checkJsonBytes(file: string, bytes: number, invalid: Invalid): void {
  const limit = jsonByteLimit(file);
  if (bytes > limit) {
    throw invalid(
      file,
      `${bytes} bytes (${mib(bytes)}); a model's ${file} of at most ${limit} bytes (${mib(limit)}) is read`,
    );
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Numbers only: a missing or mistyped value is the shape checks' to report. */
function bound(
  obj: Record<string, unknown>,
  key: string,
  path: string,
  max: number,
  file: string,
  invalid: Invalid,
): void {
  const v = obj[key];
  if (typeof v === 'number' && v > max) {
    throw invalid(file, `${path} is ${v}; at most ${max} is accepted`);
  }
}

function checkConfig(json: unknown, invalid: Invalid): void {
  if (!isRecord(json)) return;
  const file = 'config.json';
  bound(json, 'projection_dim', 'projection_dim', MODEL_LIMITS.width, file, invalid);
  for (const tower of ['vision_config', 'text_config'] as const) {
    const key = isRecord(json[tower]) ? tower : `${tower}_dict`;
    const sub = json[key];
    if (!isRecord(sub)) continue;
    const at = (k: string, max: number): void => bound(sub, k, `${key}.${k}`, max, file, invalid);
    at('hidden_size', MODEL_LIMITS.width);
    at('projection_dim', MODEL_LIMITS.width);
    at('intermediate_size', MODEL_LIMITS.intermediateSize);
    at('num_hidden_layers', MODEL_LIMITS.layers);
    at('num_attention_heads', MODEL_LIMITS.heads);
    if (tower === 'vision_config') {
      at('image_size', MODEL_LIMITS.imageSize);
      at('patch_size', MODEL_LIMITS.imageSize);
    } else {
      at('max_position_embeddings', MODEL_LIMITS.positions);
      at('vocab_size', MODEL_LIMITS.vocab);
    }
  }
}

function checkProcessor(json: unknown, invalid: Invalid): void {
  if (!isRecord(json)) return;
  const file = 'preprocessor_config.json';
  for (const key of ['size', 'crop_size']) {
    const v = json[key];
    if (typeof v === 'number') bound(json, key, key, MODEL_LIMITS.preprocessSide, file, invalid);
    if (!isRecord(v)) continue;
    for (const side of Object.keys(v)) {
      bound(v, side, `${key}.${side}`, MODEL_LIMITS.preprocessSide, file, invalid);
    }
  }
}

function checkTokenizer(json: unknown, invalid: Invalid): void {
  if (!isRecord(json)) return;
  const file = 'tokenizer.json';
  const model = json['model'];
  const vocab = isRecord(model) ? model['vocab'] : undefined;
  // BPE and WordPiece keep an object, Unigram a list of [piece, score].
  const size = Array.isArray(vocab)
    ? vocab.length
    : isRecord(vocab)
      ? Object.keys(vocab).length
      : 0;
  if (size > MODEL_LIMITS.vocab) {
    throw invalid(
      file,
      `model.vocab has ${size} tokens; at most ${MODEL_LIMITS.vocab} is accepted`,
    );
  }
  for (const { path, regex } of tokenizerPatterns(json)) {
    const problem = regexProblem(regex);
    if (problem) throw invalid(file, `${path} ${JSON.stringify(regex)} ${problem}`);
  }
}

/**
 * Throws (through `invalid`, which names the file) when a model folder's JSON asks for more than
 * MODEL_LIMITS or holds a tokenizer pattern that backtracks. Cheap: run on every open.
 */
export function checkModelLimits(
  files: { config: unknown; processor: unknown; tokenizer: unknown },
  invalid: Invalid,
): void {
  checkConfig(files.config, invalid);
  checkProcessor(files.processor, invalid);
  checkTokenizer(files.tokenizer, invalid);
}
