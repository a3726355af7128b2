// Photos sent again after a backend switch (issue 10, item 3; ui/state/resend.ts) already have an
// id: removed by id while their classify call runs, the record that call stores is removed when
// it arrives (else it comes back on reload); a call failing with a plain error lets them go.
import { describe, expect, it } from 'vitest';
import { MumicError } from '../../src/core/errors.ts';
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
const progress = { done: 1, total: 1, encoded: 1, fromCache: 0, failed: 0, elapsedMs: 0 };
const model = { backend: 'wasm', dtypes: { vision: 'q8', text: 'q8' } };

/** A page whose classify calls the test answers one by one (`calls`). */
function page() {
  const calls: {
    inputs: PhotoInput[];
    onUpdate: (u: BatchUpdate) => void;
    resolve: (s: BatchSummary) => void;
    reject: (e: unknown) => void;
  }[] = [];
  const removed: string[][] = [];
  const app = {
    modelPhase: 'ready',
    messages: {
      notify: () => undefined,
      notifyInfo: () => undefined,
      warnStorage: () => undefined,
    },
    tabs: { photosAdded: () => undefined, photosRemoved: () => undefined },
    keywords: { photosAdded: () => undefined },
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
  return { library, calls, removed };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

/** The call's update storing photo `id` for its input, then its end. */
function answer(call: ReturnType<typeof page>['calls'][number], id: string): void {
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

/** One photo tagged on the GPU, then named left behind by a switch: its file is sent again. */
async function resent() {
  const p = page();
  const file = new File(['x'], 'a.png', { type: 'image/png' });
  p.library.add({ files: [{ file, path: 'a.png' }], unreadable: [], truncated: false });
  await tick();
  answer(p.calls[0] as (typeof p.calls)[number], 'a');
  await tick();
  p.library.backendSwitched(model as never, ['a']);
  await tick();
  expect(p.calls).toHaveLength(2);
  return p;
}

describe('a photo sent again after a backend switch', () => {
  it('removed by id while its call runs, is removed again once that call stored it', async () => {
    const { library, calls, removed } = await resent();
    await library.removePhotos(['a']);
    expect(removed).toEqual([['a']]);
    answer(calls[1] as (typeof calls)[number], 'a');
    await tick();
    expect(library.photoById('a')).toBeUndefined();
    expect(removed).toEqual([['a'], ['a']]);
  });

  it('removed by another tab while its call runs, is removed once that call stored it', async () => {
    const { library, calls, removed } = await resent();
    library.forget(library.photoById('a')?.key ?? 0);
    answer(calls[1] as (typeof calls)[number], 'a');
    await tick();
    expect(library.photoById('a')).toBeUndefined();
    expect(removed).toEqual([['a']]);
  });

  it('its call failing with a plain error, a later switch sends it again', async () => {
    const { library, calls } = await resent();
    calls[1]?.reject(new MumicError('InferenceFailed', 'boom'));
    await tick();
    library.backendSwitched(model as never, ['a']);
    await tick();
    expect(calls).toHaveLength(3);
  });
});
