// Issue 10, item 3: WebGPU failing mid-batch (or its device lost) moves the model to WASM once;
// the failed batch is re-run there at the fallback's run size, vectors are stored under the dtype
// that made them, label vectors follow the new text dtype, and the page is told. The towers are
// fakes whose outputs depend on their dtype (and, for q8, on the run's batch size, as dynamic
// int8 does), so any mixing shows in the numbers.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { NodeModelSource } from '../../src/cli/model-source-node.ts';
import { imageEmbeddingKey, photoScope } from '../../src/core/cache-keys.ts';
import { MumicError } from '../../src/core/errors.ts';
import type { Backend, Dtype } from '../../src/core/types.ts';
import type { ClipEncoder, TokenBatch } from '../../src/runtime/clip-encoder.ts';
import { FallbackEncoder } from '../../src/runtime/fallback-encoder.ts';
import type { BatchUpdate, PhotoInput } from '../../src/shared/worker-api.ts';
import { IdbStore } from '../../src/store/idb-store.ts';
import type { MumicStore } from '../../src/store/types.ts';
import { createWorkerApi } from '../../src/worker/service.ts';
import { fakePreparer } from '../fake-preparer.ts';
import { FIXTURE_DIR } from '../fixture.ts';

const DIM = 32;
const PER = 4;

interface Tower {
  encoder: ClipEncoder;
  /** "vision:<batch>" / "text:<batch>" per run. */
  runs: string[];
  /** Makes the next image runs fail (undefined: none). */
  failImageRun?: number | undefined;
  /** Makes every text run fail from now on. */
  failText?: boolean;
  released: boolean;
}

function tower(backend: Backend, dtype: Dtype): Tower {
  const state: Tower = { runs: [], released: false, encoder: undefined as unknown as ClipEncoder };
  const offset = dtype === 'q8' ? 0.5 : 0;
  let imageRuns = 0;
  const check = () => {
    if (state.released) throw new MumicError('InferenceFailed', `${backend} released`);
  };
  state.encoder = {
    backend,
    dtypes: { vision: dtype, text: dtype },
    session: () => Promise.resolve(undefined),
    embedImages(pixels: Float32Array, batch: number) {
      check();
      state.runs.push(`vision:${batch}`);
      if (++imageRuns === state.failImageRun) {
        return Promise.reject(new MumicError('InferenceFailed', 'vision tower on webgpu: boom'));
      }
      const skew = dtype === 'q8' ? 0.01 * batch : 0;
      const out = new Float32Array(batch * DIM);
      for (let i = 0; i < batch; i++)
        for (let k = 0; k < DIM; k++)
          out[i * DIM + k] = (pixels[i * PER + (k % PER)] ?? 0) + offset + skew + k / DIM;
      return Promise.resolve(out);
    },
    embedTexts(tokens: TokenBatch) {
      check();
      state.runs.push(`text:${tokens.batch}`);
      if (state.failText) {
        return Promise.reject(new MumicError('InferenceFailed', 'text tower on webgpu: boom'));
      }
      const out = new Float32Array(tokens.batch * DIM);
      for (let i = 0; i < tokens.batch; i++)
        for (let k = 0; k < DIM; k++)
          out[i * DIM + k] = Math.sin(Number(tokens.inputIds[i * tokens.length + 1]) + k + offset);
      return Promise.resolve(out);
    },
    release() {
      state.released = true;
      return Promise.resolve();
    },
  } as unknown as ClipEncoder;
  return state;
}

const preparer = fakePreparer({
  floats: PER,
  pixel: (bytes, k) => (bytes[bytes.length - 1 - k] ?? 0) / 255,
});

function worker(store: MumicStore, encoder: () => FallbackEncoder) {
  return createWorkerApi({
    store,
    models: {
      source: () => new NodeModelSource(FIXTURE_DIR),
      preparer,
      encoder: () => Promise.resolve(encoder()),
    },
  });
}

