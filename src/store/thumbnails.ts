// Thumbnails are kept in their own object store, under their photo's key (schema version 2): a
// restore reads the small records only, and a tile's thumbnail is read when it is drawn.
import type { StoredPhoto } from './types.ts';

/** A record as stored (without its thumbnail), and the thumbnail to store beside it. */
export function splitThumbnail(photo: StoredPhoto): [StoredPhoto, Blob | undefined] {
  if (!('thumbnail' in photo)) return [photo, undefined];
  const { thumbnail, ...record } = photo;
  return [record, thumbnail];
}

/**
 * Moves every thumbnail held in a photo record to `thumbnails`, under the record's key, and
 * writes the record back without it. Runs inside the upgrade transaction: an error aborts the
 * upgrade, so a thumbnail is never dropped half-way.
 */
export function moveThumbnailsOut(photos: IDBObjectStore, thumbnails: IDBObjectStore): void {
  const cursor = photos.openCursor();
  cursor.onsuccess = () => {
    const at = cursor.result;
    if (!at) return;
    const value = at.value as StoredPhoto;
    if (value && typeof value === 'object' && 'thumbnail' in value) {
      const [record, thumbnail] = splitThumbnail(value);
      if (thumbnail !== undefined) thumbnails.put(thumbnail, at.primaryKey);
      at.update(record);
    }
    at.continue();
  };
}
