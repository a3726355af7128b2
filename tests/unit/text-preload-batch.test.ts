// The text tower's idle load waits for a classify call's end, not only for its image runs: the
// call's first batch is prepared before any run, and on a first visit that load has the browser
// store the text model (seconds of CPU) beside the batch (issue 16, session 9).
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { expect, test, vi } from 'vitest';
import { NodeModelSource } from '../../src/cli/model-source-node.ts';
import type { Tower } from '../../src/core/types.ts';
import type { ClipEncoder } from '../../src/runtime/clip-encoder.ts';
import { FallbackEncoder } from '../../src/runtime/fallback-encoder.ts';
import { IdbStore } from '../../src/store/idb-store.ts';
import { createWorkerApi } from '../../src/worker/service.ts';
import { fakePreparer } from '../fake-preparer.ts';
import { FIXTURE_DIR } from '../fixture.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('the text tower is not loaded while a classify call prepares its first batch', async () => {
  const sessions: Tower[] = [];
  const inner = fakePreparer({ floats: 1, pixel: (bytes) => (bytes[0] ?? 0) / 255 });
  let calls = 0;
  const api = createWorkerApi({
    store: new IdbStore(new IDBFactory()),
    models: {
      source: () => new NodeModelSource(FIXTURE_DIR),
      // The first batch takes longer than the preload's quiet second (a 12 MP photo can).
      preparer: {
        ...inner,
        prepare: async (...args) => {
          if (calls++ === 0) await sleep(1500);
          return inner.prepare(...args);
        },
      },
      encoder: (_source, info) => {
        const encoder = {
          backend: 'wasm',
          dtypes: { vision: 'fp32', text: 'fp32' },
          session: (tower: Tower) => (sessions.push(tower), Promise.resolve(undefined)),
          embedImages: (_pixels: Float32Array, batch: number) =>
            Promise.resolve(new Float32Array(batch * info.projectionDim).fill(1)),
          release: () => Promise.resolve(),
        };
        return Promise.resolve(new FallbackEncoder(encoder as unknown as ClipEncoder, null));
      },
    },
  });
  await api.loadModel({ id: 'clip-tiny', baseUrl: 'unused/', wasmPaths: 'unused/' });
  const photo = { key: 1, file: new Blob(['one']), name: 'a.png', path: 'dir/a.png' };
  await api.classify([photo], () => undefined);
  expect(sessions).not.toContain('text');
  // Then it loads, about a second after the call (polled: a loaded machine's timers run late).
  await vi.waitFor(() => expect(sessions).toContain('text'), { timeout: 10_000, interval: 50 });
});
