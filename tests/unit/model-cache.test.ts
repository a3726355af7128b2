// The worker's model cache (src/worker/model-cache.ts) against an in-memory Cache Storage and a
// scripted network: what is stored, what is answered offline, what fails and how.
import { describe, expect, it } from 'vitest';
import { MumicError } from '../../src/core/errors.ts';
import { NOT_STORED_HEADER, SHA_HEADER, modelCacheFetch } from '../../src/worker/model-cache.ts';
import { FetchModelSource } from '../../src/worker/model-source-fetch.ts';
import { BASE, ORIGIN, TEXT, VISION, bytes, failure, setup, sha } from './model-cache-fakes.ts';

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
