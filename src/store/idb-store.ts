/**
 * The app's IndexedDB: ONE database, a store per kind (image and label embeddings, photos, their
 * thumbnails, feedback, heads, settings), so a photo's record and its embedding are written in one
 * transaction. Keys come from core/cache-keys.ts. Every failure becomes StorageQuotaExceeded or
 * StorageFailed (core/storage-errors.ts). The IDBFactory is passed in: fake-indexeddb in tests.
 */
import { promisifyRequest } from 'idb-keyval';
import type { PhotoFeedback } from '../core/adapt/feedback-file.ts';
import { STORE_SCHEMA, imageEmbeddingKey, photoKey, type PhotoScope } from '../core/cache-keys.ts';
import { MumicError } from '../core/errors.ts';
import { storageError } from '../core/storage-errors.ts';
import { DB_NAME, DB_VERSION, STORES, openDatabase, type StoreName } from './idb-schema.ts';
import {
  THUMBNAILS_TO_MOVE_KEY,
  heldThumbnail,
  keepHeldThumbnail,
  moveSomeThumbnails,
  recordOnly,
  splitThumbnail,
} from './thumbnails.ts';
import type { MumicStore, StoredHead, StoredPhoto } from './types.ts';

export { DB_NAME, DB_VERSION, STORES, openDatabase, type StoreName };

/** Records per transaction when moving thumbnails out of version 1 records. */
const MOVE_CHUNK = 100;

const mutable = (key: readonly IDBValidKey[]): IDBValidKey[] => [...key];

/**
 * Feedback is keyed by [content hash, label id]: one answer per cell, whatever the model (it is
 * about the picture, not about an embedding).
 */
const feedbackKey = (f: Pick<PhotoFeedback, 'hash' | 'label'>): IDBValidKey[] => [f.hash, f.label];

/** Every key of a model id: all the stores' keys are arrays with the model id third. */
const modelRange = (kind: string, model: string): IDBKeyRange =>
  IDBKeyRange.bound([kind, STORE_SCHEMA, model], [kind, STORE_SCHEMA, model, []]);

type Stores = Record<StoreName, IDBObjectStore>;

/**
 * The settings key of the store's epoch: Clear all (in any tab) raises it in the transaction that
 * wipes everything. Every write checks it in its own transaction, so a write prepared before a
 * clear in another tab is refused (ClearedElsewhere) instead of bringing data back (issue 10, 6).
 */
export const EPOCH_KEY = 'store-epoch';

const readEpoch = async (settings: IDBObjectStore): Promise<number> => {
  const value = await promisifyRequest(settings.get(EPOCH_KEY) as IDBRequest<unknown>);
  return typeof value === 'number' ? value : 0;
};

export class IdbStore implements MumicStore {
  private dbPromise: Promise<IDBDatabase> | undefined;
  /** The epoch this store's data in memory belongs to (read when the database opens). */
  private epoch = 0;

  /** `existingOnly`: see openDatabase (a reader that must not create or upgrade the database). */
  constructor(
    private readonly factory: IDBFactory = indexedDB,
    private readonly options: { existingOnly?: boolean } = {},
  ) {}

  private db(): Promise<IDBDatabase> {
    this.dbPromise ??= openDatabase(this.factory, this.options.existingOnly)
      .then(async (db) => {
        // Closed for another tab's upgrade (openDatabase): the next use opens it again.
        db.addEventListener('versionchange', () => (this.dbPromise = undefined));
        this.epoch = await readEpoch(db.transaction('settings').objectStore('settings'));
        return db;
      })
      .catch((error: unknown) => {
        this.dbPromise = undefined;
        throw error;
      });
    return this.dbPromise;
  }

  /**
   * Runs a write `job` only if no tab cleared everything since this store last took the epoch:
   * the check and the write are one transaction, so a clear cannot fall between them.
   */
  private write<T = void>(
    what: string,
    names: readonly StoreName[],
    job: (stores: Stores) => T | Promise<T>,
  ): Promise<T> {
    const withSettings = names.includes('settings') ? names : [...names, 'settings' as const];
    return this.tx(what, 'readwrite', withSettings, async (s) => {
      if ((await readEpoch(s.settings)) !== this.epoch) {
        throw new MumicError('ClearedElsewhere', `${what} not stored`);
      }
      return job(s);
    });
  }

  /**
   * Moves every thumbnail still held in a photo record (written by schema version 1) to the
   * thumbnails store, a chunk per transaction, then notes that none is left. Safe to stop at any
   * point: each chunk moves its thumbnails and rewrites their records in one transaction. The
   * app calls it when idle (after start-up, between batches).
   */
  async moveThumbnails(): Promise<void> {
    if ((await this.getSetting(THUMBNAILS_TO_MOVE_KEY)) !== true) return;
    let after: IDBValidKey | undefined;
    do {
      const from = after;
      after = await this.tx('thumbnails (moving)', 'readwrite', ['photos', 'thumbnails'], (s) =>
        moveSomeThumbnails(s.photos, s.thumbnails, from, MOVE_CHUNK),
      );
      // Other transactions (a restore, the tiles' thumbnails) go between two chunks.
      await new Promise((resolve) => setTimeout(resolve, 0));
    } while (after !== undefined);
    await this.tx('settings', 'readwrite', ['settings'], (s) => {
      s.settings.delete(THUMBNAILS_TO_MOVE_KEY);
    });
  }

