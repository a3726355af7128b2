// Model files in Cache Storage: the worker's fetch for `models/<id>/...`, so that a model fetched
// once is there with the network off. It lives in the worker, not in the service worker, because
// a page is never controlled by a service worker on its first visit: the first visit's model
// downloads never pass through it, and "one online visit" must be enough (docs/OFFLINE.md).
import { MumicError } from '../core/errors.ts';
import {
  LOCAL_MODELS_FILE,
  fileMismatch,
  indexedFile,
  modelFileOfUrl,
  parseLocalManifest,
  parseModelIndex,
  type IndexedFile,
  type LocalModelManifest,
  type ModelIndex,
} from '../core/model-index.ts';
import { Sha256 } from '../core/sha256.ts';
import { storageError } from '../core/storage-errors.ts';
import { SHA_HEADER, cacheKey, headOf, sliceRange } from './cached-response.ts';
import { verifyAndStore } from './verify-and-store.ts';

/** One cache for every model's files, keyed by URL. */
export const MODEL_CACHE_NAME = 'mumic-models';
export { SHA_HEADER } from './cached-response.ts';
export { storedOutcome } from './verify-and-store.ts';
/** On an offline HEAD answered from index.json: the file exists but is not stored. */
export const NOT_STORED_HEADER = 'X-Mumic-Not-Stored';

export interface ModelCacheOptions {
  /** The network. Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Defaults to the global `caches`; without Cache Storage, requests go to the network only. */
  caches?: CacheStorage | undefined;
  cacheName?: string;
  /** Only this origin's model files are cached. Defaults to the global location's origin. */
  origin?: string | undefined;
  /** Usage and quota for the message of a full storage; defaults to navigator.storage. */
  estimate?: () => Promise<{ usage?: number; quota?: number }>;
  /** How long index.json may take before cached files are used unchecked (default 4 s). */
  indexTimeoutMs?: number;
  /**
   * Called when a downloaded file could not be stored because storage is full
   * (StorageQuotaExceeded, naming the file and what to free). Without it, reading that file
   * fails with that error, so the app says so rather than silently not working offline.
   */
  onStorageError?: (error: MumicError) => void;
  /** Other storage failures (storage disabled, private mode): the file is used, not stored. */
  onStorageWarning?: (error: MumicError) => void;
}

type Target = NonNullable<ReturnType<typeof modelFileOfUrl>>;

/** index.json merged with the models chosen from disk (listed in the stored local manifest). */
interface KnownModels {
  index: ModelIndex | undefined;
  /** Ids only this browser has: their files exist nowhere else, so they never go to the network. */
  local: Map<string, string>;
}

/**
 * A fetch for FetchModelSource: GET and HEAD of this origin's `models/<id>/<path>` are answered
 * from Cache Storage when stored, else from the network, and a complete 200 download is checked
 * against index.json (size, SHA-256) and stored.
 *
 * - A stored file is used as long as index.json (when reachable) lists the same SHA-256;
 *   a model reinstalled under the same id is downloaded again.
 * - HEAD of a stored file is answered from the cache. With no network, HEAD of a file that is
 *   not stored is a 200 if index.json (the last one fetched, kept in the cache) lists it, else a
 *   404: a tower never used online does not stop the model from loading offline.
 * - A GET with a single `Range` is sliced from the stored file (206); otherwise it goes to the
 *   network and is not stored.
 * - A download that does not match index.json fails with ModelFileInvalid naming the file, and
 *   is not stored; neither is an interrupted one.
 * - A download's body ends once it is checked; `storedOutcome(response)` settles once it is
 *   stored (StorageQuotaExceeded when storage is full: FetchModelSource.read waits for it).
 */
