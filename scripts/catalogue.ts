// The models `npm run models -- --model ID` installs: scripts/default-model.json (the default)
// and one pinned manifest per model in scripts/catalogue/. See docs/MODELS.md for provenance.
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { MumicError } from '../src/core/errors.ts';
import { onnxPath } from '../src/core/model-files.ts';
import { DTYPES } from '../src/core/types.ts';
import { megabytes } from './download-file.ts';
import {
  availableDtypes,
  CONFIG_FILES,
  DEFAULT_MANIFEST,
  loadManifest,
  TOWERS,
  type ManifestFile,
  type ModelManifest,
} from './model-manifest.ts';

export const CATALOGUE_DIR = resolve(import.meta.dirname, 'catalogue');

/** The default model first, then the catalogue's entries by id. */
export async function loadCatalogue(
  dir = CATALOGUE_DIR,
  defaultManifest = DEFAULT_MANIFEST,
): Promise<ModelManifest[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json'));
  const others = await Promise.all(names.sort().map((n) => loadManifest(join(dir, n))));
  const all = [await loadManifest(defaultManifest), ...others];
  const seen = new Set<string>();
  for (const m of all) {
    if (seen.has(m.id))
      throw new MumicError('InvalidArgument', `catalogue: two entries are "${m.id}"`);
    seen.add(m.id);
  }
  return all;
}

export function catalogueEntry(catalogue: readonly ModelManifest[], id: string): ModelManifest {
  const entry = catalogue.find((m) => m.id === id);
  if (!entry) {
    throw new MumicError(
      'InvalidArgument',
      `"${id}" is not in the catalogue (known: ${catalogue.map((m) => m.id).join(', ')}); see npm run models -- --list`,
    );
  }
  return entry;
}

/** Exact bytes when every file's size is pinned, else "~" with public figures, else unknown. */
function sizeOf(files: readonly (ManifestFile | undefined)[]): string {
  let total = 0;
  let approx = false;
  for (const f of files) {
    if (f?.size != null) total += f.size;
    else if (f?.approxSize !== undefined) {
      total += f.approxSize;
      approx = true;
    } else return 'size unknown';
  }
  return `${approx ? '~' : ''}${megabytes(total)}`;
}

/** The lines `--list` shows for one catalogue entry. */
export function describeEntry(m: ModelManifest, installed: boolean, isDefault: boolean): string[] {
  const byPath = new Map(m.files.map((f) => [f.path, f]));
  const perDtype = availableDtypes(m).map(
    (d) => `${d} ${sizeOf(TOWERS.map((t) => byPath.get(onnxPath(t, d))))}`,
  );
  const unpinned = m.files.filter((f) => f.sha256 === null).length;
  const trust = !m.revisionPinned
    ? 'no pinned commit or hashes found: needs --trust-on-first-use'
    : unpinned > 0
      ? `${unpinned} of ${m.files.length} files without a known hash (those need --trust-on-first-use)`
      : 'every file pinned by SHA-256';
  const flags = [isDefault ? 'default' : '', installed ? 'installed' : ''].filter(Boolean);
  return [
    `${m.id}${flags.length > 0 ? ` [${flags.join(', ')}]` : ''}: ${m.name}`,
    `    for: ${m.purpose ?? '(no description)'}`,
    `    ${m.repo} at ${m.revisionPinned ? m.revision.slice(0, 12) : 'main (unpinned)'}; ${trust}`,
    `    download per dtype (both towers): ${perDtype.join(', ')}; configs ${sizeOf(CONFIG_FILES.map((p) => byPath.get(p)))}`,
    `    installs by default: ${m.defaultDtypes.join(', ')} (--dtypes ${DTYPES.filter((d) => availableDtypes(m).includes(d)).join(',')} for others)`,
  ];
}