  /** Takes the current epoch: this tab has dropped what it held from before a clear elsewhere. */
  async followClear(): Promise<void> {
    const db = await this.db();
    this.epoch = await readEpoch(db.transaction('settings').objectStore('settings'));
  }

  /** Runs `job` in one transaction over `names`; resolves when the transaction commits. */
  private async tx<T>(
    what: string,
    mode: IDBTransactionMode,
    names: readonly StoreName[],
    job: (stores: Stores) => Promise<T> | T,
  ): Promise<T> {
    try {
      const db = await this.db();
      const t = db.transaction([...names], mode);
      const done = new Promise<void>((resolve, reject) => {
        t.oncomplete = () => resolve();
        t.onabort = t.onerror = () => reject(t.error ?? new Error('transaction aborted'));
      });
      done.catch(() => undefined);
      const stores = Object.fromEntries(names.map((n) => [n, t.objectStore(n)])) as Stores;
      let result: T;
      try {
        result = await job(stores);
      } catch (error) {
        // All or nothing: what the job already put must not commit without the rest.
        try {
          t.abort();
        } catch {
          // Already finished.
        }
        throw error;
      }
      await done;
      return result;
    } catch (cause) {
      throw storageError(cause, { what, action: mode === 'readonly' ? 'read' : 'store' });
    }
  }

  private getMany(
    what: string,
    name: StoreName,
    keys: readonly (readonly IDBValidKey[])[],
  ): Promise<(Float32Array | undefined)[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.tx(what, 'readonly', [name], (s) =>
      Promise.all(
        keys.map((k) => promisifyRequest(s[name].get(mutable(k)) as IDBRequest<Float32Array>)),
      ),
    );
  }

  private deleteMany(
    what: string,
    name: StoreName,
    keys: readonly (readonly IDBValidKey[])[],
  ): Promise<void> {
    if (keys.length === 0) return Promise.resolve();
    return this.tx(what, 'readwrite', [name], (s) => {
      for (const k of keys) s[name].delete(mutable(k));
    });
  }

  getImageEmbeddings: MumicStore['getImageEmbeddings'] = (keys) =>
    this.getMany('image embeddings', 'images', keys);

  deleteImageEmbeddings: MumicStore['deleteImageEmbeddings'] = (keys) =>
    this.deleteMany('image embeddings', 'images', keys);

  listImageEmbeddings: MumicStore['listImageEmbeddings'] = (model, dtype) =>
    this.tx('image embeddings', 'readonly', ['images'], async (s) => {
      // Two bulk reads over the key prefix, not a get per photo (10,000 requests at start-up).
      const prefix = imageEmbeddingKey(model, dtype, '').slice(0, -1);
      const range = IDBKeyRange.bound(prefix, [...prefix, []]);
      const [keys, values] = await Promise.all([
        promisifyRequest(s.images.getAllKeys(range)),
        promisifyRequest(s.images.getAll(range) as IDBRequest<unknown[]>),
      ]);
      const out = new Map<string, Float32Array>();
      keys.forEach((key, i) => {
        const hash = Array.isArray(key) ? key[key.length - 1] : undefined;
        const value = values[i];
        if (typeof hash === 'string' && value instanceof Float32Array) out.set(hash, value);
      });
      return out;
    });

  getLabelEmbeddings: MumicStore['getLabelEmbeddings'] = (keys) =>
    this.getMany('label embeddings', 'labels', keys);

  putLabelEmbeddings: MumicStore['putLabelEmbeddings'] = (entries) => {
    if (entries.length === 0) return Promise.resolve();
    return this.write('label embeddings', ['labels'], (s) => {
      for (const [k, v] of entries) s.labels.put(v, mutable(k));
    });
  };

  listPhotos(scope: PhotoScope): Promise<StoredPhoto[]> {
    return this.tx('photos', 'readonly', ['photos'], async (s) => {
      // Keys are [...scope, id]: a prefix range. Arrays sort after strings, so [...scope, []] is
      // above every [...scope, id].
      const range = IDBKeyRange.bound([...scope], [...scope, []]);
      const all = await promisifyRequest(s.photos.getAll(range) as IDBRequest<StoredPhoto[]>);
      // A record not moved yet still holds its thumbnail: read apart (getThumbnails).
      return all.map(recordOnly).sort((a, b) => a.seq - b.seq);
    });
  }