export function modelCacheFetch(options: ModelCacheOptions = {}): typeof fetch {
  const net = options.fetch ?? globalThis.fetch.bind(globalThis);
  const storage = options.caches ?? (globalThis as { caches?: CacheStorage }).caches;
  const origin = options.origin ?? (globalThis as { location?: Location }).location?.origin;
  const cacheName = options.cacheName ?? MODEL_CACHE_NAME;
  const indexTimeout = options.indexTimeoutMs ?? 4000;
  const indexes = new Map<string, Promise<KnownModels>>();
  let opened: Promise<Cache | undefined> | undefined;

  const openCache = (): Promise<Cache | undefined> =>
    (opened ??= (storage ? storage.open(cacheName) : Promise.resolve(undefined)).catch(
      (cause: unknown) => {
        // e.g. a SecurityError in a private window: work from the network.
        options.onStorageWarning?.(storageError(cause, { what: 'model files (Cache Storage)' }));
        return undefined;
      },
    ));

  /**
   * index.json (see loadServerIndex) and the models chosen from disk, once per fetch function
   * (i.e. per model load).
   */
  const loadIndex = (url: string, cache: Cache): Promise<KnownModels> => {
    let pending = indexes.get(url);
    if (!pending) {
      pending = (async () => ({
        index: await loadServerIndex(url, cache, net, indexTimeout),
        manifest: await readLocalManifest(cache, url),
      }))().then(({ index, manifest }) => mergeLocal(index, manifest));
      indexes.set(url, pending);
    }
    return pending;
  };

  const estimate = async (): Promise<{ usage?: number; quota?: number }> => {
    try {
      if (options.estimate) return await options.estimate();
      const storageManager = (globalThis as { navigator?: { storage?: StorageManager } }).navigator
        ?.storage;
      return (await storageManager?.estimate()) ?? {};
    } catch {
      return {};
    }
  };

  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const target =
      request.method === 'GET' || request.method === 'HEAD' ? ownModelFile(request.url) : undefined;
    const cache = target ? await openCache() : undefined;
    if (!target || !cache) return net(request);

    const key = cacheKey(request.url);
    const [hit, known] = await Promise.all([
      cache.match(key).catch(() => undefined),
      loadIndex(target.indexUrl, cache),
    ]);
    const { index } = known;
    const expected = index ? indexedFile(index, target.id, target.path) : undefined;
    const fresh =
      hit !== undefined &&
      (expected?.sha256 === undefined || hit.headers.get(SHA_HEADER) === expected.sha256);
    const folder = known.local.get(target.id);

    if (hit && fresh) {
      if (request.method === 'HEAD') return headOf(hit);
      const range = request.headers.get('Range');
      if (range) return sliceRange(hit, range);
      // The only copy of a model chosen from disk: re-hashed as it is read.
      return folder !== undefined && expected ? verifyStored(hit, target, expected, folder) : hit;
    }
    if (folder !== undefined) {
      // Chosen from disk: not on the server, so the network cannot help.
      void hit?.body?.cancel();
      if (request.method === 'HEAD' || !expected) {
        return new Response(null, { status: 404, statusText: 'Not stored' });
      }
      throw new MumicError(
        'ModelFileMissing',
        `${target.path} of model ${target.id} (chosen from the folder "${folder}") is no longer stored in this browser${hit ? ' as it was checked' : ''}: choose the model folder again`,
      );
    }

    let res: Response;
    try {
      res = await net(request);
    } catch (cause) {
      if (isAbort(cause)) throw cause;
      // No network. A stored copy that index.json no longer vouches for beats nothing.
      if (hit) {
        if (request.method === 'HEAD') return headOf(hit);
        const range = request.headers.get('Range');
        return range ? sliceRange(hit, range) : hit;
      }
      if (request.method === 'HEAD') {
        // Offline, a file exists if index.json lists it: the model still loads when a tower
        // that was never used (e.g. the text tower) is not stored; reading it then fails by name.
        const listed = index?.get(target.id)?.get(target.path);
        if (!listed) return new Response(null, { status: 404, statusText: 'Not stored' });
        const headers = new Headers({ [NOT_STORED_HEADER]: '1' });
        if (listed.size !== undefined) headers.set('Content-Length', String(listed.size));
        return new Response(null, { status: 200, statusText: 'Listed, not stored', headers });
      }
      throw new TypeError(
        `${target.path} is not stored for offline use and the network failed (${messageOf(cause)})`,
        { cause },
      );
    }
    void hit?.body?.cancel(); // stale: replaced by the download
    if (
      request.method !== 'GET' ||
      request.headers.has('Range') ||
      res.status !== 200 ||
      !res.body ||
      (res.headers.get('Content-Type') ?? '').startsWith('text/html')
    ) {
      return res;
    }
    return verifyAndStore(res, target, expected, cache, key, {
      estimate,
      onStorageError: options.onStorageError,
      onStorageWarning: options.onStorageWarning,
    });
  };

  function ownModelFile(url: string): Target | undefined {
    if (origin === undefined || new URL(url).origin !== origin) return undefined;
    return modelFileOfUrl(url);
  }
}

