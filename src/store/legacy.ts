// Before schema version 1 the app kept one IndexedDB database per kind (idb-keyval stores). On
// first open of the one database, their entries are copied in (keys and values are unchanged)
// and the old databases deleted, so nothing stored before is stranded.
import { promisifyRequest } from 'idb-keyval';
import type { StoreName } from './idb-schema.ts';
import { splitThumbnail } from './thumbnails.ts';
import type { StoredPhoto } from './types.ts';

/** Each old database, its one object store, and where its entries go now. */
export const LEGACY_DATABASES: readonly (readonly [string, string, StoreName])[] = [
  ['mumic-image-embeddings', 'vectors', 'images'],
  ['mumic-label-embeddings', 'vectors', 'labels'],
  ['mumic-photos', 'photos', 'photos'],
  ['mumic-feedback', 'feedback', 'feedback'],
  ['mumic-heads', 'heads', 'heads'],
  ['mumic-settings', 'settings', 'settings'],
];

async function legacyNames(factory: IDBFactory): Promise<Set<string>> {
  const list = await factory.databases();
  return new Set(list.flatMap((d) => (d.name === undefined ? [] : [d.name])));
}

async function copyOne(
  factory: IDBFactory,
  target: IDBDatabase,
  [dbName, storeName, into]: readonly [string, string, StoreName],
): Promise<void> {
  const old = await promisifyRequest(factory.open(dbName));
  try {
    if (!old.objectStoreNames.contains(storeName)) return;
    const read = old.transaction(storeName, 'readonly').objectStore(storeName);
    const [keys, values] = await Promise.all([
      promisifyRequest(read.getAllKeys()),
      promisifyRequest(read.getAll()),
    ]);
    const photos = into === 'photos';
    const write = target.transaction(photos ? [into, 'thumbnails'] : [into], 'readwrite');
    const store = write.objectStore(into);
    // An entry the new database already has (written since) is newer: it is kept.
    keys.forEach((key, i) => {
      // A photo's thumbnail goes to its own store (schema version 2).
      const [value, thumbnail] = photos ? splitThumbnail(values[i] as StoredPhoto) : [values[i]];
      store.add(value, key).addEventListener('error', skip);
      if (thumbnail)
        write.objectStore('thumbnails').add(thumbnail, key).addEventListener('error', skip);
    });
    await promisifyRequest(write as unknown as IDBRequest);
  } finally {
    old.close();
  }
  await promisifyRequest(factory.deleteDatabase(dbName));
}

function skip(event: Event): void {
  event.preventDefault();
  event.stopPropagation();
}

/** Copies what the per-kind databases held into `target`, then deletes them. */
export async function migrateLegacy(factory: IDBFactory, target: IDBDatabase): Promise<void> {
  const present = await legacyNames(factory);
  for (const legacy of LEGACY_DATABASES) {
    if (present.has(legacy[0])) await copyOne(factory, target, legacy);
  }
}
