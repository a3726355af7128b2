/**
 * The app's IndexedDB (the only module that uses it), through idb-keyval: embeddings of images and
 * labels, the photos of each model and dtype (results, thumbnails, errors), a person's feedback,
 * the adapted heads and the settings.
 * Keys come from core/cache-keys.ts. Every failure becomes StorageQuotaExceeded or StorageFailed.
 */
import {
  clear,
  createStore,
  delMany,
  get,
  getMany,
  promisifyRequest,
  set,
  setMany,
  type UseStore,
} from 'idb-keyval';
import type { PhotoFeedback } from '../core/adapt/feedback-file.ts';
import type { MumicHead } from '../core/adapt/head.ts';
import type { ImageEmbeddingKey, LabelEmbeddingKey, PhotoScope } from '../core/cache-keys.ts';
import { STORE_SCHEMA, photoKey } from '../core/cache-keys.ts';
import { MumicError } from '../core/errors.ts';
import type { PhotoRecord } from '../shared/worker-api.ts';

/** A photo as stored: the worker's record of it, enough to show it and its error after a reload. */
export type StoredPhoto = PhotoRecord;

let stores:
  | {
      images: UseStore;
      labels: UseStore;
      photos: UseStore;
      feedback: UseStore;
      heads: UseStore;
      settings: UseStore;
    }
  | undefined;

function db() {
  stores ??= {
    images: createStore('mumic-image-embeddings', 'vectors'),
    labels: createStore('mumic-label-embeddings', 'vectors'),
    photos: createStore('mumic-photos', 'photos'),
    feedback: createStore('mumic-feedback', 'feedback'),
    heads: createStore('mumic-heads', 'heads'),
    settings: createStore('mumic-settings', 'settings'),
  };
  return stores;
}

function storageError(what: string, cause: unknown): MumicError {
  if (cause instanceof MumicError) return cause;
  const name = (cause as { name?: unknown } | null)?.name;
  const message = cause instanceof Error ? cause.message : String(cause);
  return name === 'QuotaExceededError'
    ? new MumicError('StorageQuotaExceeded', `${what}: ${message}`, { cause })
    : new MumicError('StorageFailed', `${what}: ${message}`, { cause });
}

async function guard<T>(what: string, job: () => Promise<T>): Promise<T> {
  try {
    return await job();
  } catch (cause) {
    throw storageError(what, cause);
  }
}

const mutable = (key: readonly IDBValidKey[]): IDBValidKey[] => [...key];

// ---- embeddings ------------------------------------------------------------------------------

type VectorStore = 'images' | 'labels';

function getVectors(
  store: VectorStore,
  what: string,
  keys: readonly (readonly IDBValidKey[])[],
): Promise<(Float32Array | undefined)[]> {
  if (keys.length === 0) return Promise.resolve([]);
  return guard(`reading ${what}`, () => getMany<Float32Array>(keys.map(mutable), db()[store]));
}

function putVectors(
  store: VectorStore,
  what: string,
  entries: readonly (readonly [readonly IDBValidKey[], Float32Array])[],
): Promise<void> {
  if (entries.length === 0) return Promise.resolve();
  return guard(`saving ${what}`, () =>
    setMany(
      entries.map(([k, v]) => [mutable(k), v]),
      db()[store],
    ),
  );
}

export const getImageEmbeddings = (keys: readonly ImageEmbeddingKey[]) =>
  getVectors('images', 'image embeddings', keys);

export const putImageEmbeddings = (
  entries: readonly (readonly [ImageEmbeddingKey, Float32Array])[],
) => putVectors('images', 'image embeddings', entries);

export function deleteImageEmbeddings(keys: readonly ImageEmbeddingKey[]): Promise<void> {
  if (keys.length === 0) return Promise.resolve();
  return guard('deleting image embeddings', () => delMany(keys.map(mutable), db().images));
}

export const getLabelEmbeddings = (keys: readonly LabelEmbeddingKey[]) =>
  getVectors('labels', 'label embeddings', keys);

export const putLabelEmbeddings = (
  entries: readonly (readonly [LabelEmbeddingKey, Float32Array])[],
) => putVectors('labels', 'label embeddings', entries);

// ---- photos ----------------------------------------------------------------------------------

