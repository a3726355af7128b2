import { MumicError } from './errors.ts';
import { onnxPath } from './model-files.ts';
import { checkModelLimits } from './model-limits.ts';
import { parseImageProcessorConfig, type ImageProcessorConfig } from './preprocess-config.ts';
import { parseTokenizerConfig, type TokenizerConfig } from './tokenize.ts';
import { DTYPES, type Dtype, type ModelSource, type Tower } from './types.ts';

/** What the rest of the app needs to know about a CLIP model folder (HF / transformers.js layout). */
export interface ModelInfo {
  /** From the caller, else config.json `_name_or_path` (e.g. "openai/clip-vit-base-patch32"). */
  id?: string;
  projectionDim: number;
  /** The square input side of the vision tower. */
  imageSize: number;
  /** Token positions of the text tower; every text is padded to it. */
  contextLength: number;
  processor: ImageProcessorConfig;
  tokenizer: { json: unknown; config: TokenizerConfig };
  /** Weight files present per tower, in DTYPES order. */
  dtypes: { vision: Dtype[]; text: Dtype[] };
}

export interface LoadModelFolderOptions {
  id?: string;
  /** Per-file read progress (tokenizer.json is MBs; worth showing over a network). */
  onProgress?: (file: string, loaded: number, total: number | undefined) => void;
}

/**
 * transformers' CLIPConfig / CLIPVisionConfig / CLIPTextConfig class defaults. Hugging Face
 * writes config.json as a diff against these (`use_diff`), so a real CLIP config may omit a key
 * that still has this value; transformers itself reads the omission as the default, and so do we.
 * They apply only to `model_type: "clip"`: any other model must state its sizes.
 */
const CLIP_DEFAULTS = {
  projection_dim: 512,
  'vision_config.image_size': 224,
  'text_config.max_position_embeddings': 77,
} as const;

