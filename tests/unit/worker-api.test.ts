// The worker's capabilities without a browser: the composed WorkerApi exposed with comlink on one
// end of a MessageChannel and wrapped on the other (as comlink's own tests do), over a store on
// fake-indexeddb, with the real model folder's config and tokenizer (clip-tiny) and a fake image
// encoder and decoder (the vision tower's numbers are not under test here).
import 'fake-indexeddb/auto';
import { expose, wrap, type Remote } from 'comlink';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeModelSource } from '../../src/cli/model-source-node.ts';
import { imageEmbeddingKey, labelEmbeddingKey } from '../../src/core/cache-keys.ts';
import { templateSetKey } from '../../src/core/prompts.ts';
import { storageError } from '../../src/core/storage-errors.ts';
import type { ClipEncoder } from '../../src/runtime/clip-encoder.ts';
import { FallbackEncoder } from '../../src/runtime/fallback-encoder.ts';
import type { BatchUpdate, LabelRef, PhotoInput, WorkerApi } from '../../src/shared/worker-api.ts';
import { IdbStore } from '../../src/store/idb-store.ts';
import type { MumicStore } from '../../src/store/types.ts';
import { bridgeTo, type WorkerBridge } from '../../src/ui/bridge.ts';
import { forComlink } from '../../src/worker/expose-api.ts';
import { createWorkerApi } from '../../src/worker/service.ts';
import type { Preparer } from '../../src/worker/models/model-host.ts';
import { fakePreparer } from '../fake-preparer.ts';
import { FIXTURE_DIR } from '../fixture.ts';

const MODEL = FIXTURE_DIR;
/** Floats per fake "image": what the fake preparer makes and the fake encoder reads. */
const PIXELS = 16;

/** An image embedding from the bytes: equal files, equal vectors; different files differ. */
function fakeEncoder(dim: number): ClipEncoder {
  const fake = {
    backend: 'wasm',
    dtypes: { vision: 'fp32', text: 'fp32' },
    session: () => Promise.resolve(undefined),
    embedImages: (pixels: Float32Array, batch: number) => {
      const out = new Float32Array(batch * dim);
      for (let i = 0; i < batch; i++)
        for (let k = 0; k < dim; k++)
          out[i * dim + k] = (pixels[i * PIXELS + (k % PIXELS)] ?? 0) + k / dim;
      return Promise.resolve(out);
    },
    embedTexts: (tokens: { inputIds: BigInt64Array | Int32Array; batch: number }) => {
      const out = new Float32Array(tokens.batch * dim);
      const per = tokens.inputIds.length / tokens.batch;
      for (let i = 0; i < tokens.batch; i++)
        for (let k = 0; k < dim; k++)
          out[i * dim + k] = Math.sin(Number(tokens.inputIds[i * per + (k % per)]) + k);
      return Promise.resolve(out);
    },
    release: () => Promise.resolve(),
  };
  return fake as unknown as ClipEncoder;
}

/** Bytes-derived pixels (a "file" whose text starts with "bad" fails to decode). */
const preparer = fakePreparer({
  floats: PIXELS,
  pixel: (bytes, k) => (bytes[k % bytes.length] ?? 0) / 255,
});

interface Setup {
  api: WorkerBridge;
  store: MumicStore;
  counted: { encoded: number; textsBy: string[]; sessions: string[] };
}

const open: MessagePort[] = [];
afterEach(() => {
  for (const port of open.splice(0)) port.close();
});

function connect(
  store: MumicStore = new IdbStore(new IDBFactory()),
  delayMs = 0,
  firstTowerHeld?: Promise<void>,
  prepare: Preparer = preparer,
): Setup {
  const counted = { encoded: 0, textsBy: [] as string[], sessions: [] as string[] };
  const worker = createWorkerApi({
    store,
    models: {
      source: () => new NodeModelSource(MODEL),
      preparer: prepare,
      encoder: (_source, info, request) => {
        const encoder = fakeEncoder(info.projectionDim);
        encoder.session = (tower) => {
          counted.sessions.push(tower);
          return Promise.resolve(undefined as never);
        };
        const embedTexts = encoder.embedTexts.bind(encoder);
        // Another model's text tower gives other vectors (negated), so a mix-up shows.
        encoder.embedTexts = async (tokens) => {
          counted.textsBy.push(request.id);
          if (request.id === 'clip-tiny') await firstTowerHeld;
          const out = await embedTexts(tokens);
          return request.id === 'clip-tiny' ? out : out.map((v) => -v);
        };
        const embed = encoder.embedImages.bind(encoder);
        encoder.embedImages = (pixels, batch) => {
          counted.encoded += batch;
          if (delayMs === 0) return embed(pixels, batch);
          return new Promise((r) => setTimeout(r, delayMs)).then(() => embed(pixels, batch));
        };
        return Promise.resolve(new FallbackEncoder(encoder, null));
      },
    },
  });
  const { port1, port2 } = new MessageChannel();
  open.push(port1, port2);
  expose(forComlink(worker), port1);
  const remote = wrap<WorkerApi>(port2) as Remote<WorkerApi>;
  return { api: bridgeTo(remote, () => port2.close()), store, counted };
}