  putPhotos: MumicStore['putPhotos'] = (scope, photos, embeddings = []) => {
    if (photos.length === 0 && embeddings.length === 0) return Promise.resolve();
    const names = ['photos', 'images', 'thumbnails'] as const;
    return this.write('photos and their embeddings', names, (s) => {
      for (const [k, v] of embeddings) s.images.put(v, mutable(k));
      for (const p of photos) {
        const key = mutable(photoKey(scope, p.id));
        const [record, thumbnail] = splitThumbnail(p);
        // A record put again without its thumbnail keeps the one stored (or held in the record
        // it replaces, not moved yet).
        if (!thumbnail) keepHeldThumbnail(s.photos, s.thumbnails, key);
        s.photos.put(record, key);
        if (thumbnail) s.thumbnails.put(thumbnail, key);
      }
    });
  };

  getThumbnails(scope: PhotoScope, ids: readonly string[]): Promise<(Blob | undefined)[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.tx('thumbnails', 'readonly', ['thumbnails', 'photos'], (s) =>
      Promise.all(
        ids.map(async (id) => {
          const key = mutable(photoKey(scope, id));
          const stored = s.thumbnails.get(key) as IDBRequest<Blob | undefined>;
          // Not moved yet (a version 1 record): still in its record.
          return (await promisifyRequest(stored)) ?? heldThumbnail(s.photos, key);
        }),
      ),
    );
  }

  getPhotos(scope: PhotoScope, ids: readonly string[]): Promise<StoredPhoto[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.tx('photos', 'readonly', ['photos'], async (s) => {
      const found = await Promise.all(
        ids.map((id) => promisifyRequest(s.photos.get(mutable(photoKey(scope, id))))),
      );
      return (found as (StoredPhoto | undefined)[]).flatMap((p) => (p ? [recordOnly(p)] : []));
    });
  }

  deletePhotos(scope: PhotoScope, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return Promise.resolve();
    return this.tx('photos', 'readwrite', ['photos', 'thumbnails'], (s) => {
      for (const id of ids) {
        const key = mutable(photoKey(scope, id));
        s.photos.delete(key);
        s.thumbnails.delete(key);
      }
    });
  }

  listFeedback(): Promise<PhotoFeedback[]> {
    return this.tx('feedback', 'readonly', ['feedback'], (s) =>
      promisifyRequest(s.feedback.getAll() as IDBRequest<PhotoFeedback[]>),
    );
  }

  putFeedback(entries: readonly PhotoFeedback[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    return this.write('feedback', ['feedback'], (s) => {
      for (const f of entries) s.feedback.put(f, feedbackKey(f));
    });
  }

  deleteFeedback(cells: readonly Pick<PhotoFeedback, 'hash' | 'label'>[]): Promise<void> {
    return this.deleteMany('feedback', 'feedback', cells.map(feedbackKey));
  }

  getHead(scope: PhotoScope): Promise<StoredHead | undefined> {
    return this.tx('the adapted head', 'readonly', ['heads'], (s) =>
      promisifyRequest(s.heads.get(mutable(scope)) as IDBRequest<StoredHead | undefined>),
    );
  }

  putHead(scope: PhotoScope, head: StoredHead): Promise<void> {
    return this.write('the adapted head', ['heads'], (s) => {
      s.heads.put(head, mutable(scope));
    });
  }

  deleteHead(scope: PhotoScope): Promise<void> {
    return this.deleteMany('the adapted head', 'heads', [scope]);
  }

  deleteModelData(model: string): Promise<void> {
    const names = ['images', 'labels', 'photos', 'thumbnails', 'heads'] as const;
    return this.tx("the model's stored data", 'readwrite', names, (s) => {
      s.images.delete(modelRange('image', model));
      s.labels.delete(modelRange('label', model));
      s.photos.delete(modelRange('photo', model));
      s.thumbnails.delete(modelRange('photo', model));
      s.heads.delete(modelRange('photo', model));
    });
  }

  getSetting(key: string): Promise<unknown> {
    return this.tx('settings', 'readonly', ['settings'], (s) =>
      promisifyRequest(s.settings.get(key) as IDBRequest<unknown>),
    );
  }

  putSetting(key: string, value: unknown): Promise<void> {
    return this.write('settings', ['settings'], (s) => {
      s.settings.put(value, key);
    });
  }

  updateSetting<T>(key: string, change: (stored: unknown) => T): Promise<T> {
    // One read-write transaction: IndexedDB runs overlapping ones (any tab's) one after the
    // other, so no other write can fall between this read and this write.
    return this.write('settings', ['settings'], async (s) => {
      const next = change(await promisifyRequest(s.settings.get(key) as IDBRequest<unknown>));
      s.settings.put(next, key);
      return next;
    });
  }

  async clearEverything(): Promise<void> {
    this.epoch = await this.tx('everything (clearing)', 'readwrite', STORES, async (s) => {
      const next = (await readEpoch(s.settings)) + 1;
      for (const name of STORES) s[name].clear();
      s.settings.put(next, EPOCH_KEY);
      return next;
    });
  }
}