/** Every photo of a scope (model id + vision dtype), in the order they were added. */
export function listPhotos(scope: PhotoScope): Promise<StoredPhoto[]> {
  return guard('reading stored photos', async () => {
    // Keys are [...scope, id]: a prefix range. Arrays sort after strings, so [...scope, []] is
    // above every [...scope, id].
    const range = IDBKeyRange.bound([...scope], [...scope, []]);
    const all = await db().photos('readonly', (s) =>
      promisifyRequest(s.getAll(range) as IDBRequest<StoredPhoto[]>),
    );
    return all.sort((a, b) => a.seq - b.seq);
  });
}

export function putPhotos(scope: PhotoScope, photos: readonly StoredPhoto[]): Promise<void> {
  if (photos.length === 0) return Promise.resolve();
  return guard('saving photos', () =>
    setMany(
      photos.map((p) => [mutable(photoKey(scope, p.id)), p]),
      db().photos,
    ),
  );
}

export function deletePhotos(scope: PhotoScope, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return Promise.resolve();
  return guard('deleting photos', () =>
    delMany(
      ids.map((id) => mutable(photoKey(scope, id))),
      db().photos,
    ),
  );
}

// ---- feedback and heads -------------------------------------------------------------------

/**
 * Feedback is keyed by [content hash, label id]: one answer per cell, whatever the model (it is
 * about the picture, not about an embedding).
 */
const feedbackKey = (f: Pick<PhotoFeedback, 'hash' | 'label'>): IDBValidKey[] => [f.hash, f.label];

export function listFeedback(): Promise<PhotoFeedback[]> {
  return guard('reading feedback', () =>
    db().feedback('readonly', (s) => promisifyRequest(s.getAll() as IDBRequest<PhotoFeedback[]>)),
  );
}

export function putFeedback(entries: readonly PhotoFeedback[]): Promise<void> {
  if (entries.length === 0) return Promise.resolve();
  return guard('saving feedback', () =>
    setMany(
      entries.map((f) => [feedbackKey(f), f]),
      db().feedback,
    ),
  );
}

export function deleteFeedback(
  cells: readonly Pick<PhotoFeedback, 'hash' | 'label'>[],
): Promise<void> {
  if (cells.length === 0) return Promise.resolve();
  return guard('deleting feedback', () => delMany(cells.map(feedbackKey), db().feedback));
}

/** A head kept for a photo scope, and whether it was trained here or imported from a file. */
export interface StoredHead {
  head: MumicHead;
  source: 'trained' | 'imported';
}

/** The adapted head of a photo scope (model id + vision dtype), if one was trained or imported. */
export function getHead(scope: PhotoScope): Promise<StoredHead | undefined> {
  return guard('reading the adapted head', () => get<StoredHead>(mutable(scope), db().heads));
}

export function putHead(scope: PhotoScope, head: StoredHead): Promise<void> {
  return guard('saving the adapted head', () => set(mutable(scope), head, db().heads));
}

export function deleteHead(scope: PhotoScope): Promise<void> {
  return guard('deleting the adapted head', () => delMany([mutable(scope)], db().heads));
}

// ---- per model ------------------------------------------------------------------------------

/** Every key of a model id: all the stores' keys are arrays with the model id third. */
const modelRange = (kind: string, model: string): IDBKeyRange =>
  IDBKeyRange.bound([kind, STORE_SCHEMA, model], [kind, STORE_SCHEMA, model, []]);

/**
 * Deletes what was kept for a model id: photos (every dtype), image embeddings, label vectors and
 * heads. For a model removed from this browser, so a later model under its id starts clean.
 */
export function deleteModelData(model: string): Promise<void> {
  const s = db();
  const drop = (store: UseStore, kind: string) =>
    store('readwrite', (o) => promisifyRequest(o.delete(modelRange(kind, model))));
  return guard("deleting the model's stored data", async () => {
    await Promise.all([
      drop(s.images, 'image'),
      drop(s.labels, 'label'),
      drop(s.photos, 'photo'),
      drop(s.heads, 'photo'),
    ]);
  });
}

// ---- settings --------------------------------------------------------------------------------

export function getSetting<T>(key: string): Promise<T | undefined> {
  return guard('reading settings', () => get<T>(key, db().settings));
}

export function putSetting(key: string, value: unknown): Promise<void> {
  return guard('saving settings', () => set(key, value, db().settings));
}

/** Deletes everything the app stored: photos, thumbnails, embeddings, feedback, heads, settings. */
export function clearEverything(): Promise<void> {
  const s = db();
  return guard('clearing storage', async () => {
    await Promise.all(
      [s.images, s.labels, s.photos, s.feedback, s.heads, s.settings].map((store) => clear(store)),
    );
  });
}
