// The app's IndexedDB schema: the database's name and version, its stores, the upgrade steps,
// and opening it (older per-kind databases migrated once, legacy.ts).
import { promisifyRequest } from 'idb-keyval';
import { MumicError } from '../core/errors.ts';
import { migrateLegacy } from './legacy.ts';
import { THUMBNAILS_TO_MOVE_KEY } from './thumbnails.ts';

export const DB_NAME = 'mumic';
/**
 * The database's schema version. Raise it with a step in `upgrade` for every change of stores or
 * key shapes; a step either converts the older data or deletes it, never leaves it unread.
 */
export const DB_VERSION = 2;

export const STORES = [
  'images',
  'labels',
  'photos',
  'feedback',
  'heads',
  'settings',
  'thumbnails',
] as const;
export type StoreName = (typeof STORES)[number];

function upgrade(db: IDBDatabase, tx: IDBTransaction, oldVersion: number): void {
  // Version 1: one store per kind (before it, one database per kind: see legacy.ts).
  if (oldVersion < 1) for (const name of STORES) db.createObjectStore(name);
  // Version 2: thumbnails beside the photo records, under the same keys, so a restore reads only
  // the small records (10,000 records holding their Blobs took 8 s to read). The ones stored in
  // the records are moved after start-up (IdbStore.moveThumbnails), not in this transaction.
  else if (oldVersion < 2) {
    db.createObjectStore('thumbnails');
    tx.objectStore('settings').put(true, THUMBNAILS_TO_MOVE_KEY);
  }
}

/**
 * `existingOnly`: a reader beside the worker's store (the page's early look at the library)
 * opens a database already at this version and never creates, upgrades or migrates one.
 */
export async function openDatabase(
  factory: IDBFactory = indexedDB,
  existingOnly = false,
): Promise<IDBDatabase> {
  if (existingOnly && !(await factory.databases()).some((d) => d.name === DB_NAME)) {
    throw new MumicError('StorageFailed', 'no library is stored yet');
  }
  const request = factory.open(DB_NAME, DB_VERSION);
  request.onupgradeneeded = (event) => {
    if (existingOnly) (request.transaction as IDBTransaction).abort();
    else upgrade(request.result, request.transaction as IDBTransaction, event.oldVersion);
  };
  const db = await promisifyRequest(request);
  // Another tab upgrading the schema: let it, this one reopens on its next use.
  db.onversionchange = () => db.close();
  if (!existingOnly) await migrateLegacy(factory, db);
  return db;
}