const LABELS = [
  { id: 'pool', prompt: 'pool' },
  { id: 'beach', prompt: 'beach' },
  { id: 'dog', prompt: 'dog' },
];

const inputs: PhotoInput[] = Array.from({ length: 20 }, (_, i) => ({
  key: i,
  file: new Blob([`photo number ${i * 7}`], { type: 'image/png' }),
  name: `p${i}.png`,
  path: `dir/p${i}.png`,
}));

async function run(api: ReturnType<typeof worker>) {
  await api.loadModel({ id: 'clip-tiny', baseUrl: 'unused/', wasmPaths: 'unused/' });
  await api.setLabels(LABELS, ['a photo of a {}.']);
  const updates: BatchUpdate[] = [];
  await api.classify(inputs, (u) => void updates.push(u));
  const scores = new Map<string, number[]>();
  for (const u of updates) {
    const m = u.table.labelIds.length;
    u.table.photoIds.forEach((id, i) =>
      scores.set(id, [...u.table.scores.slice(i * m, i * m + m)]),
    );
  }
  const records = updates.flatMap((u) => u.photos.map((p) => p.record));
  return { updates, scores, records };
}

/** 20 photos on q4 WebGPU whose second image run fails (WASM q8 takes over). */
async function runFailingAt2() {
  const gpu = tower('webgpu', 'q4');
  gpu.failImageRun = 2;
  const cpu = tower('wasm', 'q8');
  const store = new IdbStore(new IDBFactory());
  const api = worker(
    store,
    () => new FallbackEncoder(gpu.encoder, () => Promise.resolve(cpu.encoder)),
  );
  return { gpu, cpu, store, api, switched: await run(api) };
}

describe('a WebGPU run failing mid-batch', () => {
  it('re-runs the batch on WASM one image per run, stores and scores under q8', async () => {
    const { gpu, cpu, store, api, switched } = await runFailingAt2();

    // The first batch ran on WebGPU; the failed one and the rest on WASM, one image per run.
    expect(gpu.runs.filter((r) => r.startsWith('vision'))).toEqual(['vision:8', 'vision:8']);
    const cpuImages = cpu.runs.filter((r) => r.startsWith('vision'));
    expect(cpuImages).toHaveLength(12);
    expect(new Set(cpuImages)).toEqual(new Set(['vision:1']));
    // Label vectors were made again by the q8 text tower, one text per run.
    expect(new Set(cpu.runs.filter((r) => r.startsWith('text')))).toEqual(new Set(['text:1']));

    // Stored under the dtype that made them: 8 under q4 (still valid there), 12 under q8.
    const hashes = switched.records.map((r) => r.hash as string);
    const under = (dtype: Dtype) =>
      store.getImageEmbeddings(hashes.map((h) => imageEmbeddingKey('clip-tiny', dtype, h)));
    const q4 = await under('q4');
    const q8 = await under('q8');
    expect(q4.map((v) => v !== undefined)).toEqual(hashes.map((_, i) => i < 8));
    expect(q8.map((v) => v !== undefined)).toEqual(hashes.map((_, i) => i >= 8));
    expect(await store.listPhotos(photoScope('clip-tiny', 'q4'))).toHaveLength(8);
    expect(await store.listPhotos(photoScope('clip-tiny', 'q8'))).toHaveLength(12);

    // The page hears of the switch once, with the reason.
    const told = switched.updates.flatMap((u) => (u.model ? [u.model] : []));
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ backend: 'wasm', dtypes: { vision: 'q8', text: 'q8' } });
    expect(told[0]?.fallbackReason).toMatch(/webgpu failed: .*boom/);
    expect((await api.status())?.backend).toBe('wasm');

    // The scores of what ran on WASM equal a WASM-only worker's (the CLI's path at q8).
    const alone = await run(
      worker(
        new IdbStore(new IDBFactory()),
        () => new FallbackEncoder(tower('wasm', 'q8').encoder, null),
      ),
    );
    for (const record of switched.records.slice(8)) {
      const want = alone.scores.get(record.id) as number[];
      const got = switched.scores.get(record.id) as number[];
      got.forEach((s, j) => expect(s).toBeCloseTo(want[j] as number, 6));
    }
    // A reload on q8 restores the 12 it stored.
    expect(await photosOnReloadAtQ8(store, LABELS)).toBe(12);
  });
});

