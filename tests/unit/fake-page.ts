// A page (ui/state/photo-state.ts) over a fake App whose classify calls the test answers one by
// one: for tests of the batch queue without a worker or a DOM.
import type { BatchSummary, BatchUpdate, PhotoInput } from '../../src/shared/worker-api.ts';
import type { App } from '../../src/ui/app.ts';
import { PhotoState } from '../../src/ui/state/photo-state.ts';

const table = {
  version: 1,
  labelIds: [],
  photoIds: [],
  scores: new Float32Array(),
  cosines: new Float32Array(),
};
export const progress = { done: 1, total: 1, encoded: 1, fromCache: 0, failed: 0, elapsedMs: 0 };
export const model = { backend: 'wasm', dtypes: { vision: 'q8', text: 'q8' } };

export type Call = ReturnType<typeof page>['calls'][number];

/** A page whose classify calls the test answers one by one (`calls`). */
export function page() {
  const calls: {
    inputs: PhotoInput[];
    onUpdate: (u: BatchUpdate) => void;
    resolve: (s: BatchSummary) => void;
    reject: (e: unknown) => void;
  }[] = [];
  const removed: string[][] = [];
  const notices: string[] = [];
  const app = {
    modelPhase: 'ready',
    messages: {
      notify: () => undefined,
      notifyInfo: (text: string) => notices.push(text),
      warnStorage: () => undefined,
    },
    tabs: { photosAdded: () => undefined, photosRemoved: () => undefined },
    keywords: { read: () => undefined, photosAdded: () => undefined },
    labelSet: { labels: [], disabled: new Set() },
    changed: () => undefined,
    workerRecovered: () => undefined,
    bridge: {
      classify: (inputs: PhotoInput[], onUpdate: (u: BatchUpdate) => void) =>
        new Promise<BatchSummary>((resolve, reject) =>
          calls.push({ inputs, onUpdate, resolve, reject }),
        ),
      removePhotos: (ids: string[]) => {
        removed.push(ids);
        return Promise.resolve();
      },
      cancel: () => Promise.resolve(),
    },
  } as unknown as App;
  const library = new PhotoState(app);
  (app as { library: PhotoState }).library = library;
  library.restored = true;
  return { library, calls, removed, notices };
}

export const tick = () => new Promise((r) => setTimeout(r, 0));

/** The call's update storing photo `id` for its input, then its end. */
export function answer(call: Call, id: string): void {
  const input = call.inputs[0] as PhotoInput;
  const record = { id, name: input.name, path: input.path, size: 1, type: 'image/png', seq: 0 };
  call.onUpdate({
    photos: [{ key: input.key, record }],
    table,
    progress,
    counters: {},
  } as unknown as BatchUpdate);
  call.resolve({ progress, cancelled: [], counters: {} } as unknown as BatchSummary);
}
