// The page's early read of the stored library (ui/state/library-preview.ts) over the store it
// shares with the worker: it never creates or upgrades the database, reads the scope the worker
// last restored, and hands the records over in chunks until the worker's restore begins.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { photoScope } from '../../src/core/cache-keys.ts';
import type { PhotoRecord } from '../../src/shared/worker-api.ts';
import { DB_NAME, IdbStore } from '../../src/store/idb-store.ts';
import { LIBRARY_SCOPE_KEY, LibraryPreview } from '../../src/ui/state/library-preview.ts';

const scope = photoScope('m', 'fp32');
const photo = (i: number): PhotoRecord => ({
  id: `p${i}`,
  name: `p${i}.png`,
  path: `p${i}.png`,
  size: 1,
  type: 'image/png',
  seq: i,
  thumbnail: new Blob([`t${i}`]),
});

async function stored(factory: IDBFactory, n: number): Promise<IdbStore> {
  const store = new IdbStore(factory);
  await store.putPhotos(
    scope,
    Array.from({ length: n }, (_, i) => photo(i)),
  );
  await store.putSetting(LIBRARY_SCOPE_KEY, ['m', 'fp32']);
  return store;
}

describe('the stored library read by the page while the model loads', () => {
  it('neither creates nor upgrades a database', async () => {
    const factory = new IDBFactory();
    const reader = new IdbStore(factory, { existingOnly: true });
    await expect(reader.getSetting('x')).rejects.toMatchObject({ name: 'StorageFailed' });
    expect(await factory.databases()).toEqual([]);
    // A version 1 database stays at version 1 (the worker's store upgrades it).
    const open = factory.open(DB_NAME, 1);
    open.onupgradeneeded = () => open.result.createObjectStore('settings');
    await new Promise((resolve) => (open.onsuccess = resolve));
    open.result.close();
    await expect(reader.getSetting('x')).rejects.toBeDefined();
    expect((await factory.databases())[0]?.version).toBe(1);
  });

  it('reads the remembered scope in chunks, stops when the restore begins', async () => {
    const factory = new IDBFactory();
    await stored(factory, 1300);
    const preview = new LibraryPreview(new IdbStore(factory, { existingOnly: true }));
    const chunks: number[] = [];
    await preview.read('m', (records) => {
      chunks.push(records.length);
      if (chunks.length === 2) preview.stop();
    });
    expect(chunks).toEqual([200, 1000]);
    expect(await (await preview.thumbnails(['p3']))?.[0]?.text()).toBe('t3');
    // The restore took over some of them; the rest are handed back to be dropped.
    for (let i = 0; i < 1100; i++) preview.shown.delete(`p${i}`);
    expect(preview.isPreviewOnly('p1100')).toBe(true);
    expect(preview.end()).toHaveLength(100);
    expect(preview.isPreviewOnly('p1100')).toBe(false);
    expect(preview.thumbnails(['p3'])).toBeUndefined();
  });

  it('a read the restore (or a clear) overtook shows nothing and serves no thumbnails', async () => {
    const factory = new IDBFactory();
    await stored(factory, 5);
    const preview = new LibraryPreview(new IdbStore(factory, { existingOnly: true }));
    const shown: PhotoRecord[] = [];
    const reading = preview.read('m', (records) => void shown.push(...records));
    expect(preview.end()).toEqual([]);
    await reading;
    expect(shown).toEqual([]);
    expect(preview.thumbnails(['p3'])).toBeUndefined();
  });

  it('reads nothing for another model, and remembers a new scope once', async () => {
    const factory = new IDBFactory();
    const store = await stored(factory, 3);
    const preview = new LibraryPreview(new IdbStore(factory, { existingOnly: true }));
    const shown: PhotoRecord[] = [];
    await preview.read('other', (records) => void shown.push(...records));
    expect(shown).toEqual([]);
    const puts: unknown[] = [];
    const put = (key: string, value: unknown) => {
      puts.push(value);
      return store.putSetting(key, value);
    };
    await preview.remember('other', 'q8', put);
    await preview.remember('other', 'q8', put);
    expect(puts).toEqual([['other', 'q8']]);
  });
});
