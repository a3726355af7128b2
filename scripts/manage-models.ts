// --list, --remove and --verify: the installed models as index.json records them.
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MumicError } from '../src/core/errors.ts';
import { digestFile } from './file-digest.ts';
import { readIndex, removeIndexEntry, type ModelEntry } from './models-index.ts';

export async function listModels(modelsDir: string): Promise<ModelEntry[]> {
  return (await readIndex(modelsDir)).models;
}

/** Deletes the model's folder, its index entry and its partial downloads. */
export async function removeModel(modelsDir: string, cacheDir: string, id: string): Promise<void> {
  const listed = (await listModels(modelsDir)).map((m) => m.id);
  const folder = join(modelsDir, id);
  const exists = await stat(folder).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!listed.includes(id) && !exists) {
    throw new MumicError(
      'InvalidArgument',
      `no model "${id}" in ${modelsDir} (installed: ${listed.join(', ') || 'none'})`,
    );
  }
  await rm(folder, { recursive: true, force: true });
  await removeIndexEntry(modelsDir, id);
  const cached = await readdir(cacheDir).catch(() => [] as string[]);
  for (const name of cached) {
    if (name.startsWith(`${id}@`)) await rm(join(cacheDir, name), { recursive: true, force: true });
  }
}

/** Every installed file against the size and SHA-256 recorded at install; one line per problem. */
export async function verifyModels(modelsDir: string, id?: string): Promise<string[]> {
  const models = (await listModels(modelsDir)).filter((m) => id === undefined || m.id === id);
  if (id !== undefined && models.length === 0) {
    throw new MumicError('InvalidArgument', `no model "${id}" is listed in ${modelsDir}`);
  }
  const problems: string[] = [];
  for (const model of models) {
    for (const file of model.files) {
      const path = join(modelsDir, model.id, file.path);
      const digest = await digestFile(path).catch(() => undefined);
      if (!digest) problems.push(`${model.id}/${file.path}: missing`);
      else if (digest.size !== file.size) {
        problems.push(`${model.id}/${file.path}: ${digest.size} bytes, expected ${file.size}`);
      } else if (digest.sha256 !== file.sha256) {
        problems.push(
          `${model.id}/${file.path}: SHA-256 ${digest.sha256}, expected ${file.sha256}`,
        );
      }
    }
  }
  return problems;
}

/** Cheap presence check for `--if-missing`: listed, and every file there with its recorded size. */
export async function isInstalled(modelsDir: string, id: string): Promise<boolean> {
  const model = (await listModels(modelsDir)).find((m) => m.id === id);
  if (!model) return false;
  for (const file of model.files) {
    const size = await stat(join(modelsDir, id, file.path)).then(
      (s) => s.size,
      () => -1,
    );
    if (size !== file.size) return false;
  }
  return true;
}