const TOWERS: readonly Tower[] = ['vision', 'text'];

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export async function loadModelFolder(
  source: ModelSource,
  opts: LoadModelFolderOptions = {},
): Promise<ModelInfo> {
  const where = source.location;
  const invalid = (file: string, what: string): MumicError =>
    new MumicError('ModelFileInvalid', `${file} in ${where}: ${what}`);

  const readJson = async (file: string): Promise<unknown> => {
    let bytes: Uint8Array;
    try {
      bytes = await source.read(
        file,
        opts.onProgress && ((loaded, total) => opts.onProgress?.(file, loaded, total)),
      );
    } catch (cause) {
      throw rewrapRead(cause, file, where);
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw invalid(file, 'not UTF-8 text');
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (cause) {
      throw invalid(file, `not valid JSON (${message(cause)})`);
    }
  };

  const hasFile = async (file: string): Promise<boolean> => {
    try {
      return await source.exists(file);
    } catch (cause) {
      throw rewrapRead(cause, file, where);
    }
  };

  const detectDtypes = async (tower: Tower): Promise<Dtype[]> => {
    const present = await Promise.all(DTYPES.map((d) => hasFile(onnxPath(tower, d))));
    return DTYPES.filter((_, i) => present[i]);
  };

  // All requests in flight at once (latency matters over fetch); failures reported in a fixed
  // order so the same broken folder always gives the same message.
  const files = [
    'config.json',
    'preprocessor_config.json',
    'tokenizer_config.json',
    'tokenizer.json',
  ];
  const [jsonResults, dtypeResults] = await Promise.all([
    Promise.allSettled(files.map(readJson)),
    Promise.allSettled(TOWERS.map(detectDtypes)),
  ]);
  const jsons = jsonResults.map((r) => {
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  });
  const [configJson, processorJson, tokenizerConfigJson, tokenizerJson] = jsons;

  // Bounded sizes and no backtracking tokenizer patterns (hostile folders, issue 10).
  const limits = { config: configJson, processor: processorJson, tokenizer: tokenizerJson };
  checkModelLimits(limits, invalid);
  const sizes = readSizes(configJson, (what) => invalid('config.json', what));

  let processor: ImageProcessorConfig;
  let tokenizerConfig: TokenizerConfig;
  try {
    processor = parseImageProcessorConfig(processorJson, 'preprocessor_config.json');
    tokenizerConfig = parseTokenizerConfig(tokenizerConfigJson, 'tokenizer_config.json');
  } catch (cause) {
    // The parsers name the file; add the folder, as every other message here does.
    throw new MumicError('ModelFileInvalid', `${message(cause)} (in ${where})`, { cause });
  }
  checkTokenizerJson(tokenizerJson, (what) => invalid('tokenizer.json', what));
  checkPixelSize(processor, sizes.imageSize, (what) => invalid('preprocessor_config.json', what));

  const [vision, text] = dtypeResults.map((r, i) => {
    if (r.status === 'rejected') throw r.reason;
    if (r.value.length === 0) {
      throw new MumicError(
        'ModelFileMissing',
        `onnx/${TOWERS[i] ?? ''}_model*.onnx is missing from ${where}: no ${TOWERS[i] ?? ''} tower weights in any dtype`,
      );
    }
    return r.value;
  });

  const info: ModelInfo = {
    ...sizes,
    processor,
    tokenizer: { json: tokenizerJson, config: tokenizerConfig },
    dtypes: { vision: vision ?? [], text: text ?? [] },
  };
  const id = opts.id ?? nameOrPath(configJson);
  if (id !== undefined) info.id = id;
  return info;
}

/** Every read failure names the file and the folder; a missing file is ModelFileMissing. */
function rewrapRead(cause: unknown, file: string, where: string): MumicError {
  const name = (cause as { name?: unknown } | null)?.name;
  if (name === 'ModelFileMissing') {
    return new MumicError('ModelFileMissing', `${file} is missing from ${where}`, { cause });
  }
  if (cause instanceof MumicError) return cause; // e.g. Cancelled: keep its name
  return new MumicError(
    'ModelLoadFailed',
    `could not read ${file} from ${where}: ${message(cause)}`,
    {
      cause,
    },
  );
}

function readSizes(
  json: unknown,
  invalid: (what: string) => MumicError,
): Pick<ModelInfo, 'projectionDim' | 'imageSize' | 'contextLength'> {
  if (!isRecord(json)) throw invalid('expected a JSON object');
  const isClip = json['model_type'] === 'clip';

  // Old transformers versions wrote `*_config_dict` beside (or instead of) `*_config`.
  const sub = (key: 'vision_config' | 'text_config'): Record<string, unknown> => {
    const v = json[key] ?? json[`${key}_dict`];
    if (v === undefined || v === null) return {};
    if (!isRecord(v)) throw invalid(`${key} must be an object`);
    return v;
  };

  const size = (
    obj: Record<string, unknown>,
    key: string,
    path: keyof typeof CLIP_DEFAULTS,
  ): number => {
    const v = obj[key];
    if (v === undefined || v === null) {
      if (isClip) return CLIP_DEFAULTS[path];
      throw invalid(
        `missing ${path} (model_type ${JSON.stringify(json['model_type'] ?? null)} has no standard default; only "clip" does)`,
      );
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
      throw invalid(`${path} must be a positive integer, got ${JSON.stringify(v)}`);
    }
    return v;
  };

  return {
    projectionDim: size(json, 'projection_dim', 'projection_dim'),
    imageSize: size(sub('vision_config'), 'image_size', 'vision_config.image_size'),
    contextLength: size(
      sub('text_config'),
      'max_position_embeddings',
      'text_config.max_position_embeddings',
    ),
  };
}

/**
 * The vision tower's position embeddings fix its input side, so a processor producing another size
 * would fail deep inside the runtime; say which files disagree instead. Without a crop or a fixed
 * resize the output size depends on the photo, and there is nothing to check.
 */
function checkPixelSize(
  p: ImageProcessorConfig,
  imageSize: number,
  invalid: (what: string) => MumicError,
): void {
  const out = p.doCenterCrop
    ? { height: p.cropHeight, width: p.cropWidth }
    : p.doResize
      ? p.resizeTo
      : null;
  if (out && (out.height !== imageSize || out.width !== imageSize)) {
    throw invalid(
      `produces ${out.width}x${out.height} images, but config.json vision_config.image_size is ${imageSize}`,
    );
  }
}

/** Enough shape to fail here, with the file named, rather than deep inside the tokenizer library. */
function checkTokenizerJson(json: unknown, invalid: (what: string) => MumicError): void {
  if (!isRecord(json)) throw invalid('expected a JSON object');
  const model = json['model'];
  if (!isRecord(model)) throw invalid('missing the "model" object');
  if (!isRecord(model['vocab'])) throw invalid('model.vocab must be an object');
  if (!Array.isArray(json['added_tokens'])) throw invalid('added_tokens must be an array');
}

function nameOrPath(json: unknown): string | undefined {
  const v = isRecord(json) ? json['_name_or_path'] : undefined;
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}
