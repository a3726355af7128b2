// Two tabs over one store (issue 10, item 6): a Clear all in one tab raises the store's epoch, so
// a write the other tab prepared before it is refused (ClearedElsewhere) and nothing comes back;
// once that tab has dropped its data it writes again. The tabs' channel carries each change, in
// order, and ignores anything else.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { imageEmbeddingKey, labelEmbeddingKey, photoScope } from '../../src/core/cache-keys.ts';
import { IdbStore } from '../../src/store/idb-store.ts';
import { TabChannel, type TabMessage } from '../../src/ui/state/tab-channel.ts';

const scope = photoScope('m', 'fp32');
const photo = (id: string, seq: number) => ({
  id,
  name: `${id}.png`,
  path: `${id}.png`,
  size: 1,
  type: 'image/png',
  hash: id.repeat(64).slice(0, 64),
  seq,
});
const key = (hash: string) => imageEmbeddingKey('m', 'fp32', hash);

describe('IdbStore epoch (two tabs)', () => {
  it("refuses the other tab's writes after a Clear all until it follows the clear", async () => {
    const factory = new IDBFactory();
    const a = new IdbStore(factory);
    const b = new IdbStore(factory);
    await b.putPhotos(scope, [photo('a', 0)], [[key(photo('a', 0).hash), Float32Array.of(1)]]);
    expect(await a.listPhotos(scope)).toHaveLength(1);

    await a.clearEverything();
    const late = photo('b', 1);
    await expect(
      b.putPhotos(scope, [late], [[key(late.hash), Float32Array.of(2)]]),
    ).rejects.toMatchObject({ name: 'ClearedElsewhere' });
    await expect(b.putSetting('labels', { version: 1 })).rejects.toMatchObject({
      name: 'ClearedElsewhere',
    });
    await expect(
      b.putFeedback([{ hash: late.hash, label: 'x', value: 1, text: 'x', at: 0 }]),
    ).rejects.toMatchObject({ name: 'ClearedElsewhere' });
    await expect(
      b.putLabelEmbeddings([[labelEmbeddingKey('m', 'fp32', 't', 'a photo'), Float32Array.of(1)]]),
    ).rejects.toMatchObject({
      name: 'ClearedElsewhere',
    });
    // Nothing of before came back.
    expect(await a.listPhotos(scope)).toEqual([]);
    expect(await a.getImageEmbeddings([key(late.hash)])).toEqual([undefined]);
    expect(await a.listFeedback()).toEqual([]);
    expect(await a.getSetting('labels')).toBeUndefined();

    // The clearing tab itself writes on; the other one does once it followed.
    await a.putSetting('view', { threshold: 0.5 });
    await b.followClear();
    await b.putPhotos(scope, [photo('c', 0)]);
    expect((await a.listPhotos(scope)).map((p) => p.id)).toEqual(['c']);
    expect(await b.getPhotos(scope, ['c', 'gone'])).toHaveLength(1);
  });
});

describe('TabChannel', () => {
  it("delivers each tab's messages to the other, in order, and ignores foreign ones", async () => {
    const name = `test-${Math.random()}`;
    const got: TabMessage[] = [];
    const a = new TabChannel(
      () => Promise.resolve(),
      () => undefined,
      name,
    );
    const b = new TabChannel(
      async (m) => {
        // A slow handler: the next message waits for it.
        await new Promise((r) => setTimeout(r, m.type === 'photos' ? 20 : 0));
        got.push(m);
      },
      () => undefined,
      name,
    );
    const raw = new BroadcastChannel(name);
    a.post({ type: 'photos', added: ['p1'], removed: [] });
    raw.postMessage({ type: 'photos', added: 'not ids' });
    raw.postMessage('noise');
    a.post({ type: 'labels' });
    a.post({ type: 'cleared' });
    await expect.poll(() => got.length).toBe(3);
    await b.idle();
    expect(got.map((m) => m.type)).toEqual(['photos', 'labels', 'cleared']);
    for (const c of [a, b]) c.close();
    raw.close();
  });
});
