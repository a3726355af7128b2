// Thumbnails are kept in their own object store, under their photo's key (schema version 2): a
// restore reads the small records only, and a tile's thumbnail is read when it is drawn. A
// database written by version 1 holds them inside the records: the upgrade only creates the store
// (moving 10,000 Blobs inside the version change took ~100 s, and start-up waited for it), and
// `moveSomeThumbnails` moves them after start-up, a chunk per ordinary transaction. Until a
// record's thumbnail is moved it is read from the record; a crash half-way leaves every thumbnail
// either in its record or in the store, so the next start goes on.
import { promisifyRequest } from 'idb-keyval';
import type { StoredPhoto } from './types.ts';

/**
 * The settings key saying records may still hold thumbnails: set by the upgrade from version 1
 * only, deleted once they are all moved (a new database, or one the older upgrade already moved,
 * is never scanned).
 */
export const THUMBNAILS_TO_MOVE_KEY = 'store-thumbnails-to-move';

/** A record as stored (without its thumbnail), and the thumbnail to store beside it. */
export function splitThumbnail(photo: StoredPhoto): [StoredPhoto, Blob | undefined] {
  if (!('thumbnail' in photo)) return [photo, undefined];
  const { thumbnail, ...record } = photo;
  return [record, thumbnail];
}

/** A stored value read from the photos store: a record, its thumbnail left out. */
export const recordOnly = (value: StoredPhoto): StoredPhoto => splitThumbnail(value)[0];

const holdsThumbnail = (value: unknown): value is StoredPhoto =>
  typeof value === 'object' && value !== null && 'thumbnail' in value;

/**
 * Moves the thumbnails of up to `limit` records, from the first record key above `after` (none:
 * from the start), into `thumbnails`, each record written back without it, in the transaction
 * the stores belong to. Resolves with the last key visited, or undefined when the scan reached
 * the end.
 */
export function moveSomeThumbnails(
  photos: IDBObjectStore,
  thumbnails: IDBObjectStore,
  after: IDBValidKey | undefined,
  limit: number,
): Promise<IDBValidKey | undefined> {
  const range = after === undefined ? undefined : IDBKeyRange.lowerBound(after, true);
  const request = photos.openCursor(range);
  let visited = 0;
  return new Promise((resolve, reject) => {
    request.onerror = () => reject(request.error ?? new Error('cursor failed'));
    request.onsuccess = () => {
      const at = request.result;
      if (!at) return resolve(undefined);
      if (holdsThumbnail(at.value)) {
        const [record, thumbnail] = splitThumbnail(at.value);
        // One already in the store (written since) is newer: the record's copy is dropped.
        if (thumbnail !== undefined) {
          const key = at.primaryKey;
          thumbnails.add(thumbnail, key).addEventListener('error', keepStored);
        }
        at.update(record);
      }
      if (++visited >= limit) return resolve(at.primaryKey);
      at.continue();
    };
  });
}

/** An `add` over a thumbnail already stored: the stored one is kept, the transaction goes on. */
function keepStored(event: Event): void {
  event.preventDefault();
  event.stopPropagation();
}

/**
 * A record put again without its thumbnail, over a record still holding one (not moved yet):
 * the held one is moved to `thumbnails` first, so the put does not drop it.
 */
export function keepHeldThumbnail(
  photos: IDBObjectStore,
  thumbnails: IDBObjectStore,
  key: IDBValidKey,
): void {
  const read = photos.get(key);
  read.onsuccess = () => {
    const old: unknown = read.result;
    if (holdsThumbnail(old) && old.thumbnail !== undefined) {
      thumbnails.add(old.thumbnail, key).addEventListener('error', keepStored);
    }
  };
}

/** The thumbnail a not-yet-moved record holds, read from the record. */
export async function heldThumbnail(
  photos: IDBObjectStore,
  key: IDBValidKey,
): Promise<Blob | undefined> {
  const value: unknown = await promisifyRequest(photos.get(key));
  return holdsThumbnail(value) ? value.thumbnail : undefined;
}