/** A new worker over `store`, on WASM q8 as after a reload: how many photos it restores. */
async function photosOnReloadAtQ8(store: IdbStore, labels: typeof LABELS): Promise<number> {
  const reload = worker(store, () => new FallbackEncoder(tower('wasm', 'q8').encoder, null));
  await reload.loadModel({ id: 'clip-tiny', baseUrl: 'unused/', wasmPaths: 'unused/' });
  await reload.setLabels(labels, ['a photo of a {}.']);
  return (await reload.restore()).table.photoIds.length;
}

describe('photos encoded before the switch', () => {
  it('are named to the page, and sent again they join the q8 scope, rescored by new labels', async () => {
    const { store, api, switched } = await runFailingAt2();
    const told = switched.updates.filter((u) => u.model);
    const firstBatch = switched.records.slice(0, 8).map((r) => r.id);
    expect(told[0]?.leftBehind?.sort()).toEqual([...firstBatch].sort());

    // The page sends their files again (ui/state/resend.ts): encoded on WASM, stored under q8.
    const byId = new Map(switched.records.map((r, i) => [r.id, inputs[i] as PhotoInput]));
    const again: BatchUpdate[] = [];
    await api.classify(
      firstBatch.map((id) => byId.get(id) as PhotoInput),
      (u) => void again.push(u),
    );
    expect(again.flatMap((u) => u.photos.map((p) => p.record.id)).sort()).toEqual(
      [...firstBatch].sort(),
    );
    expect(await store.listPhotos(photoScope('clip-tiny', 'q8'))).toHaveLength(20);
    expect(await store.listPhotos(photoScope('clip-tiny', 'q4'))).toHaveLength(8);

    // A label added now scores every photo; a reload on q8 shows all 20.
    const more = [...LABELS, { id: 'cat', prompt: 'cat' }];
    const relabelled = await api.setLabels(more, ['a photo of a {}.']);
    expect(relabelled.table.labelIds).toContain('cat');
    expect(relabelled.table.photoIds).toHaveLength(20);
    expect(await photosOnReloadAtQ8(store, more)).toBe(20);
  });
});

describe('a WebGPU text run failing in a label set', () => {
  it('the label set result tells the page, naming the photos stored before', async () => {
    const gpu = tower('webgpu', 'q4');
    const cpu = tower('wasm', 'q8');
    const api = worker(
      new IdbStore(new IDBFactory()),
      () => new FallbackEncoder(gpu.encoder, () => Promise.resolve(cpu.encoder)),
    );
    const before = await run(api);
    expect(before.updates.some((u) => u.model)).toBe(false);
    gpu.failText = true;
    const result = await api.setLabels([...LABELS, { id: 'cat', prompt: 'cat' }], ['{}']);
    expect(result.model).toMatchObject({ backend: 'wasm', dtypes: { vision: 'q8' } });
    expect(result.leftBehind?.sort()).toEqual(before.records.map((r) => r.id).sort());
    // Told once: the next batch does not repeat it.
    const next: BatchUpdate[] = [];
    await api.classify(inputs.slice(0, 2), (u) => void next.push(u));
    expect(next.some((u) => u.model || u.leftBehind)).toBe(false);
  });
});

