// What the worker keeps, as one interface: the browser passes its IndexedDB (store/idb-store.ts),
// tests a store over fake-indexeddb. Every failure is a MumicError (StorageQuotaExceeded or
// StorageFailed).
import type { PhotoFeedback } from '../core/adapt/feedback-file.ts';
import type { MumicHead } from '../core/adapt/head.ts';
import type { Dtype } from '../core/types.ts';
import type { ImageEmbeddingKey, LabelEmbeddingKey, PhotoScope } from '../core/cache-keys.ts';
import type { PhotoRecord } from '../shared/worker-api.ts';

/** A photo as stored: the worker's record of it, enough to show it and its error after a reload. */
export type StoredPhoto = PhotoRecord;

/** A head kept for a photo scope, and whether it was trained here or imported from a file. */
export interface StoredHead {
  head: MumicHead;
  source: 'trained' | 'imported';
}

export type VectorEntry<K> = readonly [K, Float32Array];

export interface MumicStore {
  getImageEmbeddings(keys: readonly ImageEmbeddingKey[]): Promise<(Float32Array | undefined)[]>;
  deleteImageEmbeddings(keys: readonly ImageEmbeddingKey[]): Promise<void>;
  /** Every image embedding of a model id and vision dtype, by content hash (one bulk read). */
  listImageEmbeddings(model: string, dtype: Dtype): Promise<Map<string, Float32Array>>;
  getLabelEmbeddings(keys: readonly LabelEmbeddingKey[]): Promise<(Float32Array | undefined)[]>;
  putLabelEmbeddings(entries: readonly VectorEntry<LabelEmbeddingKey>[]): Promise<void>;

  /**
   * Every photo of a scope (model id + vision dtype), in the order they were added, without
   * thumbnails (getThumbnails reads those).
   */
  listPhotos(scope: PhotoScope): Promise<StoredPhoto[]>;
  /**
   * Photo records (with their thumbnails, kept apart) and their new image embeddings, in one
   * transaction. A record put without a thumbnail keeps the one stored.
   */
  putPhotos(
    scope: PhotoScope,
    photos: readonly StoredPhoto[],
    embeddings?: readonly VectorEntry<ImageEmbeddingKey>[],
  ): Promise<void>;
  /** The stored records of `ids` in a scope, without thumbnails (those not stored left out). */
  getPhotos(scope: PhotoScope, ids: readonly string[]): Promise<StoredPhoto[]>;
  /** The stored thumbnails of `ids` in a scope, in the same order (undefined: none kept). */
  getThumbnails(scope: PhotoScope, ids: readonly string[]): Promise<(Blob | undefined)[]>;
  /** Records and their thumbnails. */
  deletePhotos(scope: PhotoScope, ids: readonly string[]): Promise<void>;

  listFeedback(): Promise<PhotoFeedback[]>;
  putFeedback(entries: readonly PhotoFeedback[]): Promise<void>;
  deleteFeedback(cells: readonly Pick<PhotoFeedback, 'hash' | 'label'>[]): Promise<void>;

  getHead(scope: PhotoScope): Promise<StoredHead | undefined>;
  putHead(scope: PhotoScope, head: StoredHead): Promise<void>;
  deleteHead(scope: PhotoScope): Promise<void>;

  /** Photos (every dtype), image embeddings, label vectors and heads of a model id. */
  deleteModelData(model: string): Promise<void>;

  /** Moves thumbnails still held in old photo records to their own store (when idle). */
  moveThumbnails?(): Promise<void>;
  getSetting(key: string): Promise<unknown>;
  putSetting(key: string, value: unknown): Promise<void>;
  /**
   * Reads a setting, changes it with `change` (synchronous; it may throw, then nothing is
   * written) and writes the result, all in one transaction, so a change made meanwhile by
   * another tab is never written over. Resolves with what was written.
   */
  updateSetting<T>(key: string, change: (stored: unknown) => T): Promise<T>;
  /**
   * Everything: photos, thumbnails, embeddings, feedback, heads, settings. Raises the epoch:
   * writes of other tabs' stores fail with ClearedElsewhere until they `followClear()`.
   */
  clearEverything(): Promise<void>;
  /** After a clear in another tab (and once this tab dropped its data): writes are taken again. */
  followClear(): Promise<void>;
}
