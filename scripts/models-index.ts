// public/models/index.json: the installed models, as the app and `--list` see them.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MumicError } from '../src/core/errors.ts';
import type { Dtype, Tower } from '../src/core/types.ts';

export interface InstalledFile {
  path: string;
  size: number;
  sha256: string;
}

export interface ModelEntry {
  /** Folder name under the models directory. */
  id: string;
  name: string;
  /** Weight files present per tower, in DTYPES order. */
  dtypes: Record<Tower, Dtype[]>;
  files: InstalledFile[];
  /** For a model fetched from a hub: where from, pinned to which commit. */
  repo?: string | undefined;
  revision?: string | undefined;
  /** One line on what the model is for (from its catalogue entry). */
  purpose?: string | undefined;
}

export interface ModelIndex {
  models: ModelEntry[];
}

export const INDEX_FILE = 'index.json';

export async function readIndex(modelsDir: string): Promise<ModelIndex> {
  const file = join(modelsDir, INDEX_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return { models: [] };
    throw cause;
  }
  try {
    const json = JSON.parse(text) as unknown;
    const models = (json as { models?: unknown } | null)?.models;
    if (!Array.isArray(models)) throw new Error('no "models" array');
    return { models: models as ModelEntry[] };
  } catch (cause) {
    throw new MumicError(
      'StorageFailed',
      `${file} is damaged (${cause instanceof Error ? cause.message : String(cause)}); delete it and reinstall the models`,
      { cause },
    );
  }
}

/** Adds or replaces one model's entry. */
export async function upsertIndexEntry(modelsDir: string, entry: ModelEntry): Promise<void> {
  const index = await readIndex(modelsDir);
  const models = [...index.models.filter((m) => m.id !== entry.id), entry];
  await writeIndex(modelsDir, { models });
}

/** Returns whether the id was listed. */
export async function removeIndexEntry(modelsDir: string, id: string): Promise<boolean> {
  const index = await readIndex(modelsDir);
  const models = index.models.filter((m) => m.id !== id);
  if (models.length === index.models.length) return false;
  await writeIndex(modelsDir, { models });
  return true;
}

/** Written to a temporary file and renamed: a reader (or a crash) never sees half an index. */
async function writeIndex(modelsDir: string, index: ModelIndex): Promise<void> {
  await mkdir(modelsDir, { recursive: true });
  const models = [...index.models].sort((a, b) => a.id.localeCompare(b.id));
  const file = join(modelsDir, INDEX_FILE);
  const tmp = `${file}.${randomUUID()}.tmp`;
  await writeFile(tmp, `${JSON.stringify({ models }, null, 2)}\n`);
  await rename(tmp, file);
}