describe('a switch found by a classify call that ends before any update', () => {
  /** 20 photos stored on q4; the device is lost while idle; a call with nothing to send. */
  async function lostWhileIdle() {
    const gpu = tower('webgpu', 'q4');
    const encoder = new FallbackEncoder(gpu.encoder, () =>
      Promise.resolve(tower('wasm', 'q8').encoder),
    );
    const api = worker(new IdbStore(new IDBFactory()), () => encoder);
    const before = await run(api);
    encoder.watch(Promise.resolve('gone'));
    await new Promise((r) => setTimeout(r, 0));
    const updates: BatchUpdate[] = [];
    await api.classify([], (u) => void updates.push(u));
    expect(updates).toEqual([]);
    return { api, ids: before.records.map((r) => r.id) };
  }

  it('hands the photos left behind to the next result, which names them', async () => {
    const { api, ids } = await lostWhileIdle();
    const result = await api.setLabels(LABELS, ['a photo of a {}.']);
    expect(result.model).toMatchObject({ backend: 'wasm' });
    expect(result.leftBehind?.sort()).toEqual([...ids].sort());
  });

  it('forgets them on a Clear all (nothing is left to send again)', async () => {
    const { api } = await lostWhileIdle();
    // A restore finds the switch too (and names no one).
    await api.restore();
    await api.clearAll();
    const result = await api.setLabels(LABELS, ['a photo of a {}.']);
    expect(result.leftBehind).toBeUndefined();
  });
});

describe('FallbackEncoder switching', () => {
  const pixels = new Float32Array(2 * PER).fill(0.25);
  const tokens: TokenBatch = {
    inputIds: new BigInt64Array(2 * 3),
    attentionMask: new BigInt64Array(2 * 3),
    batch: 2,
    length: 3,
  };

  it('a call arriving during the switch waits for it and runs on the fallback', async () => {
    const gpu = tower('webgpu', 'fp32');
    gpu.failImageRun = 1;
    const cpu = tower('wasm', 'q8');
    let ready: () => void = () => undefined;
    const made = new Promise<void>((r) => (ready = r));
    const encoder = new FallbackEncoder(gpu.encoder, () => made.then(() => cpu.encoder));
    const failing = encoder.embedImagesTagged(pixels, 2);
    await new Promise((r) => setTimeout(r, 0));
    const arriving = encoder.embedTextsTagged(tokens);
    await new Promise((r) => setTimeout(r, 0));
    expect(gpu.runs).toEqual(['vision:2']);
    ready();
    const [images, texts] = await Promise.all([failing, arriving]);
    expect(images.dtypes.vision).toBe('q8');
    expect(texts.backend).toBe('wasm');
    expect(cpu.runs.sort()).toEqual(['text:1', 'text:1', 'vision:1', 'vision:1']);
    expect(gpu.released).toBe(true);
  });

  it('GPUDevice.lost between runs switches the same way', async () => {
    const gpu = tower('webgpu', 'fp32');
    const cpu = tower('wasm', 'q8');
    const encoder = new FallbackEncoder(gpu.encoder, () => Promise.resolve(cpu.encoder));
    expect((await encoder.embedImagesTagged(pixels, 2)).backend).toBe('webgpu');
    encoder.watch(Promise.resolve('the GPU process crashed'));
    await new Promise((r) => setTimeout(r, 0));
    expect(encoder.backend).toBe('wasm');
    expect(encoder.reason).toBe('webgpu device lost: the GPU process crashed');
    expect((await encoder.embedImagesTagged(pixels, 2)).dtypes.vision).toBe('q8');
    expect(gpu.runs).toEqual(['vision:2']);
  });

  it('a released encoder does not switch on a late device loss', async () => {
    const gpu = tower('webgpu', 'fp32');
    let made = 0;
    const encoder = new FallbackEncoder(gpu.encoder, () => {
      made++;
      return Promise.resolve(tower('wasm', 'q8').encoder);
    });
    await encoder.release();
    encoder.watch(Promise.resolve('destroyed late'));
    await new Promise((r) => setTimeout(r, 0));
    expect(made).toBe(0);
  });
});
