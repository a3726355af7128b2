/**
 * A model folder chosen from disk in the app (docs/MODELS.md "Choose a model folder in the app"):
 * which of the chosen files belong to the model, where the model sits inside the chosen folder,
 * the id it is stored under, and a cheap check that an ONNX file is not cut short.
 */
import { MumicError } from './errors.ts';

/** The JSON files every model folder has (the Hugging Face / transformers.js layout). */
export const MODEL_JSON_FILES = [
  'config.json',
  'preprocessor_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
] as const;

/**
 * Read when present: mumic-model.json (a catalogue entry's calibration and dtypes). A combined
 * onnx/model.onnx is not taken (hundreds of MB kept for two numbers): a SigLIP folder chosen here
 * needs the notes file, and says so when it lacks it.
 */
const OPTIONAL_JSON_FILES = ['mumic-model.json'];
const ONNX_FILE = /^onnx\/(vision|text)_model(_fp16|_quantized|_q4|_q4f16)?\.onnx$/;

const isJsonFile = (name: string): boolean =>
  (MODEL_JSON_FILES as readonly string[]).includes(name) || OPTIONAL_JSON_FILES.includes(name);

/** Whether `path` (inside the model folder) is a file the app reads. */
export function isModelFile(path: string): boolean {
  return isJsonFile(path) || ONNX_FILE.test(path);
}

/**
 * Whether a chosen file (its path relative to the chosen folder, any depth) may be a model file:
 * the page sends only these to the worker, not the photos or notes beside them.
 */
export function mayBeModelFile(relativePath: string): boolean {
  const parts = relativePath.split('/');
  const name = parts.at(-1) ?? '';
  if (isJsonFile(name)) return true;
  return parts.length >= 2 && ONNX_FILE.test(`${parts.at(-2) ?? ''}/${name}`);
}

export interface ResolvedFolder {
  /** The model folder's own name (the last folder above config.json), for the id. */
  folderName: string;
  /** Model file path (e.g. `onnx/vision_model.onnx`) → the chosen file's relative path. */
  files: Map<string, string>;
}

/**
 * Finds the model inside a chosen folder: the shallowest `config.json` marks it, so the chosen
 * folder may be the model folder itself (`clip/config.json`) or hold it deeper
 * (`downloads/clip/config.json`). `rootName` names a folder whose files carry no folder prefix.
 */
export function resolveModelFolder(
  relativePaths: readonly string[],
  rootName = '',
): ResolvedFolder {
  let prefix: string | undefined;
  for (const path of relativePaths) {
    if (path !== 'config.json' && !path.endsWith('/config.json')) continue;
    const candidate = path.slice(0, path.length - 'config.json'.length);
    if (prefix === undefined || depth(candidate) < depth(prefix)) prefix = candidate;
  }
  if (prefix === undefined) {
    throw new MumicError(
      'ModelFileMissing',
      'config.json is missing: choose the folder that holds config.json, preprocessor_config.json, tokenizer.json, tokenizer_config.json and onnx/',
    );
  }
  const files = new Map<string, string>();
  for (const path of relativePaths) {
    if (!path.startsWith(prefix)) continue;
    const inside = path.slice(prefix.length);
    if (isModelFile(inside)) files.set(inside, path);
  }
  const folderName = prefix.split('/').filter(Boolean).at(-1) ?? rootName;
  return { folderName, files };
}

const depth = (prefix: string): number => prefix.split('/').length;

/** A URL- and path-safe id from a folder name: lower case, `[a-z0-9._-]`, at most 64 characters. */
export function sanitizeModelId(name: string): string {
  const id = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // accents, split off by NFKD
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 64)
    .replace(/[-.]+$/, '');
  return id === '' ? 'local-model' : id;
}

/** `base`, or `base-2`, `base-3`, … when it is taken (by a model the server has). */
export function uniqueModelId(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const id = `${base}-${n}`;
    if (!taken.has(id)) return id;
  }
}

/** Reads `length` bytes at `offset` (fewer at the end of the file). */
export type ReadSlice = (offset: number, length: number) => Promise<Uint8Array>;

/**
 * Why an ONNX file is not a whole protobuf message, or undefined when its top-level fields fit
 * the file exactly. A truncated file (the usual damage of a failed copy) has a field, typically
 * the graph, that runs past the end. Only a few bytes per top-level field are read, so a file of
 * hundreds of MB costs almost nothing; the content itself is checked by opening it.
 */
export async function onnxFramingProblem(
  size: number,
  read: ReadSlice,
): Promise<string | undefined> {
  if (size === 0) return 'the file is empty';
  let offset = 0;
  let fields = 0;
  while (offset < size) {
    const head = await read(offset, 20);
    // A number that does not end before the file does: cut inside a field's header.
    const cut = `truncated: the field at byte ${offset} runs past the end of the file (${size} bytes)`;
    const atEnd = offset + head.length >= size;
    const key = varint(head, 0);
    if (!key) return atEnd ? cut : `not an ONNX model (unreadable field header at byte ${offset})`;
    const wire = key.value % 8;
    const field = Math.floor(key.value / 8);
    if (field === 0) return `not an ONNX model (field 0 at byte ${offset})`;
    let next: number;
    if (wire === 0) {
      const value = varint(head, key.length);
      if (!value) return atEnd ? cut : `not an ONNX model (unreadable number at byte ${offset})`;
      next = offset + key.length + value.length;
    } else if (wire === 1) {
      next = offset + key.length + 8;
    } else if (wire === 2) {
      const length = varint(head, key.length);
      if (!length) return atEnd ? cut : `not an ONNX model (unreadable length at byte ${offset})`;
      next = offset + key.length + length.length + length.value;
    } else if (wire === 5) {
      next = offset + key.length + 4;
    } else {
      return `not an ONNX model (wire type ${wire} at byte ${offset})`;
    }
    if (next > size) {
      return `truncated: field ${field} at byte ${offset} needs ${next} bytes, the file has ${size}`;
    }
    offset = next;
    fields++;
  }
  return fields > 0 ? undefined : 'not an ONNX model';
}

/** A protobuf varint at `at` (up to 2^53), or undefined when it does not end within `bytes`. */
function varint(bytes: Uint8Array, at: number): { value: number; length: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = at; i < bytes.length && i < at + 8; i++) {
    const byte = bytes[i] ?? 0;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return { value, length: i - at + 1 };
    scale *= 128;
  }
  return undefined;
}
