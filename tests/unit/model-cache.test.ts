// The worker's model cache (src/worker/model-cache.ts) against an in-memory Cache Storage and a
// scripted network: what is stored, what is answered offline, what fails and how.
import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { MumicError } from '../../src/core/errors.ts';
import {
  NOT_STORED_HEADER,
  SHA_HEADER,
  modelCacheFetch,
  storedOutcome,
  type ModelCacheOptions,
} from '../../src/worker/model-cache.ts';
import { FetchModelSource } from '../../src/worker/model-source-fetch.ts';

const ORIGIN = 'https://app.example';
const BASE = `${ORIGIN}/models/clip-tiny/`;
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const bytes = (n: number, seed = 1): Uint8Array =>
  Uint8Array.from({ length: n }, (_, i) => (i * seed + 7) & 255);

/** The error a promise rejects with; fails the test when it resolves. */
async function failure(promise: Promise<unknown>): Promise<MumicError> {
  try {
    await promise;
  } catch (error) {
    return error as MumicError;
  }
  throw new Error('expected a failure');
}

class MemoryCache {
  readonly entries = new Map<string, { body: Uint8Array; init: ResponseInit }>();
  quotaBytes = Infinity;
  /** While set, a put of this path has read its body but not yet finished storing it. */
  gate: { path: string; open: Promise<void> } | undefined;

  match(key: RequestInfo | URL): Promise<Response | undefined> {
    const entry = this.entries.get(String(key instanceof Request ? key.url : key));
    if (!entry) return Promise.resolve(undefined);
    return Promise.resolve(new Response(entry.body.slice(), entry.init));
  }

  async put(key: RequestInfo | URL, res: Response): Promise<void> {
    const url = String(key instanceof Request ? key.url : key);
    const body = new Uint8Array(await res.arrayBuffer()); // consumes the stream, like Chrome
    if (this.gate && url.endsWith(this.gate.path)) await this.gate.open;
    if (body.byteLength > this.quotaBytes) {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    }
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => (headers[k] = v));
    this.entries.set(url, {
      body,
      init: { status: res.status, statusText: res.statusText, headers },
    });
  }

  paths(): string[] {
    return [...this.entries.keys()].map((k) => new URL(k).pathname).sort();
  }
}

interface Served {
  body: Uint8Array;
  type?: string;
}

/** A scripted server: path → file; offline throws like a browser's fetch. */
class Network {
  files = new Map<string, Served>();
  offline = false;
  calls: string[] = [];

  readonly fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const path = new URL(request.url).pathname;
    this.calls.push(`${request.method} ${path}`);
    if (request.signal.aborted) throw new DOMException('The operation was aborted.', 'AbortError');
    if (this.offline) throw new TypeError('Failed to fetch');
    const file = this.files.get(path);
    if (!file) return new Response('not found', { status: 404 });
    const headers = {
      'Content-Type': file.type ?? 'application/octet-stream',
      'Content-Length': String(file.body.byteLength),
    };
    if (request.method === 'HEAD') return new Response(null, { headers });
    return new Response(this.chunked(file.body.slice()), { headers });
  });

  /** Bytes of each chunk a body arrives in (a real network delivers a file in many). */
  chunkBytes = Infinity;

  private chunked(body: Uint8Array): ReadableStream<Uint8Array> {
    let offset = 0;
    return new ReadableStream<Uint8Array>({
      pull: (controller) => {
        if (offset >= body.byteLength) return controller.close();
        const end = Math.min(body.byteLength, offset + this.chunkBytes);
        controller.enqueue(body.subarray(offset, end));
        offset = end;
      },
    });
  }

  serve(path: string, body: Uint8Array, type?: string): void {
    this.files.set(path, { body, type });
  }

  /** index.json listing these files of clip-tiny. */
  index(files: Record<string, Uint8Array>): void {
    const json = {
      models: [
        {
          id: 'clip-tiny',
          files: Object.entries(files).map(([path, b]) => ({
            path,
            size: b.byteLength,
            sha256: sha(b),
          })),
        },
      ],
    };
    this.serve(
      '/models/index.json',
      new TextEncoder().encode(JSON.stringify(json)),
      'application/json',
    );
  }
}

