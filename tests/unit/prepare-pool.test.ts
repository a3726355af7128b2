// Issue 16: preparation ahead of the model (one batch per preparing thread), the pool sizes and
// its nested workers (the text tower's idle load: text-preload-timing.test.ts).
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import {
  EMBED_BESIDE_MAX_BYTES,
  embedImages,
  type PreparedBatch,
} from '../../src/core/embed-images.ts';
import { parseImageProcessorConfig } from '../../src/core/preprocess-config.ts';
import { readAppParams } from '../../src/ui/app-params.ts';
import type {
  EmbedderRequest,
  PrepareReply,
  PrepareRequest,
} from '../../src/worker/prepare-protocol.ts';
import {
  COPY_IDLE_MS,
  PreparePool,
  defaultPrepareWorkers,
  wasmThreadsBeside,
} from '../../src/worker/prepare-thread.ts';

const processor = parseImageProcessorConfig({
  do_resize: true,
  size: { shortest_edge: 2 },
  do_center_crop: true,
  crop_size: { height: 2, width: 2 },
  image_mean: [0, 0, 0],
  image_std: [1, 1, 1],
});

describe('embedImages prefetch', () => {
  test('keeps `prefetch` batches in preparation while the model runs one', async () => {
    const started: number[] = [];
    let inFlightAtFirstRun = 0;
    const outcomes = embedImages([0, 1, 2, 3, 4, 5], {
      processor,
      dim: 1,
      batchSize: 1,
      prefetch: 3,
      prepare: (items, start): Promise<PreparedBatch> => {
        started.push(start);
        return Promise.resolve({ pixels: new Float32Array(12), indices: [start], failures: [] });
      },
      embedder: {
        embedImages: () => {
          inFlightAtFirstRun ||= started.length;
          return Promise.resolve(new Float32Array(1));
        },
      },
    });
    let n = 0;
    for await (const batch of outcomes) n += batch.length;
    expect(n).toBe(6);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    // The batch being run, plus three ahead of it.
    expect(inFlightAtFirstRun).toBe(4);
  });
});

describe('embedImages adopt', () => {
  test("a batch's embeddings made where it was prepared stand in for the run, if adopted", async () => {
    const runs: number[] = [];
    const offered: number[] = [];
    const outcomes = embedImages([0, 1, 2, 3], {
      processor,
      dim: 2,
      batchSize: 1,
      prepare: (items, start): Promise<PreparedBatch> =>
        Promise.resolve({
          pixels: new Float32Array(12),
          indices: [start],
          failures: [],
          // 0: none; 1: refused by the embedder (another model); 2: taken; 3: a row too many.
          ...(start > 0 ? { embeddings: new Float32Array(start === 3 ? 3 : 2).fill(start) } : {}),
        }),
      embedder: {
        embedImages: () => {
          runs.push(runs.length);
          return Promise.resolve(Float32Array.of(-1, -1));
        },
        adopt: (batch) => {
          offered.push(batch.indices[0] ?? -1);
          return batch.indices[0] === 1 ? undefined : batch.embeddings;
        },
      },
    });
    const got: number[][] = [];
    for await (const batch of outcomes) {
      for (const o of batch) got.push('embedding' in o ? [...o.embedding] : []);
    }
    expect(got).toEqual([
      [-1, -1],
      [-1, -1],
      [2, 2],
      [-1, -1],
    ]);
    expect(runs).toHaveLength(3);
    // Embeddings of the wrong size are never offered to adopt.
    expect(offered).toEqual([1, 2]);
  });
});

