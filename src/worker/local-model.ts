// Model folders chosen from disk in the app (issue 5): checked here in the worker (hashing and
// opening hundreds of MB never blocks the page), then stored in Cache Storage under this origin's
// own model URLs, so the ordinary model load (FetchModelSource over model-cache.ts) finds them on
// every later visit, offline too, checked against the stored manifest.
import { MumicError } from '../core/errors.ts';
import {
  onnxFramingProblem,
  resolveModelFolder,
  sanitizeModelId,
  uniqueModelId,
} from '../core/local-model-folder.ts';
import { loadModelFolder } from '../core/model-folder.ts';
import type { LocalModelManifest } from '../core/model-index.ts';
import { storageError } from '../core/storage-errors.ts';
import { createWebEncoder } from '../runtime/web.ts';
import type {
  LocalModelInstallRequest,
  LocalModelProgress,
  LocalModelsState,
  LocalModelSummary,
} from '../shared/worker-api.ts';
import { BlobModelSource, hashBlob, sliceReader } from './local-model-source.ts';
import { probeTokenizerInWorker } from './tokenizer-probe.ts';
import {
  MODEL_CACHE_NAME,
  SHA_HEADER,
  loadServerIndex,
  localManifestUrl,
  readLocalManifest,
} from './model-cache.ts';

export interface LocalModelsOptions {
  /** Defaults to the global `caches`. */
  caches?: CacheStorage | undefined;
  /** The network, for index.json (ids the server has are not reused). */
  fetch?: typeof fetch;
  /** Usage and quota for the message of a full storage; defaults to navigator.storage. */
  estimate?: () => Promise<{ usage?: number; quota?: number }>;
}

/** Progress goes to the page at most this often (a file is hashed in thousands of chunks). */
const PROGRESS_INTERVAL_MS = 100;

type StoredEntry = LocalModelManifest['models'][number];

export class LocalModels {
  constructor(private readonly options: LocalModelsOptions = {}) {}

  async install(
    request: LocalModelInstallRequest,
    onProgress?: (progress: LocalModelProgress) => void,
  ): Promise<LocalModelSummary> {
    const report = throttled(onProgress);
    report({ step: 'checking', file: undefined, done: 0, total: request.files.length }, true);

    // 1. The layout: config.json marks the model inside the chosen folder.
    const resolved = resolveModelFolder(
      request.files.map((f) => f.path),
      request.folderName,
    );
    const chosen = new Map(request.files.map((f) => [f.path, f.file]));
    const files = new Map<string, Blob>();
    for (const [path, relative] of resolved.files) {
      const blob = chosen.get(relative);
      if (blob) files.set(path, blob);
    }
    const location = `the chosen folder "${resolved.folderName}"`;
    const source = new BlobModelSource(files, location);

    // 2. Configs and tokenizer parse, and each tower has weights (names the file otherwise);
    // long texts tokenize in time (a backtracking pattern would hang this worker on every start).
    const info = await loadModelFolder(source);
    await probeTokenizerInWorker(info);

    // 3. Every ONNX file is whole (a cut copy fails here, by name, in a few reads per file).
    const onnx = [...files.keys()].filter((p) => p.endsWith('.onnx')).sort();
    for (const path of onnx) {
      const blob = files.get(path) as Blob;
      const problem = await onnxFramingProblem(blob.size, sliceReader(blob));
      if (problem) {
        throw new MumicError('ModelFileInvalid', `${path} in ${location} is damaged: ${problem}`);
      }
    }

    // 4. The towers this device will use open as sessions (and run once: the warm-up).
    report({ step: 'loading', file: undefined, done: 0, total: 0 }, true);
    const encoder = await createWebEncoder(source, info, {
      backend: request.backend,
      dtype: request.dtype,
      wasmPaths: request.wasmPaths,
      onProgress: (p) =>
        report({ step: 'loading', file: p.file, done: p.loaded, total: p.total ?? 0 }),
    });
    try {
      await encoder.load('text');
    } finally {
      await encoder.release();
    }

    // 5. The SHA-256 of every file, streamed.
    const paths = [...files.keys()].sort();
    const total = paths.reduce((sum, p) => sum + (files.get(p)?.size ?? 0), 0);
    let done = 0;
    const hashed: StoredEntry['files'] = [];
    for (const path of paths) {
      const blob = files.get(path) as Blob;
      const sha256 = await hashBlob(blob, path, location, (bytes) => {
        done += bytes;
        report({ step: 'hashing', file: path, done, total });
      });
      hashed.push({ path, size: blob.size, sha256 });
    }

    // 6. Stored under an id of its own, then listed (a half-stored model is never listed).
    report({ step: 'storing', file: undefined, done: 0, total }, true);
    const cache = await this.openCache();
    const indexUrl = new URL('index.json', request.modelsUrl).href;
    const server = await loadServerIndex(indexUrl, cache, this.fetch(), 4000);
    // An id holds this model's photos, embeddings and head in IndexedDB too, so it is reused
    // only for the very same files (choosing the folder again); other files get an id of their own.
    const local = (await readLocalManifest(cache, indexUrl)).models;
    const same = local.find((m) => sameFiles(m.files, hashed));
    const taken = new Set([...(server?.keys() ?? []), ...local.map((m) => m.id)]);
    const id = same?.id ?? uniqueModelId(sanitizeModelId(resolved.folderName), taken);
    const modelUrl = new URL(`${encodeURIComponent(id)}/`, request.modelsUrl).href;
    let stored = 0;
    try {
      for (const file of hashed) {
        const blob = files.get(file.path) as Blob;
        report({ step: 'storing', file: file.path, done: stored, total });
        await cache.put(
          new URL(file.path, modelUrl).href,
          new Response(blob, {
            headers: {
              'Content-Type': file.path.endsWith('.json')
                ? 'application/json'
                : 'application/octet-stream',
              'Content-Length': String(file.size),
              [SHA_HEADER]: file.sha256,
            },
          }),
        );
        stored += file.size;
      }
      // Files of an earlier model under this id that this one does not have.
      const keep = new Set(hashed.map((f) => new URL(f.path, modelUrl).href));
      await this.deleteUnder(cache, modelUrl, keep);
    } catch (cause) {
      await this.deleteUnder(cache, modelUrl, new Set()).catch(() => undefined);
      const { usage, quota } = await this.estimate();
      throw storageError(cause, {
        what: `model ${id} from ${location}`,
        bytes: total,
        usage,
        quota,
      });
    }
    const entry: StoredEntry = {
      id,
      name: info.id ?? resolved.folderName,
      dtypes: info.dtypes,
      files: hashed,
      folder: resolved.folderName,
      storedAt: new Date().toISOString(),
    };
    await this.updateManifest(cache, indexUrl, (manifest) => ({
      models: [...manifest.models.filter((m) => m.id !== id), entry],
      last: id,
    }));
    report({ step: 'storing', file: undefined, done: total, total }, true);
    return summaryOf(entry);
  }

