// The library is read from the store while the model's sessions open (ModelHost.onFolderRead):
// a reload's restore then finds it in memory instead of reading 10,000 records after the model.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { NodeModelSource } from '../../src/cli/model-source-node.ts';
import { imageEmbeddingKey, photoScope } from '../../src/core/cache-keys.ts';
import type { ClipEncoder } from '../../src/runtime/clip-encoder.ts';
import { FallbackEncoder } from '../../src/runtime/fallback-encoder.ts';
import { IdbStore } from '../../src/store/idb-store.ts';
import { createWorkerApi } from '../../src/worker/service.ts';
import { FIXTURE_DIR } from '../fixture.ts';

const REQUEST = { id: 'clip-tiny', baseUrl: 'unused/', wasmPaths: 'unused/' };

describe('library preload', () => {
  it('reads the stored photos before the vision session is open', async () => {
    const store = new IdbStore(new IDBFactory(), { moveThumbnailsAfterMs: false });
    const dim = 32;
    const scope = photoScope('clip-tiny', 'fp32');
    const record = (i: number) => ({
      id: `p${i}`,
      name: `p${i}.jpg`,
      path: `p${i}.jpg`,
      size: 1,
      type: 'image/jpeg',
      seq: i,
      hash: `h${i}`,
    });
    const vector = (i: number) => Float32Array.from({ length: dim }, (_, k) => (k === i ? 1 : 0));
    await store.putPhotos(
      scope,
      [0, 1, 2].map(record),
      [0, 1, 2].map((i) => [imageEmbeddingKey('clip-tiny', 'fp32', `h${i}`), vector(i)] as const),
    );
    const listed: boolean[] = [];
    let sessionsOpen = false;
    const counting = Object.create(store) as IdbStore;
    counting.listPhotos = (s) => {
      listed.push(sessionsOpen);
      return store.listPhotos(s);
    };
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const api = createWorkerApi({
      store: counting,
      models: {
        source: () => new NodeModelSource(FIXTURE_DIR),
        encoder: async (_source, info) => {
          await gate;
          sessionsOpen = true;
          const fake = { backend: 'wasm', dtypes: { vision: 'fp32', text: 'fp32' } };
          expect(info.projectionDim).toBe(dim);
          return new FallbackEncoder(fake as unknown as ClipEncoder, null);
        },
      },
    });
    const loading = api.loadModel({ ...REQUEST, backend: 'wasm', dtype: 'fp32' as const });
    for (let i = 0; i < 100 && listed.length === 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(listed).toEqual([false]);
    open();
    await loading;
    const restored = await api.restore();
    expect(restored.photos.map((p) => p.id)).toEqual(['p0', 'p1', 'p2']);
    // Read once: the restore took the preloaded library.
    expect(listed).toEqual([false]);
  });
});