function setup(options: Partial<ModelCacheOptions> = {}) {
  const cache = new MemoryCache();
  const network = new Network();
  const caches = { open: () => Promise.resolve(cache) } as unknown as CacheStorage;
  const make = () =>
    modelCacheFetch({
      fetch: network.fetch as unknown as typeof fetch,
      caches,
      origin: ORIGIN,
      estimate: () => Promise.resolve({ usage: 5_000_000, quota: 6_000_000 }),
      ...options,
    });
  /** A fresh source per "page load", as the worker makes one per model load. */
  const source = () => new FetchModelSource(BASE, { fetch: make() });
  return { cache, network, make, source };
}

const VISION = 'onnx/vision_model_quantized.onnx';
const TEXT = 'onnx/text_model_quantized.onnx';

describe('model cache', () => {
  it('stores a verified download and answers from the cache after, offline too', async () => {
    const { cache, network, source } = setup();
    const vision = bytes(5000, 3);
    network.serve(`/models/clip-tiny/${VISION}`, vision);
    network.index({ [VISION]: vision });

    expect(await source().read(VISION)).toEqual(vision);
    expect(cache.paths()).toEqual([
      '/models/clip-tiny/onnx/vision_model_quantized.onnx',
      '/models/index.json',
    ]);
    expect(cache.entries.get(`${BASE}${VISION}`)?.init.headers).toMatchObject({
      [SHA_HEADER.toLowerCase()]: sha(vision),
    });

    network.calls = [];
    network.offline = true;
    const offline = source();
    expect(await offline.read(VISION)).toEqual(vision);
    expect(await offline.exists(VISION)).toBe(true);
    // Only index.json was tried (and failed); the file and its HEAD came from the cache.
    expect(network.calls).toEqual(['GET /models/index.json']);
  });

  it('offline: a listed file that is not stored exists (HEAD 200), an unlisted one does not', async () => {
    const { network, source, make } = setup();
    const vision = bytes(100);
    const text = bytes(200, 5);
    network.serve(`/models/clip-tiny/${VISION}`, vision);
    network.serve(`/models/clip-tiny/${TEXT}`, text);
    network.index({ [VISION]: vision, [TEXT]: text });
    await source().read(VISION); // the text tower is never used online
    network.offline = true;

    const head = await make()(`${BASE}${TEXT}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get(NOT_STORED_HEADER)).toBe('1');
    expect(head.headers.get('Content-Length')).toBe('200');
    const offline = source();
    expect(await offline.exists(TEXT)).toBe(true);
    expect(await offline.exists('onnx/vision_model_fp16.onnx')).toBe(false);
    // Reading it fails, naming the file and why.
    const error = await failure(offline.read(TEXT));
    expect(error.name).toBe('ModelLoadFailed');
    expect(error.message).toContain(`${TEXT} is not stored for offline use and the network failed`);
  });

  it('offline without any index.json: only stored files exist', async () => {
    const { network, source } = setup();
    const vision = bytes(100);
    network.serve(`/models/clip-tiny/${VISION}`, vision); // no index.json on this server
    await source().read(VISION);
    network.offline = true;
    const offline = source();
    expect(await offline.exists(VISION)).toBe(true);
    expect(await offline.exists(TEXT)).toBe(false);
  });

  it('a damaged or truncated download fails as ModelFileInvalid naming the file, and is not stored', async () => {
    const { cache, network, source } = setup();
    const vision = bytes(4096, 9);
    network.index({ [VISION]: vision });
    const flipped = vision.slice();
    flipped[2000] = (flipped[2000] ?? 0) ^ 1;
    for (const [body, why] of [
      [flipped, /SHA-256 [0-9a-f]{64} does not match [0-9a-f]{64} in index\.json/],
      [vision.subarray(0, 1000), /truncated: 1000 bytes received, index\.json lists 4096/],
    ] as const) {
      network.serve(`/models/clip-tiny/${VISION}`, body);
      const error = await failure(source().read(VISION));
      expect(error).toBeInstanceOf(MumicError);
      expect(error.name).toBe('ModelFileInvalid');
      expect(error.message).toContain(`${VISION} of model clip-tiny is damaged`);
      expect(error.message).toMatch(why);
      expect(cache.paths()).not.toContain(`/models/clip-tiny/${VISION}`);
    }
  });

  it('a full storage fails the read with StorageQuotaExceeded naming the file and what to free', async () => {
    const { cache, network, source } = setup();
    const vision = bytes(3000);
    network.serve(`/models/clip-tiny/${VISION}`, vision);
    network.index({ [VISION]: vision });
    cache.quotaBytes = 2000;
    const error = await failure(source().read(VISION));
    expect(error.name).toBe('StorageQuotaExceeded');
    expect(error.message).toContain(
      `could not store ${VISION} of model clip-tiny for offline use (3 kB)`,
    );
    expect(error.message).toContain('(5.0 MB of 6.0 MB used)');
    expect(error.message).toContain('Free space: ');
  });

  it('with onStorageError, a full storage is reported and the file still used', async () => {
    const reported: MumicError[] = [];
    const { cache, network, source } = setup({ onStorageError: (e) => reported.push(e) });
    const vision = bytes(3000);
    network.serve(`/models/clip-tiny/${VISION}`, vision);
    cache.quotaBytes = 2000;
    expect(await source().read(VISION)).toEqual(vision);
    expect(reported.map((e) => e.name)).toEqual(['StorageQuotaExceeded']);
  });

  it('readThenStore: the bytes once checked, before they are stored; stored settles after', async () => {
    const { cache, network, source } = setup();
    const vision = bytes(3000, 3);
    network.serve(`/models/clip-tiny/${VISION}`, vision);
    network.index({ [VISION]: vision });
    let release = (): void => undefined;
    cache.gate = { path: VISION, open: new Promise((resolve) => (release = resolve)) };
    const { bytes: read, stored } = await source().readThenStore(VISION);
    expect(read).toEqual(vision);
    let settled = false;
    void stored.then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(settled).toBe(false);
    expect(cache.paths()).not.toContain(`/models/clip-tiny/${VISION}`);
    release();
    await stored;
    expect(cache.paths()).toContain(`/models/clip-tiny/${VISION}`);
  });

  it('readThenStore: a full storage rejects stored (by name), not the bytes', async () => {
    const { cache, network, source } = setup();
    const vision = bytes(3000);
    network.serve(`/models/clip-tiny/${VISION}`, vision);
    network.index({ [VISION]: vision });
    cache.quotaBytes = 2000;
    const { bytes: read, stored } = await source().readThenStore(VISION);
    expect(read).toEqual(vision);
    const error = await failure(stored);
    expect(error.name).toBe('StorageQuotaExceeded');
    expect(error.message).toContain(`could not store ${VISION} of model clip-tiny`);
  });

  it('a file arriving in many chunks is stored whole', async () => {
    const { cache, network, source } = setup();
    const vision = bytes(5000, 7);
    network.serve(`/models/clip-tiny/${VISION}`, vision);
    network.index({ [VISION]: vision });
    network.chunkBytes = 333;
    expect(await source().read(VISION)).toEqual(vision);
    expect(cache.entries.get(`${BASE}${VISION}`)?.body).toEqual(vision);
  });

  it('a damaged or cancelled download is not stored, and its outcome settles without blame', async () => {
    const reports: string[] = [];
    const report = (e: MumicError): void => void reports.push(e.name);
    const { cache, network, make } = setup({ onStorageError: report, onStorageWarning: report });
    const vision = bytes(4096, 9);
    network.index({ [VISION]: vision });
    network.chunkBytes = 1000;
    const f = make();
    network.serve(`/models/clip-tiny/${VISION}`, vision.subarray(0, 100));
    const damaged = await f(`${BASE}${VISION}`);
    expect((await failure(damaged.arrayBuffer())).name).toBe('ModelFileInvalid');
    await storedOutcome(damaged);

    network.serve(`/models/clip-tiny/${VISION}`, vision);
    const cancelled = await f(`${BASE}${VISION}`);
    const reader = (cancelled.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await reader.cancel();
    await storedOutcome(cancelled);
    expect(reports).toEqual([]);
    expect(cache.paths()).not.toContain(`/models/clip-tiny/${VISION}`);
  });

  it('other storage failures never stop the model: the file is used, a warning given', async () => {
    const warnings: string[] = [];
    const { network } = setup();
    const broken = {
      open: () => Promise.reject(new DOMException('no', 'SecurityError')),
    } as unknown as CacheStorage;
    const vision = bytes(10);
    network.serve(`/models/clip-tiny/${VISION}`, vision);
    const fetchNoStorage = modelCacheFetch({
      fetch: network.fetch as unknown as typeof fetch,
      caches: broken,
      origin: ORIGIN,
      onStorageWarning: (e) => warnings.push(e.name),
    });
    const source = new FetchModelSource(BASE, { fetch: fetchNoStorage });
    expect(await source.read(VISION)).toEqual(vision);
    expect(warnings).toEqual(['StorageFailed']);
  });

  it('a reinstalled model (new SHA-256 in index.json) is downloaded again; offline the old copy serves', async () => {
    const { network, source } = setup();
    const v1 = bytes(64, 1);
    const v2 = bytes(64, 2);
    network.serve(`/models/clip-tiny/${VISION}`, v1);
    network.index({ [VISION]: v1 });
    expect(await source().read(VISION)).toEqual(v1);
    network.serve(`/models/clip-tiny/${VISION}`, v2);
    network.index({ [VISION]: v2 });
    network.offline = true;
    // Offline, index.json is the stored (old) one: the stored file matches it.
    expect(await source().read(VISION)).toEqual(v1);
    network.offline = false;
    expect(await source().read(VISION)).toEqual(v2);
    network.calls = [];
    expect(await source().read(VISION)).toEqual(v2);
    expect(network.calls).toEqual(['GET /models/index.json']);
  });

  it('answers a single Range from a stored file, and HEAD without a body', async () => {
    const { network, make, source } = setup();
    const vision = bytes(1000);
    network.serve(`/models/clip-tiny/${VISION}`, vision);
    await source().read(VISION);
    network.offline = true;
    const f = make();
    const first = await f(`${BASE}${VISION}`, { headers: { Range: 'bytes=0-0' } });
    expect(first.status).toBe(206);
    expect(first.headers.get('Content-Range')).toBe('bytes 0-0/1000');
    expect(new Uint8Array(await first.arrayBuffer())).toEqual(vision.subarray(0, 1));
    const tail = await f(`${BASE}${VISION}`, { headers: { Range: 'bytes=-10' } });
    expect(new Uint8Array(await tail.arrayBuffer())).toEqual(vision.subarray(990));
    const past = await f(`${BASE}${VISION}`, { headers: { Range: 'bytes=5000-' } });
    expect(past.status).toBe(416);
    const head = await f(`${BASE}${VISION}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBeNull();
  });

  it('does not store HTML fallbacks, errors, other origins or other paths', async () => {
    const { cache, network, make } = setup();
    network.serve(
      '/models/clip-tiny/config.json',
      new TextEncoder().encode('<!doctype html>'),
      'text/html',
    );
    network.serve('/ort/x.wasm', bytes(10));
    const f = make();
    expect((await f(`${BASE}config.json`)).headers.get('Content-Type')).toBe('text/html');
    expect((await f(`${BASE}missing.json`)).status).toBe(404);
    expect((await f(`${ORIGIN}/ort/x.wasm`)).status).toBe(200);
    await f('https://elsewhere.example/models/clip-tiny/config.json').catch(() => undefined);
    expect(cache.paths().filter((p) => p !== '/models/index.json')).toEqual([]);
  });

  it('an aborted read is Cancelled, and stores nothing', async () => {
    const { cache, network } = setup();
    network.serve(`/models/clip-tiny/${VISION}`, bytes(10));
    const controller = new AbortController();
    controller.abort();
    const source = new FetchModelSource(BASE, {
      fetch: modelCacheFetch({
        fetch: network.fetch as unknown as typeof fetch,
        caches: { open: () => Promise.resolve(cache) } as unknown as CacheStorage,
        origin: ORIGIN,
        indexTimeoutMs: 10,
      }),
      init: { signal: controller.signal },
    });
    const error = await failure(source.read(VISION));
    expect(error.name).toBe('Cancelled');
    expect(cache.paths()).not.toContain(`/models/clip-tiny/${VISION}`);
  });
});
