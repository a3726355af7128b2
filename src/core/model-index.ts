/**
 * `models/index.json` as the app reads it (written by `npm run models`, scripts/models-index.ts):
 * the installed models and, per file, the size and SHA-256 it was installed with. The app uses it
 * to check downloaded model files, so a damaged or truncated file fails by name instead of
 * loading as garbage.
 */

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
