// The last steps shared by every install: a verified folder goes live, is listed, then the hook runs.
import { join } from 'node:path';
import { onnxPath } from '../src/core/model-files.ts';
import { DTYPES, type Dtype, type Tower } from '../src/core/types.ts';
import { afterInstall } from './after-install.ts';
import { TOWERS } from './model-manifest.ts';
import { upsertIndexEntry, type InstalledFile, type ModelEntry } from './models-index.ts';
import { publishModelDir } from './publish-model-dir.ts';

export async function commitInstall(
  ready: string,
  modelsDir: string,
  entry: ModelEntry,
): Promise<void> {
  const target = join(modelsDir, entry.id);
  await publishModelDir(ready, target);
  await upsertIndexEntry(modelsDir, entry);
  await afterInstall(target, entry.id);
}

/** The dtypes per tower that a list of installed files provides. */
export function dtypesOf(files: readonly InstalledFile[]): Record<Tower, Dtype[]> {
  const paths = new Set(files.map((f) => f.path));
  const of = (tower: Tower): Dtype[] => DTYPES.filter((d) => paths.has(onnxPath(tower, d)));
  return Object.fromEntries(TOWERS.map((t) => [t, of(t)])) as Record<Tower, Dtype[]>;
}
