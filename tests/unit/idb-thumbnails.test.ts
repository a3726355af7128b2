// Schema version 2 keeps thumbnails in their own object store: a database written by version 1
// (thumbnails inside the photo records) has every thumbnail moved, none dropped; the store reads,
// deletes and clears them with the records.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { promisifyRequest } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { photoKey, photoScope } from '../../src/core/cache-keys.ts';
import { DB_NAME, IdbStore } from '../../src/store/idb-store.ts';
import { THUMBNAILS_TO_MOVE_KEY, moveSomeThumbnails } from '../../src/store/thumbnails.ts';

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

/** How many stored photo records (as stored, thumbnails included) pass `test`. */
async function rawRecords(factory: IDBFactory, test: (p: object) => boolean): Promise<number> {
  const db = await promisifyRequest(factory.open(DB_NAME));
  const all = await promisifyRequest(db.transaction('photos').objectStore('photos').getAll());
  db.close();
  return (all as object[]).filter(test).length;
}

/** No record holds a thumbnail, and the store has each photo's (`p${i}` → `t${i}`). */
async function expectAllMoved(factory: IDBFactory, store: IdbStore, n: number): Promise<void> {
  expect(await rawRecords(factory, (p) => 'thumbnail' in p)).toBe(0);
  const ids = Array.from({ length: n }, (_, i) => `p${i}`);
  const all = await store.getThumbnails(scope, ids);
  expect(await Promise.all(all.map(text))).toEqual(ids.map((_, i) => `t${i}`));
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
    await store.moveThumbnails();
    // Opened again: nothing moves twice, nothing is lost.
    const again = new IdbStore(factory);
    expect(await text((await again.getThumbnails(scope, ['c']))[0])).toBe('thumb c');
  });

  it('opens without moving them, reads them from the records meanwhile, then moves them', async () => {
    const factory = new IDBFactory();
    const many = Array.from({ length: 250 }, (_, i) => photo(`p${i}`, i, new Blob([`t${i}`])));
    await version1(factory, many);
    const store = new IdbStore(factory);
    expect((await store.listPhotos(scope)).every((p) => !('thumbnail' in p))).toBe(true);
    // Not moved yet: the records still hold them.
    expect(await rawRecords(factory, (p) => 'thumbnail' in p)).toBe(250);
    expect(await text((await store.getThumbnails(scope, ['p7']))[0])).toBe('t7');
    // A record put again without its thumbnail, before the move, keeps it.
    await store.putPhotos(scope, [{ ...photo('p8', 8), name: 'renamed.png' }]);
    expect(await text((await store.getThumbnails(scope, ['p8']))[0])).toBe('t8');
    await store.moveThumbnails();
    await expectAllMoved(factory, store, many.length);
    expect((await store.getPhotos(scope, ['p8']))[0]?.name).toBe('renamed.png');
  });

  it('a move stopped half-way goes on at the next start, dropping nothing', async () => {
    const factory = new IDBFactory();
    const many = Array.from({ length: 30 }, (_, i) => photo(`p${i}`, i, new Blob([`t${i}`])));
    await version1(factory, many);
    await new IdbStore(factory).listPhotos(scope);
    // One chunk of 10 moved, then the tab is gone.
    const db = await promisifyRequest(factory.open(DB_NAME));
    const tx = db.transaction(['photos', 'thumbnails'], 'readwrite');
    await moveSomeThumbnails(tx.objectStore('photos'), tx.objectStore('thumbnails'), undefined, 10);
    await promisifyRequest(tx as unknown as IDBRequest);
    db.close();
    expect(await rawRecords(factory, (p) => 'thumbnail' in p)).toBe(20);
    const next = new IdbStore(factory);
    const halfway = await next.getThumbnails(scope, ['p0', 'p29']);
    expect(await Promise.all(halfway.map(text))).toEqual(['t0', 't29']);
    await next.moveThumbnails();
    await expectAllMoved(factory, next, many.length);
    expect(await next.getSetting(THUMBNAILS_TO_MOVE_KEY)).toBe(undefined);
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
