// A classify call stores, scores and sends a batch while the model runs the next one: the model
// never waits for IndexedDB. Stores still happen one at a time, in order, and every photo is
// stored and sent (issue 16, session 12).
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { expect, test } from 'vitest';
import { NodeModelSource } from '../../src/cli/model-source-node.ts';
import type { ClipEncoder } from '../../src/runtime/clip-encoder.ts';
import { FallbackEncoder } from '../../src/runtime/fallback-encoder.ts';
import type { BatchUpdate } from '../../src/shared/worker-api.ts';
import { IdbStore } from '../../src/store/idb-store.ts';
import { createWorkerApi } from '../../src/worker/service.ts';
import { fakePreparer } from '../fake-preparer.ts';
import { FIXTURE_DIR } from '../fixture.ts';

test(
  'the next batch runs while the one before it is being stored',
  { timeout: 20_000 },
  async () => {
    const log: string[] = [];
    const store = new IdbStore(new IDBFactory());
    const putPhotos = store.putPhotos.bind(store);
    let release: () => void = () => undefined;
    const firstStoreHeld = new Promise<void>((r) => (release = r));
    // Let go after a few seconds anyway (a loaded machine prepares slowly): a model that waits for
    // the store fails below, instead of hanging.
    setTimeout(() => release(), 4000);
    let stores = 0;
    store.putPhotos = async (...args) => {
      const n = ++stores;
      log.push(`store ${n} begins`);
      if (n === 1) await firstStoreHeld; // the first write is slow
      await putPhotos(...args);
      log.push(`store ${n} ends`);
    };
    let runs = 0;
    const api = createWorkerApi({
      store,
      models: {
        source: () => new NodeModelSource(FIXTURE_DIR),
        preparer: fakePreparer({ floats: 1, pixel: (bytes) => (bytes[0] ?? 0) / 255 }),
        encoder: (_source, info) => {
          const encoder = {
            backend: 'wasm',
            // q8: one image per run, so each photo is its own batch.
            dtypes: { vision: 'q8', text: 'q8' },
            session: () => Promise.resolve(undefined),
            embedImages: (_pixels: Float32Array, batch: number) => {
              log.push(`run ${++runs}`);
              // The second run lets the first store finish.
              if (runs === 2) setTimeout(release, 20);
              return Promise.resolve(new Float32Array(batch * info.projectionDim).fill(runs));
            },
            release: () => Promise.resolve(),
          };
          return Promise.resolve(new FallbackEncoder(encoder as unknown as ClipEncoder, null));
        },
      },
    });
    await api.loadModel({ id: 'clip-tiny', baseUrl: 'unused/', wasmPaths: 'unused/' });
    const photos = ['one', 'two', 'three'].map((text, i) => ({
      key: i + 1,
      file: new Blob([text]),
      name: `${text}.png`,
      path: `dir/${text}.png`,
    }));
    const sent: number[] = [];
    const summary = await api.classify(photos, (update: BatchUpdate) => {
      for (const p of update.photos) sent.push(p.key);
    });
    expect(summary.progress.encoded).toBe(3);
    // The second run starts before the first store has ended.
    expect(log.indexOf('run 2')).toBeLessThan(log.indexOf('store 1 ends'));
    // Stores one at a time, in order; every photo sent, in order.
    expect(log.filter((l) => l.startsWith('store'))).toEqual([
      'store 1 begins',
      'store 1 ends',
      'store 2 begins',
      'store 2 ends',
      'store 3 begins',
      'store 3 ends',
    ]);
    expect(sent).toEqual([1, 2, 3]);
  },
);
