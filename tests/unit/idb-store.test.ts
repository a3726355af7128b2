// The one IndexedDB database over fake-indexeddb: schema version 1 takes in what the older
// per-kind databases held (nothing is stranded) and deletes them; a photo and its embedding are
// written together.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { promisifyRequest } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { imageEmbeddingKey, photoScope } from '../../src/core/cache-keys.ts';
import { DB_NAME, DB_VERSION, IdbStore } from '../../src/store/idb-store.ts';

async function legacy(
  factory: IDBFactory,
  db: string,
  store: string,
  entries: [IDBValidKey, unknown][],
) {
  const open = factory.open(db, 1);
  open.onupgradeneeded = () => open.result.createObjectStore(store);
  const handle = await promisifyRequest(open);
  const tx = handle.transaction(store, 'readwrite');
  for (const [k, v] of entries) tx.objectStore(store).put(v, k);
  await promisifyRequest(tx as unknown as IDBRequest);
  handle.close();
}

describe('IdbStore', () => {
  it('migrates the per-kind databases into one and deletes them', async () => {
    const factory = new IDBFactory();
    const scope = photoScope('m', 'fp32');
    const key = imageEmbeddingKey('m', 'fp32', 'ab'.repeat(32));
    await legacy(factory, 'mumic-settings', 'settings', [['view', { threshold: 0.4 }]]);
    await legacy(factory, 'mumic-image-embeddings', 'vectors', [[[...key], Float32Array.of(1, 2)]]);
    const photo = { id: 'p', name: 'p.png', path: 'p.png', size: 1, type: '', seq: 0 };
    await legacy(factory, 'mumic-photos', 'photos', [[[...scope, 'p'], photo]]);

    const store = new IdbStore(factory);
    expect(await store.getSetting('view')).toEqual({ threshold: 0.4 });
    expect(await store.getImageEmbeddings([key])).toEqual([Float32Array.of(1, 2)]);
    expect(await store.listPhotos(scope)).toEqual([photo]);
    const names = (await factory.databases()).map((d) => [d.name, d.version]);
    expect(names).toEqual([[DB_NAME, DB_VERSION]]);
  });

  it('writes photos and their embeddings in one transaction', async () => {
    const store = new IdbStore(new IDBFactory());
    const scope = photoScope('m', 'fp32');
    const key = imageEmbeddingKey('m', 'fp32', 'cd'.repeat(32));
    const photo = { id: 'q', name: 'q.png', path: 'q.png', size: 1, type: '', seq: 0 };
    await store.putPhotos(scope, [photo], [[key, Float32Array.of(3)]]);
    expect(await store.listPhotos(scope)).toEqual([photo]);
    expect(await store.getImageEmbeddings([key])).toEqual([Float32Array.of(3)]);
    // A photo that cannot be stored (a function is not cloneable) takes its embedding with it.
    const bad = { ...photo, id: 'r', thumbnail: (() => 0) as unknown as Blob };
    const other = imageEmbeddingKey('m', 'fp32', 'ef'.repeat(32));
    await expect(store.putPhotos(scope, [bad], [[other, Float32Array.of(4)]])).rejects.toThrow();
    expect(await store.getImageEmbeddings([other])).toEqual([undefined]);
  });

  it('lists the image embeddings of one model and dtype in one read, by hash', async () => {
    const store = new IdbStore(new IDBFactory());
    const scope = photoScope('m', 'fp32');
    const [a, b] = ['a1'.repeat(32), 'b2'.repeat(32)];
    await store.putPhotos(
      scope,
      [],
      [
        [imageEmbeddingKey('m', 'fp32', a), Float32Array.of(1)],
        [imageEmbeddingKey('m', 'fp32', b), Float32Array.of(2)],
        // Another dtype and another model (whose id extends this one's): not listed.
        [imageEmbeddingKey('m', 'q8', a), Float32Array.of(3)],
        [imageEmbeddingKey('m2', 'fp32', a), Float32Array.of(4)],
      ],
    );
    const listed = await store.listImageEmbeddings('m', 'fp32');
    expect([...listed].sort()).toEqual([
      [a, Float32Array.of(1)],
      [b, Float32Array.of(2)],
    ]);
  });
});
