import { MumicError } from './errors.ts';
import {
  calibrationFromLogits,
  familyOfConfig,
  type Calibration,
  type FamilyId,
} from './families/index.ts';
import { MODEL_NOTES_FILE, parseModelNotes, type ModelNotes } from './model-notes.ts';
import { isRecord } from './families/family.ts';
import { onnxPath } from './model-files.ts';
import { checkJsonBytes, checkModelLimits } from './model-limits.ts';
import { parseImageProcessorConfig, type ImageProcessorConfig } from './preprocess-config.ts';
import { parseTokenizerConfig, type TokenizerConfig } from './tokenize.ts';
import { DTYPES, type Dtype, type ModelSource, type Tower } from './types.ts';

/** What the rest of the app needs to know about a model folder (HF / transformers.js layout). */
export interface ModelInfo {
  /** From the caller, else config.json `_name_or_path` (e.g. "openai/clip-vit-base-patch32"). */
  id?: string;
  /** The model family (config.json `model_type`); its description: core/families. */
  family: FamilyId;
  /** Length of an embedding (CLIP projection_dim, SigLIP hidden size). */
  projectionDim: number;
  /** The square input side of the vision tower. */
  imageSize: number;
  /** Token positions of the text tower; every text is padded to it. */
  contextLength: number;
  /** The tempered sigmoid's defaults for this model and where they came from. */
  calibration: Calibration;
  processor: ImageProcessorConfig;
  tokenizer: { json: unknown; config: TokenizerConfig };
  /** Weight files present per tower, in DTYPES order. */
  dtypes: { vision: Dtype[]; text: Dtype[] };
  /** Per backend and tower, the dtypes this model should load, best first (mumic-model.json). */
  dtypeOrder?: ModelNotes['dtypes'];
  /** One line on what the model is for (mumic-model.json). */
  purpose?: string;
}

export interface LoadModelFolderOptions {
  id?: string;
  /** Per-file read progress (tokenizer.json is MBs; worth showing over a network). */
  onProgress?: (file: string, loaded: number, total: number | undefined) => void;
}

const TOWERS: readonly Tower[] = ['vision', 'text'];

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export async function loadModelFolder(
  source: ModelSource,
  opts: LoadModelFolderOptions = {},
): Promise<ModelInfo> {
  const where = source.location;
  const invalid = (file: string, what: string): MumicError =>
    new MumicError('ModelFileInvalid', `${file} in ${where}: ${what}`);

  /** `bounded`: a size past the file's bound is refused as soon as the source reports it. */
  const readBytes = async (file: string, bounded = false): Promise<Uint8Array> => {
    const told = (loaded: number, total: number | undefined) => {
      if (bounded) checkJsonBytes(file, Math.max(loaded, total ?? 0), invalid);
      opts.onProgress?.(file, loaded, total);
    };
    try {
      return await source.read(file, bounded || opts.onProgress ? told : undefined);
    } catch (cause) {
      throw rewrapRead(cause, file, where);
    }
  };

  const readJson = async (file: string): Promise<unknown> => {
    const bytes = await readBytes(file, true);
    // A source that does not report sizes: checked before parsing.
    checkJsonBytes(file, bytes.byteLength, invalid);
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
  if (!isRecord(configJson)) throw invalid('config.json', 'expected a JSON object');
  const family = familyOfConfig(configJson);
  const sizes = family.readSizes(configJson, (what) => invalid('config.json', what));

  let processor: ImageProcessorConfig;
  let tokenizerConfig: TokenizerConfig;
  try {
    processor = parseImageProcessorConfig(
      processorJson,
      'preprocessor_config.json',
      family.imageProcessorType,
    );
    tokenizerConfig = parseTokenizerConfig(tokenizerConfigJson, 'tokenizer_config.json');
    // As AutoTokenizer does: the class named in the file, else the model type's.
    tokenizerConfig = {
      ...tokenizerConfig,
      tokenizer_class: tokenizerConfig['tokenizer_class'] ?? family.tokenizer.classes[0],
    };
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

  const notes = (await hasFile(MODEL_NOTES_FILE))
    ? parseModelNotes(await readJson(MODEL_NOTES_FILE), `${MODEL_NOTES_FILE} in ${where}`)
    : {};
  const calibration = notes.calibration
    ? calibrationFromLogits(
        notes.calibration.logitScale,
        notes.calibration.logitBias,
        notes.calibration.source,
      )
    : await family.calibrate({ exists: hasFile, read: readBytes, readJson }, invalid);

  const info: ModelInfo = {
    family: family.id,
    ...sizes,
    calibration,
    processor,
    tokenizer: { json: tokenizerJson, config: tokenizerConfig },
    dtypes: { vision: vision ?? [], text: text ?? [] },
  };
  if (notes.dtypes) info.dtypeOrder = notes.dtypes;
  if (notes.purpose !== undefined) info.purpose = notes.purpose;
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
  // BPE and WordPiece map pieces to ids; Unigram (SentencePiece, SigLIP) lists [piece, score].
  if (!isRecord(model['vocab']) && !Array.isArray(model['vocab'])) {
    throw invalid('model.vocab must be an object or an array');
  }
  if (!Array.isArray(json['added_tokens'])) throw invalid('added_tokens must be an array');
}

function nameOrPath(json: unknown): string | undefined {
  const v = isRecord(json) ? json['_name_or_path'] : undefined;
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}