describe('prepare pool sizes', () => {
  test("browser: the cores onnxruntime-web's threads leave, at least one (WebGPU: all but one)", () => {
    expect(defaultPrepareWorkers(1, 'wasm')).toBe(0);
    expect(defaultPrepareWorkers(2, 'wasm')).toBe(1);
    expect(defaultPrepareWorkers(4, 'wasm')).toBe(1);
    expect(defaultPrepareWorkers(8, 'wasm')).toBe(4);
    expect(defaultPrepareWorkers(16, undefined)).toBe(12);
    expect(defaultPrepareWorkers(8, 'webgpu')).toBe(7);
    expect(defaultPrepareWorkers(2, 'webgpu')).toBe(1);
    // The pool, asked for or by default, leaves the model the other cores (1 to 4); with none or
    // WebGPU the runtime decides.
    expect(wasmThreadsBeside(1, 'wasm', 2)).toBe(1);
    expect(wasmThreadsBeside(0, 'wasm', 2)).toBe(2);
    expect(wasmThreadsBeside(4, 'wasm', 2)).toBe(1);
    expect(wasmThreadsBeside(2, 'wasm', 16)).toBe(4);
    expect(wasmThreadsBeside(undefined, 'wasm', 2)).toBe(1);
    expect(wasmThreadsBeside(true, 'wasm', 2)).toBe(1);
    expect(wasmThreadsBeside(undefined, 'wasm', 4)).toBe(3);
    expect(wasmThreadsBeside(undefined, 'wasm', 16)).toBe(4);
    expect(wasmThreadsBeside(false, 'wasm', 2)).toBeUndefined();
    expect(wasmThreadsBeside(1, 'webgpu', 2)).toBeUndefined();
  });

  test('?prepare= takes worker, inline or a count', () => {
    expect(readAppParams('?prepare=worker').prepareWorker).toBe(true);
    expect(readAppParams('?prepare=inline').prepareWorker).toBe(false);
    expect(readAppParams('?prepare=3').prepareWorker).toBe(3);
    expect(readAppParams('?prepare=0').prepareWorker).toBe(0);
    expect(readAppParams('?prepare=x').prepareWorker).toBeUndefined();
  });
});

/** A nested worker: says `start` once created, and prepares every batch as empty. */
class FakeWorker {
  static made: FakeWorker[] = [];
  static start: 'ready' | 'unusable' | 'silent' = 'ready';
  onmessage: ((event: { data: PrepareReply }) => void) | undefined;
  onerror: unknown;
  onmessageerror: unknown;
  posted: PrepareRequest[] = [];
  embedders: EmbedderRequest[] = [];
  /** Its answer to a copy of the vision tower: loaded, or failed. */
  static copies: 'load' | 'fail' = 'load';
  terminated = false;

  constructor() {
    FakeWorker.made.push(this);
    const start = FakeWorker.start;
    if (start === 'ready') setTimeout(() => this.onmessage?.({ data: { type: 'ready' } }));
    if (start === 'unusable') {
      const message = 'the JPEG decoder did not start';
      setTimeout(() => this.onmessage?.({ data: { type: 'unusable', message } }));
    }
  }

  postMessage(request: PrepareRequest | EmbedderRequest): void {
    if (request.type === 'embedder') {
      this.embedders.push(request);
      const { generation, model } = request;
      if (!model) return;
      const data: PrepareReply =
        FakeWorker.copies === 'load'
          ? { type: 'embedder', generation, dtype: model.dtype }
          : { type: 'embedder-failed', generation, message: 'out of memory' };
      setTimeout(() => this.onmessage?.({ data }));
      return;
    }
    this.posted.push(request);
    const batch = { pixels: new Float32Array(0), indices: [], failures: [], thumbnails: [] };
    setTimeout(() => this.onmessage?.({ data: { type: 'prepared', id: request.id, batch } }));
  }

  terminate(): void {
    this.terminated = true;
  }
}

function stubWorkers(): void {
  FakeWorker.made = [];
  FakeWorker.start = 'ready';
  FakeWorker.copies = 'load';
  vi.stubGlobal('Worker', FakeWorker);
  // The warm-up of this thread's decoder: nothing to fetch here.
  vi.stubGlobal('fetch', () => Promise.reject(new Error('offline')));
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
}

/** A pool of one worker, once it has answered. */
async function pool(): Promise<{ pool: PreparePool; worker: FakeWorker }> {
  const p = new PreparePool();
  p.configure(1, 'wasm');
  await vi.advanceTimersByTimeAsync(1);
  return { pool: p, worker: FakeWorker.made[0] as FakeWorker };
}

/** A batch after a call's first (the first is prepared in this thread), once answered. */
async function later(p: PreparePool, known?: ReadonlySet<string>) {
  const batch = p.prepare([], 8, processor, true, known);
  await vi.advanceTimersByTimeAsync(1);
  return batch;
}