  async list(modelsUrl: string): Promise<LocalModelsState> {
    const cache = await this.openCache().catch(() => undefined);
    if (!cache) return { local: [], last: undefined, installed: undefined };
    const indexUrl = new URL('index.json', modelsUrl).href;
    const manifest = await readLocalManifest(cache, indexUrl);
    // index.json only matters when there is a model from disk to prefer over the default.
    const server =
      manifest.models.length > 0
        ? await loadServerIndex(indexUrl, cache, this.fetch(), 4000)
        : undefined;
    return {
      local: manifest.models.map(summaryOf),
      last: manifest.last,
      installed: server ? [...server.keys()] : undefined,
    };
  }

  async remove(modelsUrl: string, id: string): Promise<void> {
    const cache = await this.openCache();
    const indexUrl = new URL('index.json', modelsUrl).href;
    // Unlisted first: a model whose files are half deleted is never offered.
    await this.updateManifest(cache, indexUrl, (manifest) => ({
      models: manifest.models.filter((m) => m.id !== id),
      last: manifest.last === id ? undefined : manifest.last,
    }));
    await this.deleteUnder(cache, new URL(`${encodeURIComponent(id)}/`, modelsUrl).href, new Set());
  }

  private async updateManifest(
    cache: Cache,
    indexUrl: string,
    change: (manifest: LocalModelManifest) => LocalModelManifest,
  ): Promise<void> {
    const next = change(await readLocalManifest(cache, indexUrl));
    try {
      await cache.put(
        localManifestUrl(indexUrl),
        new Response(JSON.stringify(next, null, 2), {
          headers: { 'Content-Type': 'application/json' },
        }),
      );
    } catch (cause) {
      throw storageError(cause, { what: 'the list of models chosen from disk' });
    }
  }

  private async deleteUnder(cache: Cache, prefix: string, keep: ReadonlySet<string>) {
    const keys = await cache.keys();
    await Promise.all(
      keys.filter((r) => r.url.startsWith(prefix) && !keep.has(r.url)).map((r) => cache.delete(r)),
    );
  }

  private async openCache(): Promise<Cache> {
    const storage = this.options.caches ?? (globalThis as { caches?: CacheStorage }).caches;
    if (!storage) {
      throw new MumicError(
        'StorageFailed',
        'this browser offers no Cache Storage here (it needs https or localhost), so a model folder cannot be kept',
      );
    }
    try {
      return await storage.open(MODEL_CACHE_NAME);
    } catch (cause) {
      throw storageError(cause, { what: 'model files (Cache Storage)' });
    }
  }

  private fetch(): typeof fetch {
    return this.options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  private async estimate(): Promise<{ usage?: number; quota?: number }> {
    try {
      if (this.options.estimate) return await this.options.estimate();
      return (await navigator.storage.estimate()) ?? {};
    } catch {
      return {};
    }
  }
}

function summaryOf(entry: StoredEntry): LocalModelSummary {
  return {
    id: entry.id,
    name: entry.name,
    folder: entry.folder,
    dtypes: entry.dtypes,
    bytes: entry.files.reduce((sum, f) => sum + f.size, 0),
    storedAt: entry.storedAt,
  };
}

/** Progress at most every PROGRESS_INTERVAL_MS, except `force`d steps (starts and ends). */
function throttled(
  onProgress: ((progress: LocalModelProgress) => void) | undefined,
): (progress: LocalModelProgress, force?: boolean) => void {
  let last = 0;
  let lastStep = '';
  return (progress, force = false) => {
    const now = performance.now();
    if (!force && progress.step === lastStep && now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    lastStep = progress.step;
    onProgress?.(progress);
  };
}

/** The same files, path for path and hash for hash. */
function sameFiles(
  a: readonly { path: string; sha256: string }[],
  b: readonly { path: string; sha256: string }[],
): boolean {
  if (a.length !== b.length) return false;
  const hashOf = new Map(a.map((f) => [f.path, f.sha256]));
  return b.every((f) => hashOf.get(f.path) === f.sha256);
}
