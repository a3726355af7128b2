/**
 * `models/index.json` as the app reads it (written by `npm run models`, scripts/models-index.ts):
 * the installed models and, per file, the size and SHA-256 it was installed with. The app uses it
 * to check downloaded model files, so a damaged or truncated file fails by name instead of
 * loading as garbage.
 */
import { DTYPES, type Dtype, type Tower } from './types.ts';

export interface IndexedFile {
  path: string;
  size: number | undefined;
  sha256: string | undefined;
}

/** model id → file path → what the file must be. */
export type ModelIndex = Map<string, Map<string, IndexedFile>>;

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Parses index.json leniently: entries that are not well formed are skipped (a file without a
 * usable size or hash is simply not checked), never a reason to refuse the model.
 */
export function parseModelIndex(json: unknown): ModelIndex {
  const index: ModelIndex = new Map();
  const models = (json as { models?: unknown } | null)?.models;
  if (!Array.isArray(models)) return index;
  for (const model of models as unknown[]) {
    const { id, files } = (model ?? {}) as { id?: unknown; files?: unknown };
    if (typeof id !== 'string' || !Array.isArray(files)) continue;
    const byPath = new Map<string, IndexedFile>();
    for (const file of files as unknown[]) {
      const { path, size, sha256 } = (file ?? {}) as Record<string, unknown>;
      if (typeof path !== 'string') continue;
      byPath.set(path, {
        path,
        size:
          typeof size === 'number' && Number.isSafeInteger(size) && size >= 0 ? size : undefined,
        sha256:
          typeof sha256 === 'string' && SHA256.test(sha256.toLowerCase())
            ? sha256.toLowerCase()
            : undefined,
      });
    }
    index.set(id, byPath);
  }
  return index;
}

/** What `path` of model `id` must be, or undefined when the index does not say. */
export function indexedFile(index: ModelIndex, id: string, path: string): IndexedFile | undefined {
  const file = index.get(id)?.get(path);
  return file && (file.size !== undefined || file.sha256 !== undefined) ? file : undefined;
}

/** Why `got` is not the indexed file, or undefined when it matches. */
export function fileMismatch(
  expected: IndexedFile,
  got: { size: number; sha256: string },
): string | undefined {
  if (expected.size !== undefined && got.size !== expected.size) {
    const how = got.size < expected.size ? 'truncated: ' : '';
    return `${how}${got.size} bytes received, index.json lists ${expected.size}`;
  }
  if (expected.sha256 !== undefined && got.sha256 !== expected.sha256) {
    return `SHA-256 ${got.sha256} does not match ${expected.sha256} in index.json`;
  }
  return undefined;
}

/**
 * Splits a model file URL of the app's own layout, `<base>models/<id>/<path>`, into the index
 * URL, the model id and the file path. Undefined for any other URL (index.json itself included).
 */
export function modelFileOfUrl(
  url: string | URL,
): { indexUrl: string; id: string; path: string } | undefined {
  const u = new URL(url);
  const match = /^(.*?\/models\/)([^/]+)\/(.+)$/.exec(u.pathname);
  if (!match) return undefined;
  const [, root = '', id = '', rest = ''] = match;
  let path: string;
  let modelId: string;
  try {
    path = decodeURIComponent(rest);
    modelId = decodeURIComponent(id);
  } catch {
    return undefined;
  }
  return { indexUrl: `${u.origin}${root}index.json`, id: modelId, path };
}

// ---- models chosen from disk in the app (issue 5)

/** A model's entry, as `npm run models` writes it to index.json (scripts/models-index.ts). */
export interface ModelIndexEntry {
  id: string;
  name: string;
  /** Weight files present per tower, in DTYPES order. */
  dtypes: Record<Tower, Dtype[]>;
  files: { path: string; size: number; sha256: string }[];
}

/**
 * The models chosen from disk in this browser, stored beside their files in Cache Storage: the
 * shape of index.json (so `parseModelIndex` reads it too), plus the last one chosen.
 */
export interface LocalModelManifest {
  models: (ModelIndexEntry & { folder: string; storedAt: string })[];
  last: string | undefined;
}

/** Its name under the models URL (`<base>models/local-models.json`); it only lives in the cache. */
export const LOCAL_MODELS_FILE = 'local-models.json';

/** The stored manifest; entries that are not well formed are dropped (their files are unchecked). */
export function parseLocalManifest(json: unknown): LocalModelManifest {
  const { models, last } = (json ?? {}) as { models?: unknown; last?: unknown };
  const out: LocalModelManifest = { models: [], last: typeof last === 'string' ? last : undefined };
  if (!Array.isArray(models)) return out;
  for (const model of models as unknown[]) {
    const m = (model ?? {}) as Record<string, unknown>;
    const dtypes = m['dtypes'] as Record<Tower, unknown> | undefined;
    const files = m['files'];
    if (
      typeof m['id'] !== 'string' ||
      !Array.isArray(files) ||
      !Array.isArray(dtypes?.vision) ||
      !Array.isArray(dtypes.text)
    ) {
      continue;
    }
    const checked = (files as unknown[]).filter(
      (f): f is { path: string; size: number; sha256: string } => {
        const { path, size, sha256 } = (f ?? {}) as Record<string, unknown>;
        return (
          typeof path === 'string' &&
          typeof size === 'number' &&
          typeof sha256 === 'string' &&
          SHA256.test(sha256)
        );
      },
    );
    const isDtype = (d: unknown): d is Dtype => (DTYPES as readonly unknown[]).includes(d);
    out.models.push({
      id: m['id'],
      name: typeof m['name'] === 'string' ? m['name'] : m['id'],
      dtypes: {
        vision: (dtypes.vision as unknown[]).filter(isDtype),
        text: (dtypes.text as unknown[]).filter(isDtype),
      },
      files: checked,
      folder: typeof m['folder'] === 'string' ? m['folder'] : m['id'],
      storedAt: typeof m['storedAt'] === 'string' ? m['storedAt'] : '',
    });
  }
  return out;
}