const LABELS: LabelRef[] = [
  { id: 'pool', prompt: 'pool' },
  { id: 'beach', prompt: 'beach' },
];

async function ready({ api }: Setup): Promise<void> {
  await api.loadModel({ id: 'clip-tiny', baseUrl: 'unused/', wasmPaths: 'unused/' });
  await api.setLabels(LABELS, ['a photo of a {}.']);
}

const file = (text: string, name: string, key: number): PhotoInput => ({
  key,
  file: new Blob([text], { type: 'image/png' }),
  name,
  path: `dir/${name}`,
});

async function classify(api: WorkerBridge, inputs: PhotoInput[]) {
  const updates: BatchUpdate[] = [];
  const summary = await api.classify(inputs, (u) => void updates.push(u));
  return { summary, updates, photos: updates.flatMap((u) => u.photos) };
}

describe('WorkerApi over a MessageChannel', () => {
  it('encodes one picture under two names once, and a second run takes it from the store', async () => {
    const setup = connect();
    await ready(setup);
    const run = await classify(setup.api, [
      file('picture one', 'a.png', 1),
      file('picture one', 'copy-of-a.png', 2),
      file('picture two', 'b.png', 3),
      file('bad bytes', 'broken.png', 4),
    ]);
    expect(setup.counted.encoded).toBe(2);
    expect(run.summary.progress).toMatchObject({ done: 4, encoded: 3, failed: 1, fromCache: 0 });
    expect(run.photos.find((p) => p.key === 4)?.record.error?.name).toBe('ImageDecodeFailed');
    // Each file's keywords come with it, read beside its hash (none in these "files").
    expect(run.photos.every((p) => p.keywords && 'keywords' in p.keywords)).toBe(true);
    const table = run.updates.at(-1)?.table;
    expect(table?.labelIds).toEqual(['pool', 'beach']);
    // Content the library holds is hashed on the prepare side, not decoded nor run again.
    const held = await classify(setup.api, [file('picture one', 'a-again.png', 5)]);
    expect(setup.counted.encoded).toBe(2);
    expect(held.summary.progress).toMatchObject({ done: 1, encoded: 0, fromCache: 1 });

    // A new worker over the same store: nothing is encoded again.
    const again = connect(setup.store);
    await ready(again);
    const restored = await again.api.restore();
    expect(restored.photos).toHaveLength(5);
    expect(restored.table.photoIds).toHaveLength(4);
    const second = await classify(again.api, [file('picture two', 'b-again.png', 9)]);
    expect(again.counted.encoded).toBe(0);
    expect(second.summary.progress.fromCache).toBe(1);
  });

  it('a ranking answers its first page and the total; morePhotos gives the rest in order', async () => {
    const setup = connect();
    await ready(setup);
    const names = ['p0', 'p1', 'p2', 'p3', 'p4'];
    await classify(
      setup.api,
      names.map((n, i) => file(`picture ${n}`, `${n}.png`, i + 1)),
    );
    const all = await setup.api.searchPhotos('pool', ['a photo of a {}.']);
    expect(all.ids).toHaveLength(5);
    const first = await setup.api.searchPhotos('pool', ['a photo of a {}.'], 2);
    expect(first.total).toBe(5);
    expect(first.ids).toEqual(all.ids.slice(0, 2));
    const more = await setup.api.morePhotos(first.ranking, 4);
    expect(more?.ids).toEqual(all.ids.slice(0, 4));
    expect([...(more?.cosines ?? [])]).toEqual([...all.cosines.slice(0, 4)]);
    // A newer ranking replaces it.
    const similar = await setup.api.similarPhotos(all.ids[0] as string, 1);
    expect(similar.total).toBe(4);
    expect(await setup.api.morePhotos(first.ranking, 4)).toBeUndefined();
    // Thumbnails come on request, not with the restored records (the fake decoder makes none).
    expect((await setup.api.restore()).photos.every((p) => !('thumbnail' in p))).toBe(true);
    expect(await setup.api.photoThumbnails([all.ids[0] as string, 'nope'])).toEqual([
      undefined,
      undefined,
    ]);
  });

  it('removing the last photo of a picture removes its embedding; a shared one stays', async () => {
    const setup = connect();
    await ready(setup);
    const run = await classify(setup.api, [
      file('shared', 'one.png', 1),
      file('shared', 'two.png', 2),
      file('alone', 'three.png', 3),
    ]);
    const idOf = (key: number) =>
      run.photos.find((p) => p.key === key)?.record as { id: string; hash: string };
    const status = await setup.api.status();
    const keyOf = (key: number) =>
      imageEmbeddingKey('clip-tiny', status?.dtypes.vision ?? 'fp32', idOf(key).hash);
    await setup.api.removePhotos([idOf(1).id, idOf(3).id]);
    const [shared, alone] = await setup.store.getImageEmbeddings([keyOf(2), keyOf(3)]);
    expect(shared).toBeInstanceOf(Float32Array);
    expect(alone).toBeUndefined();
    expect((await setup.api.restore()).photos.map((p) => p.name)).toEqual(['two.png']);
  });

  it('a failing store: results still come, with the storage error named', async () => {
    const store = new IdbStore(new IDBFactory());
    const failing: MumicStore = Object.create(store) as MumicStore;
    // What the store makes of a full quota (Firefox's name for it as well: core/storage-errors).
    failing.putPhotos = () =>
      Promise.reject(
        storageError(new DOMException('full', 'NS_ERROR_DOM_QUOTA_REACHED'), { what: 'photos' }),
      );
    const setup = connect(failing);
    await ready(setup);
    const run = await classify(setup.api, [file('picture', 'p.png', 1)]);
    expect(run.summary.progress.encoded).toBe(1);
    expect(run.updates[0]?.table.photoIds).toHaveLength(1);
    expect(run.updates[0]?.storageError?.name).toBe('StorageQuotaExceeded');
  });

  it('cancel stops a batch at the next boundary and names what was not done', async () => {
    const setup = connect();
    await ready(setup);
    const inputs = Array.from({ length: 40 }, (_, i) => file(`picture ${i}`, `p${i}.png`, i + 1));
    let cancelled = false;
    const summary = await setup.api.classify(inputs, () => {
      if (!cancelled) {
        cancelled = true;
        void setup.api.cancel();
      }
    });
    expect(summary.cancelled.length).toBeGreaterThan(0);
    expect(summary.progress.done + summary.cancelled.length).toBe(40);
  });

  it('textWanted loads the text tower at once, while a batch runs; before a model, nothing', async () => {
    const setup = connect(undefined, 20);
    await setup.api.textWanted();
    await ready(setup);
    const inputs = Array.from({ length: 10 }, (_, i) => file(`picture ${i}`, `p${i}.png`, i + 1));
    let done = false;
    const batch = classify(setup.api, inputs).then(() => (done = true));
    expect(setup.counted.sessions).not.toContain('text');
    await setup.api.textWanted();
    expect(setup.counted.sessions).toContain('text');
    expect(done).toBe(false);
    await batch;
  });

  it("a prepare worker's vectors are taken only in the model's dtype and size, and counted", async () => {
    const dim = 32; // clip-tiny's projection_dim
    const copy: Preparer = {
      ...preparer,
      async prepare(blobs, start, processor, thumbnails, known) {
        const batch = await preparer.prepare(blobs, start, processor, thumbnails, known);
        const name = await blobs[0]?.text();
        const n = batch.indices.length;
        // "picture 0": made by the copy (fp32, as the fake encoder); "picture 1": another dtype;
        // "picture 2": vectors of the wrong size.
        if (name === 'picture 0')
          return { ...batch, embeddings: new Float32Array(n * dim).fill(7), embeddedWith: 'fp32' };
        if (name === 'picture 1')
          return { ...batch, embeddings: new Float32Array(n * dim).fill(7), embeddedWith: 'q8' };
        if (name === 'picture 2')
          return { ...batch, embeddings: new Float32Array(3).fill(7), embeddedWith: 'fp32' };
        return batch;
      },
    };
    const setup = connect(undefined, 0, undefined, copy);
    await setup.api.loadModel({ id: 'clip-tiny', baseUrl: 'unused/', wasmPaths: 'unused/' });
    const status = await setup.api.status();
    expect(status?.counters.imagesEncodedBeside).toBe(0);
    // One file a call: the fake preparer's batches are what the copy answers.
    const vectors: (Float32Array | undefined)[] = [];
    for (const i of [0, 1, 2]) {
      const [o] = await setup.api.embedImages([file(`picture ${i}`, `p${i}.png`, i + 1).file]);
      vectors.push(o && 'embedding' in o ? o.embedding : undefined);
    }
    // Taken: every component alike (a vector of 7s, however scaled); run: not.
    const taken = vectors.map((v) => v?.length === dim && new Set(v).size === 1);
    expect(taken).toEqual([true, false, false]);
    expect((await setup.api.status())?.counters.imagesEncodedBeside).toBe(1);
    expect(setup.counted.encoded).toBe(2);
  });

  it('deleteModelData drops what was kept for a model id, and clearAll everything', async () => {
    const setup = connect();
    await ready(setup);
    await classify(setup.api, [file('picture', 'p.png', 1)]);
    await setup.api.putSetting('view', { threshold: 0.3 });
    await setup.store.deleteModelData('clip-tiny');
    const fresh = connect(setup.store);
    await ready(fresh);
    expect((await fresh.api.restore()).photos).toEqual([]);
    expect(await fresh.api.getSetting('view')).toEqual({ threshold: 0.3 });
    await fresh.api.clearAll();
    expect(await fresh.api.getSetting('view')).toBeUndefined();
  });

  it('clearAll during a batch waits for the classify call: nothing comes back after the wipe', async () => {
    // A slow vision tower: the wipe arrives while a batch is being encoded.
    const setup = connect(undefined, 40);
    await ready(setup);
    const inputs = Array.from({ length: 40 }, (_, i) => file(`picture ${i}`, `p${i}.png`, i + 1));
    let clearing: Promise<void> | undefined;
    const batch = setup.api.classify(inputs, () => {
      clearing ??= setup.api.clearAll();
    });
    await batch;
    await clearing;
    const fresh = connect(setup.store);
    await ready(fresh);
    expect((await fresh.api.restore()).photos).toEqual([]);
  });

  it('a label set under way when another model loads is made for that model, never the old one', async () => {
    const templates = ['a photo of a {}.'];
    const keys = (model: string) =>
      LABELS.map((l) => labelEmbeddingKey(model, 'fp32', templateSetKey(templates), l.prompt));
    // What the first model's text tower gives, from a worker of its own.
    const alone = connect();
    await ready(alone);
    const expected = await alone.store.getLabelEmbeddings(keys('clip-tiny'));

    // The first tower is held until the second model is loaded: its vectors arrive too late.
    let release = (): void => undefined;
    const held = new Promise<void>((r) => (release = r));
    const setup = connect(undefined, 0, held);
    await setup.api.loadModel({ id: 'clip-tiny', baseUrl: 'unused/', wasmPaths: 'unused/' });
    const labels = setup.api.setLabels(LABELS, templates);
    await new Promise((r) => setTimeout(r, 20));
    await setup.api.loadModel({ id: 'clip-tiny-b', baseUrl: 'unused/', wasmPaths: 'unused/' });
    release();
    await labels;
    // Nothing the second tower made is stored under the first model's keys, and the first
    // tower's late vectors are stored nowhere: the set was made again, by the second tower.
    const stored = await setup.store.getLabelEmbeddings(keys('clip-tiny'));
    expect(stored.every((v) => v === undefined)).toBe(true);
    const table = await setup.api.scorePhotos([]);
    expect(table.labelIds).toEqual(['pool', 'beach']);
    const made = await setup.store.getLabelEmbeddings(keys('clip-tiny-b'));
    made.forEach((v, i) => expect(v).toEqual(expected[i]?.map((x) => -x)));
  });

  it("another tab's additions read just before its Clear all are not taken in after it", async () => {
    const a = connect();
    await ready(a);
    let release = (): void => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let holding = false;
    const slow: MumicStore = Object.create(a.store) as MumicStore;
    // Tab B's read of the embeddings is answered, and then held until after the clear.
    slow.getImageEmbeddings = async (keys) => {
      const vectors = await a.store.getImageEmbeddings(keys);
      if (holding) await gate;
      return vectors;
    };
    const b = connect(slow);
    await ready(b);
    expect((await b.api.restore()).photos).toEqual([]);
    // Tab A adds a photo; B is told.
    await classify(a.api, [file('picture', 'p.png', 1)]);
    const added = (await a.api.restore()).photos.map((p) => p.id);
    holding = true;
    const taking = b.api.photosChangedElsewhere(added, []);
    await new Promise((r) => setTimeout(r, 50));
    // Meanwhile tab A clears everything, and B is told while its read is still under way.
    await a.api.clearAll();
    const following = b.api.clearedElsewhere();
    await new Promise((r) => setTimeout(r, 50));
    release();
    await following;
    await taking;
    expect((await b.api.restore()).photos).toEqual([]);
    expect((await b.api.scorePhotos(added)).photoIds).toEqual([]);
  });
});
