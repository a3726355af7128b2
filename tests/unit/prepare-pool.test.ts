// Issue 16: preparation ahead of the model (one batch per preparing thread), the pool sizes, and
// the text tower loaded only while no image runs.
import { afterEach, describe, expect, test, vi } from 'vitest';
import { embedImages, type PreparedBatch } from '../../src/core/embed-images.ts';
import { parseImageProcessorConfig } from '../../src/core/preprocess-config.ts';
import { readAppParams } from '../../src/ui/app-params.ts';
import { defaultPrepareWorkers, wasmThreadsBeside } from '../../src/worker/prepare-thread.ts';
import { IdlePreload } from '../../src/worker/text-preload.ts';

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

describe('IdlePreload', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test('loads once nothing has run for a second, not while an image run is going', async () => {
    vi.useFakeTimers();
    const preload = new IdlePreload();
    const load = vi.fn(() => Promise.resolve());
    let finish = (): void => undefined;
    const run = preload.busyWhile(() => new Promise<void>((r) => (finish = r)));
    preload.schedule(load);
    await vi.advanceTimersByTimeAsync(5000);
    expect(load).not.toHaveBeenCalled();
    finish();
    await run;
    await vi.advanceTimersByTimeAsync(900);
    expect(load).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(300);
    expect(load).toHaveBeenCalledTimes(1);
  });

  test('a cancelled load never starts', async () => {
    vi.useFakeTimers();
    const preload = new IdlePreload();
    const load = vi.fn(() => Promise.resolve());
    preload.schedule(load);
    preload.cancel();
    await vi.advanceTimersByTimeAsync(5000);
    expect(load).not.toHaveBeenCalled();
  });
});
