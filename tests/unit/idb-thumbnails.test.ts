// Schema version 2 keeps thumbnails in their own object store: a database written by version 1
// (thumbnails inside the photo records) has every thumbnail moved, none dropped; the store reads,
// deletes and clears them with the records.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { promisifyRequest } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { photoKey, photoScope } from '../../src/core/cache-keys.ts';
import { DB_NAME, IdbStore } from '../../src/store/idb-store.ts';

const VERSION_1_STORES = ['images', 'labels', 'photos', 'feedback', 'heads', 'settings'];
const scope = photoScope('m', 'fp32');
const photo = (id: string, seq: number, thumbnail?: Blob) => ({
  id,
  name: `${id}.png`,
  path: `${id}.png`,
  size: 1,
  type: 'image/png',
  seq,
  ...(thumbnail ? { thumbnail } : {}),
});
const text = async (blob: Blob | undefined) => (blob ? await blob.text() : undefined);

/** A database as schema version 1 wrote it: thumbnails inside the photo records. */
async function version1(factory: IDBFactory, photos: ReturnType<typeof photo>[]): Promise<void> {
  const open = factory.open(DB_NAME, 1);
  open.onupgradeneeded = () => {
    for (const name of VERSION_1_STORES) open.result.createObjectStore(name);
  };
  const db = await promisifyRequest(open);
  const tx = db.transaction('photos', 'readwrite');
  for (const p of photos) tx.objectStore('photos').put(p, [...photoKey(scope, p.id)]);
  await promisifyRequest(tx as unknown as IDBRequest);
  db.close();
}

describe('thumbnails in their own store (schema version 2)', () => {
  it('moves every thumbnail out of the version 1 records', async () => {
    const factory = new IDBFactory();
    await version1(factory, [
      photo('a', 0, new Blob(['thumb a'])),
      photo('b', 1),
      photo('c', 2, new Blob(['thumb c'])),
    ]);
    const store = new IdbStore(factory);
    const listed = await store.listPhotos(scope);
    expect(listed.map((p) => p.id)).toEqual(['a', 'b', 'c']);
    expect(listed.every((p) => !('thumbnail' in p))).toBe(true);
    const thumbs = await store.getThumbnails(scope, ['a', 'b', 'c', 'gone']);
    expect(await Promise.all(thumbs.map(text))).toEqual([
      'thumb a',
      undefined,
      'thumb c',
      undefined,
    ]);
    // Opened again: nothing moves twice, nothing is lost.
    const again = new IdbStore(factory);
    expect(await text((await again.getThumbnails(scope, ['c']))[0])).toBe('thumb c');
  });

  it('splits the thumbnails of the older per-kind photo database too', async () => {
    const factory = new IDBFactory();
    const open = factory.open('mumic-photos', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('photos');
    const old = await promisifyRequest(open);
    const tx = old.transaction('photos', 'readwrite');
    tx.objectStore('photos').put(photo('a', 0, new Blob(['thumb a'])), [...photoKey(scope, 'a')]);
    await promisifyRequest(tx as unknown as IDBRequest);
    old.close();
    const store = new IdbStore(factory);
    expect(await store.listPhotos(scope)).toEqual([photo('a', 0)]);
    expect(await text((await store.getThumbnails(scope, ['a']))[0])).toBe('thumb a');
  });

  it('stores, reads and deletes a thumbnail with its record', async () => {
    const store = new IdbStore(new IDBFactory());
    await store.putPhotos(scope, [photo('a', 0, new Blob(['A'])), photo('b', 1, new Blob(['B']))]);
    expect(await store.listPhotos(scope)).toEqual([photo('a', 0), photo('b', 1)]);
    expect(await store.getPhotos(scope, ['b'])).toEqual([photo('b', 1)]);
    // A record put again without its thumbnail keeps the stored one.
    await store.putPhotos(scope, [{ ...photo('a', 0), name: 'renamed.png' }]);
    expect(await text((await store.getThumbnails(scope, ['a']))[0])).toBe('A');
    await store.deletePhotos(scope, ['a']);
    expect(await store.getThumbnails(scope, ['a', 'b']).then((t) => t.map((b) => !!b))).toEqual([
      false,
      true,
    ]);
    await store.deleteModelData('m');
    expect(await store.getThumbnails(scope, ['b'])).toEqual([undefined]);
  });

  it('Clear all wipes the thumbnails, and another tab cannot write one back', async () => {
    const factory = new IDBFactory();
    const here = new IdbStore(factory);
    const there = new IdbStore(factory);
    await here.putPhotos(scope, [photo('a', 0, new Blob(['A']))]);
    expect(await there.getThumbnails(scope, ['a'])).toHaveLength(1);
    await here.clearEverything();
    expect(await here.getThumbnails(scope, ['a'])).toEqual([undefined]);
    await expect(there.putPhotos(scope, [photo('b', 1, new Blob(['B']))])).rejects.toMatchObject({
      name: 'ClearedElsewhere',
    });
    expect(await here.getThumbnails(scope, ['b'])).toEqual([undefined]);
  });
});
