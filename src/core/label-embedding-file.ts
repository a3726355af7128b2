/**
 * Precomputed label embeddings shipped next to a model:
 * `models/<id>/label-embeddings.<textDtype>.json` =
 *   { "format": "mumic-label-embeddings", "version": 1, "model": id, "dtype": textDtype,
 *     "templateKey": string, "templates": string[], "dim": number,
 *     "labels": [{ "id", "prompt" }],
 *     "embeddings": base64 of little-endian float32 [labels × dim], unit rows }
 * The app loads the rows into its store when model, text dtype, template key and prompt text all
 * match what it needs; anything else it encodes itself.
 */
import { MumicError, isRecord } from './errors.ts';
import { templateSetKey } from './prompts.ts';
import { DTYPES, type Dtype } from './types.ts';

export const LABEL_EMBEDDING_FORMAT = 'mumic-label-embeddings' as const;
export const LABEL_EMBEDDING_VERSION = 1 as const;

/** The file as JSON. */
export interface LabelEmbeddingFile {
  format: typeof LABEL_EMBEDDING_FORMAT;
  version: typeof LABEL_EMBEDDING_VERSION;
  model: string;
  dtype: Dtype;
  templateKey: string;
  templates: string[];
  dim: number;
  labels: { id: string; prompt: string }[];
  /** Base64 of little-endian float32 [labels × dim]. */
  embeddings: string;
}

/** The file once decoded: its fields, with the base64 replaced by the vectors. */
export type LabelEmbeddingTable = Omit<LabelEmbeddingFile, 'format' | 'version' | 'embeddings'> & {
  /** [labels × dim], row-major, unit rows. */
  vectors: Float32Array;
};

/** The file's name inside the model folder. */
export function labelEmbeddingFileName(textDtype: Dtype): string {
  return `label-embeddings.${textDtype}.json`;
}

const invalid = (reason: string): MumicError =>
  new MumicError('ModelFileInvalid', `label embeddings file: ${reason}`);

/** Decodes standard base64 (atob exists in browsers, workers and Node ≥ 16). */
export function base64ToBytes(text: string): Uint8Array {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw invalid('"embeddings" is not valid base64');
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

/** Little-endian float32 bytes, whatever the platform's byte order. */
export function float32FromLittleEndian(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % 4 !== 0) throw invalid('embedding bytes are not a multiple of 4');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

export function float32ToLittleEndian(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return out;
}

/** Float32 values as base64 of their little-endian bytes (the file's "embeddings"). */
export function encodeFloat32Base64(values: Float32Array): string {
  return bytesToBase64(float32ToLittleEndian(values));
}

export function decodeFloat32Base64(text: string): Float32Array {
  return float32FromLittleEndian(base64ToBytes(text));
}

/** Parses and validates the file (its JSON text or parsed value). Throws ModelFileInvalid. */
export function parseLabelEmbeddingFile(input: string | unknown): LabelEmbeddingTable {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (error) {
      throw invalid(`not valid JSON: ${(error as Error).message}`);
    }
  }
  if (!isRecord(value)) throw invalid('expected a JSON object');
  if (value['format'] !== LABEL_EMBEDDING_FORMAT) {
    throw invalid(`"format" must be "${LABEL_EMBEDDING_FORMAT}"`);
  }
  if (value['version'] !== LABEL_EMBEDDING_VERSION) {
    throw invalid(`unsupported version ${JSON.stringify(value['version'])}`);
  }
  const { model, dtype, templateKey, templates, dim, labels, embeddings } = value;
  if (typeof model !== 'string' || model === '') throw invalid('"model" must be a string');
  if (typeof dtype !== 'string' || !(DTYPES as readonly string[]).includes(dtype)) {
    throw invalid(`"dtype" must be one of ${DTYPES.join(', ')}`);
  }
  if (typeof templateKey !== 'string') throw invalid('"templateKey" must be a string');
  if (!Array.isArray(templates) || !templates.every((t) => typeof t === 'string')) {
    throw invalid('"templates" must be an array of strings');
  }
  let key: string;
  try {
    key = templateSetKey(templates as string[]);
  } catch (error) {
    throw invalid(`"templates": ${(error as Error).message}`);
  }
  if (key !== templateKey) throw invalid('"templateKey" does not match "templates"');
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim <= 0) {
    throw invalid('"dim" must be a positive integer');
  }
  if (!Array.isArray(labels)) throw invalid('"labels" must be an array');
  const rows = labels.map((l: unknown, i) => {
    if (!isRecord(l) || typeof l['id'] !== 'string' || typeof l['prompt'] !== 'string') {
      throw invalid(`labels[${i}] must be { "id": string, "prompt": string }`);
    }
    return { id: l['id'], prompt: l['prompt'] };
  });
  if (typeof embeddings !== 'string') throw invalid('"embeddings" must be a base64 string');
  const vectors = decodeFloat32Base64(embeddings);
  if (vectors.length !== rows.length * dim) {
    throw invalid(`${vectors.length} values for ${rows.length} labels of dimension ${dim}`);
  }
  for (let r = 0; r < rows.length; r++) {
    let sq = 0;
    for (let k = 0; k < dim; k++) sq += (vectors[r * dim + k] ?? Number.NaN) ** 2;
    if (!(Math.abs(Math.sqrt(sq) - 1) < 1e-3)) {
      throw invalid(`row ${r} ("${rows[r]?.prompt}") is not a unit vector`);
    }
  }
  return {
    model,
    dtype: dtype as Dtype,
    templateKey,
    templates: templates as string[],
    dim,
    labels: rows,
    vectors,
  };
}

/** Why the table cannot serve this model/dtype/template set, or undefined when it can. */
export function labelEmbeddingMismatch(
  table: LabelEmbeddingTable,
  want: { model: string; dtype: Dtype; templateKey: string; dim: number },
): string | undefined {
  if (table.model !== want.model) return `made for model "${table.model}", not "${want.model}"`;
  if (table.dtype !== want.dtype) return `made with text dtype ${table.dtype}, not ${want.dtype}`;
  if (table.templateKey !== want.templateKey) return 'made with another template set';
  if (table.dim !== want.dim) return `dimension ${table.dim}, the model has ${want.dim}`;
  return undefined;
}

/** Serialises a table as the file format (for the build step that precomputes the defaults). */
export function formatLabelEmbeddingFile(table: LabelEmbeddingTable): string {
  const file: LabelEmbeddingFile = {
    format: LABEL_EMBEDDING_FORMAT,
    version: LABEL_EMBEDDING_VERSION,
    model: table.model,
    dtype: table.dtype,
    templateKey: table.templateKey,
    templates: table.templates,
    dim: table.dim,
    labels: table.labels.map(({ id, prompt }) => ({ id, prompt })),
    embeddings: encodeFloat32Base64(table.vectors),
  };
  return `${JSON.stringify(file)}\n`;
}