// The known hashes are sent to a worker once and then only their changes (not a whole library
// per classify call); a worker whose decoder cannot start, or that never says it is ready, is
// ended and its work prepared here.
describe('PreparePool with its nested workers faked', () => {
  beforeEach(stubWorkers);
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  test('sends the known hashes once, then only what changed', async () => {
    vi.useFakeTimers();
    const { pool: p, worker } = await pool();
    const first = new Set(['a', 'b']);
    await later(p, first);
    await later(p, first); // the same call's next batch
    await later(p, new Set(['b', 'c'])); // the next call: a removed, c added
    await later(p, new Set(['b', 'c'])); // another call, nothing changed
    await later(p); // no hashing asked for (embedImages)
    const changes = worker.posted.map((r) => [r.knownAdded, r.knownRemoved]);
    expect(changes).toEqual([
      [['a', 'b'], []],
      [undefined, undefined],
      [['c'], ['a']],
      [[], []],
      [undefined, undefined],
    ]);
  });

  test('workers with a copy of the vision tower embed; this thread takes a batch beside', async () => {
    vi.useFakeTimers();
    const { pool: p, worker } = await pool();
    p.embedWith({ baseUrl: 'm/', wasmPaths: 'o/', dtype: 'q8' });
    expect(worker.embedders).toEqual([]); // not before a batch (or an idle moment)
    await later(p); // asks for the copy; this batch is only prepared
    expect(worker.embedders.map((r) => r.model?.dtype)).toEqual(['q8']);
    const batches = [16, 24, 32].map((start) => p.prepare([], start, processor));
    await vi.advanceTimersByTimeAsync(1);
    await Promise.all(batches);
    // 16: the worker owes none; 24: it owes one and none is here, so here; 32: to the worker.
    expect(worker.posted.map((r) => [r.start, r.embed])).toEqual([
      [8, undefined],
      [16, true],
      [32, true],
    ]);
    p.embedWith(undefined); // another model, or WebGPU: the copy is released
    expect(worker.embedders.at(-1)?.model).toBeUndefined();
    await later(p);
    expect(worker.posted.at(-1)?.embed).toBeUndefined();
  });

  test('large photos are only prepared there, and do not load the copy', async () => {
    vi.useFakeTimers();
    const { pool: p, worker } = await pool();
    p.embedWith({ baseUrl: 'm/', wasmPaths: 'o/', dtype: 'q8' });
    const large = [new Blob([new Uint8Array(EMBED_BESIDE_MAX_BYTES + 1)])];
    const batches = [8, 16].map((start) => p.prepare(large, start, processor));
    await vi.advanceTimersByTimeAsync(1);
    await Promise.all(batches);
    expect(worker.embedders).toEqual([]);
    expect(worker.posted.map((r) => r.embed)).toEqual([undefined, undefined]);
  });

  test('a copy that fails to load leaves the worker preparing only', async () => {
    vi.useFakeTimers();
    FakeWorker.copies = 'fail';
    const { pool: p, worker } = await pool();
    p.embedWith({ baseUrl: 'm/', wasmPaths: 'o/', dtype: 'q8' });
    await later(p);
    await later(p);
    expect(worker.embedders).toHaveLength(1); // not asked again for the same model
    expect(worker.posted.map((r) => r.embed)).toEqual([undefined, undefined]);
  });

  test('a copy unused for a minute is released; the next batch loads it again', async () => {
    vi.useFakeTimers();
    const { pool: p, worker } = await pool();
    p.embedWith({ baseUrl: 'm/', wasmPaths: 'o/', dtype: 'q8' });
    await later(p);
    await vi.advanceTimersByTimeAsync(COPY_IDLE_MS - 1000);
    await later(p); // a batch: the minute starts again
    await vi.advanceTimersByTimeAsync(COPY_IDLE_MS - 1000);
    expect(worker.embedders.map((r) => r.model !== undefined)).toEqual([true]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(worker.embedders.map((r) => r.model !== undefined)).toEqual([true, false]);
    await later(p);
    expect(worker.embedders.map((r) => r.model !== undefined)).toEqual([true, false, true]);
  });

  test('a worker whose decoder cannot start is ended; its batches are prepared here', async () => {
    vi.useFakeTimers();
    FakeWorker.start = 'unusable';
    const { pool: p, worker } = await pool();
    expect(worker.terminated).toBe(true);
    const batch = await later(p, new Set(['a']));
    expect(batch.indices).toEqual([]);
    expect(worker.posted).toEqual([]);
    expect(p.depth).toBe(2);
  });

  test('a worker that never says it is ready is ended after the watchdog', async () => {
    vi.useFakeTimers();
    FakeWorker.start = 'silent';
    const { pool: p, worker } = await pool();
    expect(worker.terminated).toBe(false);
    expect(p.depth).toBe(2); // one starting worker, plus one
    await vi.advanceTimersByTimeAsync(120_000);
    expect(worker.terminated).toBe(true);
    await later(p);
    expect(worker.posted).toEqual([]);
  });
});