function isAbort(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'AbortError' || name === 'TimeoutError';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * index.json: from the network (network first, stored in the cache for offline use), else the
 * stored copy; undefined when neither is usable.
 */
export async function loadServerIndex(
  url: string,
  cache: Cache,
  net: typeof fetch,
  timeoutMs: number,
): Promise<ModelIndex | undefined> {
  try {
    const res = await net(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (res.ok) {
      const text = await res.text();
      const index = parseModelIndex(JSON.parse(text));
      const headers = { 'Content-Type': 'application/json' };
      await cache.put(url, new Response(text, { headers })).catch(() => undefined);
      return index;
    }
    await res.body?.cancel();
    if (res.status === 404 || res.status === 410) return undefined;
  } catch {
    // offline, slow or not JSON: the stored copy
  }
  try {
    const stored = await cache.match(url);
    return stored ? parseModelIndex(await stored.json()) : undefined;
  } catch {
    return undefined;
  }
}

/** The models chosen from disk, as stored beside their files; empty when there are none. */
export async function readLocalManifest(
  cache: Cache,
  indexUrl: string,
): Promise<LocalModelManifest> {
  try {
    const stored = await cache.match(localManifestUrl(indexUrl));
    return parseLocalManifest(stored ? await stored.json() : undefined);
  } catch {
    return parseLocalManifest(undefined);
  }
}

/** `<base>models/local-models.json` beside `<base>models/index.json`. */
export function localManifestUrl(indexUrl: string): string {
  return new URL(LOCAL_MODELS_FILE, indexUrl).href;
}

/** index.json's models win: a model installed on the server under the same id replaces one from disk. */
function mergeLocal(index: ModelIndex | undefined, manifest: LocalModelManifest): KnownModels {
  const local = new Map<string, string>();
  if (manifest.models.length === 0) return { index, local };
  const merged: ModelIndex = new Map(index);
  for (const [id, files] of parseModelIndex(manifest)) {
    if (merged.has(id)) continue;
    merged.set(id, files);
    local.set(id, manifest.models.find((m) => m.id === id)?.folder ?? id);
  }
  return { index: merged, local };
}

/** A stored file of a model chosen from disk, checked against the manifest as it streams out. */
function verifyStored(
  hit: Response,
  target: Target,
  expected: IndexedFile,
  folder: string,
): Response {
  if (!hit.body) return hit;
  const hashing = Sha256.create();
  hashing.catch(() => undefined); // awaited by the stream; never unhandled if it is cancelled
  let size = 0;
  const body = (hit.body as ReadableStream<Uint8Array>).pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      async transform(chunk, controller) {
        (await hashing).update(chunk);
        size += chunk.byteLength;
        controller.enqueue(chunk);
      },
      async flush(controller) {
        const why = fileMismatch(expected, { size, sha256: (await hashing).hex() });
        if (why) {
          controller.error(
            new MumicError(
              'ModelFileInvalid',
              `the stored copy of ${target.path} of model ${target.id} is damaged (${why.replace('index.json', 'the list of models chosen from disk')}): choose the model folder "${folder}" again`,
            ),
          );
        }
      },
    }),
  );
  return new Response(body, {
    status: hit.status,
    statusText: hit.statusText,
    headers: hit.headers,
  });
}
