import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { MumicError } from '../../core/errors.ts';
import { decodeNpy, encodeNpy } from '../../core/library/npy.ts';
import type { EmbeddingMatrix } from '../../core/library/matrix.ts';
import type { LoadedModel } from '../load-model.ts';

/**
 * A library folder (`mumic index --index LIB`):
 *   embeddings.npy  float32 [n, dim], unit rows, row i = photos.jsonl line i
 *   photos.jsonl    {"file", "sha256", "size", "mtime"} per row (absolute path; mtime in ms)
 *   model.json      {"model", "dtype", "dim", "config_sha256"}: what made the embeddings
 */
export interface PhotoRecord {
  file: string;
  sha256: string;
  size: number;
  mtime: number;
}

export interface LibraryModel {
  model: string;
  dtype: string;
  dim: number;
  /** SHA-256 of the model's config.json: two folders of the same name are told apart. */
  config_sha256: string;
}

export interface Library {
  dir: string;
  model: LibraryModel;
  photos: PhotoRecord[];
  matrix: EmbeddingMatrix;
}

const EMBEDDINGS = 'embeddings.npy';
const PHOTOS = 'photos.jsonl';
const MODEL = 'model.json';

const invalid = (dir: string, why: string, cause?: unknown) =>
  new MumicError('InvalidIndex', `${dir}: ${why}`, { cause });

/** The library in `dir`, or undefined when the folder holds none yet (no model.json). */
export async function readLibrary(dir: string): Promise<Library | undefined> {
  const text = await readFile(join(dir, MODEL), 'utf8').catch((cause: NodeJS.ErrnoException) => {
    if (cause.code === 'ENOENT') return undefined;
    throw invalid(dir, `cannot read ${MODEL}: ${cause.message}`, cause);
  });
  if (text === undefined) return undefined;
  const model = parseModel(dir, text);
  let photos: PhotoRecord[];
  let npy: Uint8Array;
  try {
    photos = (await readFile(join(dir, PHOTOS), 'utf8'))
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => parsePhoto(dir, line));
    npy = await readFile(join(dir, EMBEDDINGS));
  } catch (cause) {
    if (cause instanceof MumicError) throw cause;
    throw invalid(dir, (cause as Error).message, cause);
  }
  const { rows, cols, data } = decodeNpy(npy, join(dir, EMBEDDINGS));
  if (cols !== model.dim)
    throw invalid(dir, `${EMBEDDINGS} has ${cols} columns, model.json says ${model.dim}`);
  if (rows !== photos.length)
    throw invalid(dir, `${EMBEDDINGS} has ${rows} rows, ${PHOTOS} ${photos.length} lines`);
  return { dir, model, photos, matrix: { n: rows, dim: cols, data } };
}

/** readLibrary for commands that need one: a missing library is an error. */
export async function requireLibrary(dir: string | undefined): Promise<Library> {
  if (!dir) throw new MumicError('InvalidArgument', '--index LIB is required');
  const library = await readLibrary(dir);
  if (!library) throw invalid(dir, `no library here (no ${MODEL}); make one with "mumic index"`);
  return library;
}

function parseModel(dir: string, text: string): LibraryModel {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw invalid(dir, `${MODEL} is not JSON`, cause);
  }
  const m = value as Partial<LibraryModel> | null;
  if (
    typeof m?.model !== 'string' ||
    typeof m.dtype !== 'string' ||
    !Number.isInteger(m.dim) ||
    typeof m.config_sha256 !== 'string'
  ) {
    throw invalid(dir, `${MODEL} lacks model, dtype, dim or config_sha256`);
  }
  return { model: m.model, dtype: m.dtype, dim: m.dim ?? 0, config_sha256: m.config_sha256 };
}

function parsePhoto(dir: string, line: string): PhotoRecord {
  let p: Partial<PhotoRecord> | null;
  try {
    p = JSON.parse(line) as Partial<PhotoRecord> | null;
  } catch (cause) {
    throw invalid(dir, `a line of ${PHOTOS} is not JSON`, cause);
  }
  if (
    typeof p?.file !== 'string' ||
    typeof p.sha256 !== 'string' ||
    typeof p.size !== 'number' ||
    typeof p.mtime !== 'number'
  ) {
    throw invalid(dir, `a line of ${PHOTOS} lacks file, sha256, size or mtime`);
  }
  return { file: p.file, sha256: p.sha256, size: p.size, mtime: p.mtime };
}

/**
 * Writes the three files, each to a temporary name then renamed over the old one, so a crash
 * leaves whole files (readLibrary refuses a mix of old and new by their row counts).
 */
export async function writeLibrary(library: Library): Promise<void> {
  const { dir, model, photos, matrix } = library;
  await mkdir(dir, { recursive: true });
  const replace = async (name: string, data: string | Uint8Array) => {
    const temporary = join(dir, `.${name}.${process.pid}.tmp`);
    await writeFile(temporary, data);
    await rename(temporary, join(dir, name));
  };
  await replace(EMBEDDINGS, encodeNpy(matrix.data, matrix.n, matrix.dim));
  await replace(PHOTOS, photos.map((p) => `${JSON.stringify(p)}\n`).join(''));
  await replace(MODEL, `${JSON.stringify(model, null, 2)}\n`);
}

/** What a loaded model would record in model.json. */
export async function libraryModelOf(model: LoadedModel): Promise<LibraryModel> {
  const config = await readFile(join(model.dir, 'config.json'));
  return {
    model: model.info.id ?? basename(resolve(model.dir)),
    dtype: model.encoder.dtypes.vision,
    dim: model.info.projectionDim,
    config_sha256: createHash('sha256').update(config).digest('hex'),
  };
}

/** Refuses a model other than the library's: its embeddings would not be comparable. */
export function checkSameModel(dir: string, library: LibraryModel, model: LibraryModel): void {
  for (const key of ['model', 'config_sha256', 'dtype', 'dim'] as const) {
    if (library[key] !== model[key]) {
      throw new MumicError(
        'IndexMismatch',
        `${dir} was made with model ${library.model} (${library.dtype}, ${library.dim}-d); this is ${model.model} (${model.dtype}, ${model.dim}-d)${key === 'config_sha256' ? ', whose config.json differs' : ''}`,
      );
    }
  }
}

/** Opens the --model for a library: its dtype defaults to the library's, then must match. */
export async function openLibraryModel(
  library: Library,
  values: { model?: string; dtype?: string },
  open: (values: { model?: string; dtype?: string }) => Promise<LoadedModel>,
): Promise<LoadedModel> {
  const model = await open({ ...values, dtype: values.dtype ?? library.model.dtype });
  try {
    checkSameModel(library.dir, library.model, await libraryModelOf(model));
  } catch (error) {
    await model.encoder.release();
    throw error;
  }
  return model;
}
