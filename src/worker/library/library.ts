// Library capability: the photos of the loaded model and vision dtype, in memory (records, raw
// embeddings, and one vector per picture by content hash), read from the store once per scope.
// Restores, scores, removes (with the embeddings no photo uses any more) and clears them.
import { validateHeadShape } from '../../core/adapt/index.ts';
import { imageEmbeddingKey, photoScope, type PhotoScope } from '../../core/cache-keys.ts';
import { MumicError, toErrorInfo, type ErrorInfo } from '../../core/errors.ts';
import type { PhotoRecord, RestoreResult, ScoreTable, WorkerApi } from '../../shared/worker-api.ts';
import { splitThumbnail } from '../../store/thumbnails.ts';
import type { MumicStore, StoredHead } from '../../store/types.ts';
import type { LabelBank } from '../label-bank.ts';
import type { ModelHost } from '../models/model-host.ts';

/** The photos of one model and vision dtype, in memory: records and raw embeddings. */
export interface Library {
  scopeKey: string;
  scope: PhotoScope;
  records: Map<string, PhotoRecord>;
  embeddings: Map<string, Float32Array>;
  /** Embeddings and thumbnails by content hash (one picture under two names is one vector). */
  byHash: Map<string, { embedding: Float32Array; thumbnail: Blob | undefined }>;
  nextSeq: number;
  loadError: ErrorInfo | undefined;
  /** The adapted head of this scope, if any (scores go through it). */
  head: StoredHead | undefined;
}

/** Records in the first chunk of a chunked restore (a screenful and more), then per chunk. */
const RESTORE_FIRST = 200;
const RESTORE_CHUNK = 1000;

type LibraryMethods = 'restore' | 'scorePhotos' | 'removePhotos' | 'photoThumbnails';

export class PhotoLibrary implements Pick<WorkerApi, LibraryMethods> {
  private libraryPromise: Promise<Library> | undefined;
  /** Photos of a scope a backend switch left that the new scope lacks, until reported. */
  private leftBehind = new Set<string>();

  constructor(
    private readonly store: MumicStore,
    private readonly models: ModelHost,
    private readonly labels: LabelBank,
  ) {}

  async restore(onPhotos?: (photos: PhotoRecord[]) => void): Promise<RestoreResult> {
    const library = await this.current();
    const photos: PhotoRecord[] = [];
    for (const record of library.records.values()) {
      // Thumbnails are sent on request: a Blob per photo made a 10,000-photo restore take seconds.
      photos.push(splitThumbnail(record)[0]);
    }
    // In chunks: the page takes each in a short task, and draws the first screen from the first.
    for (let at = 0, size = RESTORE_FIRST; onPhotos && at < photos.length; at += size) {
      if (at > 0) size = RESTORE_CHUNK;
      onPhotos(photos.slice(at, at + size));
    }
    return {
      photos: onPhotos ? [] : photos,
      table: this.score(library),
      storageError: library.loadError,
    };
  }

  async photoThumbnails(ids: string[]): Promise<(Blob | undefined)[]> {
    const library = await this.current();
    // Photos added this session hold theirs; restored ones are read from the store.
    const held = ids.map((id) => library.records.get(id)?.thumbnail);
    const toRead = ids.filter((id, i) => held[i] === undefined && library.records.has(id));
    if (toRead.length === 0) return held;
    const read = await this.store.getThumbnails(library.scope, toRead);
    const byId = new Map(toRead.map((id, i) => [id, read[i]]));
    return ids.map((id, i) => held[i] ?? byId.get(id));
  }

  async scorePhotos(ids: string[]): Promise<ScoreTable> {
    const library = await this.current();
    const known = ids.filter((id) => library.embeddings.has(id));
    return this.labels.score(
      known,
      known.map((id) => library.embeddings.get(id) as Float32Array),
    );
  }

  async removePhotos(ids: string[]): Promise<void> {
    const library = await this.current();
    const hashes = new Set<string>();
    for (const id of ids) {
      const hash = library.records.get(id)?.hash;
      if (hash !== undefined) hashes.add(hash);
      library.records.delete(id);
      library.embeddings.delete(id);
    }
    // An embedding no remaining photo uses goes too: removing a photo removes what was kept of it.
    for (const r of library.records.values()) if (r.hash !== undefined) hashes.delete(r.hash);
    for (const h of hashes) library.byHash.delete(h);
    const [, , model, dtype] = library.scope;
    await this.store.deletePhotos(library.scope, ids);
    await this.store.deleteImageEmbeddings(
      [...hashes].map((h) => imageEmbeddingKey(model, dtype, h)),
    );
  }

  /** Every photo with an embedding, scored against the current labels. */
  score(library: Library): ScoreTable {
    const ids = [...library.embeddings.keys()];
    return this.labels.score(ids, [...library.embeddings.values()]);
  }

  /** Forgets what is in memory (a new model, or its id now names another folder). */
  forget(): void {
    this.libraryPromise = undefined;
    this.leftBehind.clear();
  }

  /** The photos a backend switch left in the old scope (issue 10, item 3), once; else undefined. */
  takeLeftBehind(): string[] | undefined {
    if (this.leftBehind.size === 0) return undefined;
    const ids = [...this.leftBehind];
    this.leftBehind.clear();
    return ids;
  }

  /** Left-behind photos a call took but could not report (it ended first): told next time. */
  noteLeftBehind(ids: readonly string[]): void {
    for (const id of ids) this.leftBehind.add(id);
  }

  /** Empties the library in memory (the store is cleared by the caller). */
  async empty(): Promise<void> {
    const library = this.libraryPromise
      ? await this.libraryPromise.catch(() => undefined)
      : undefined;
    if (library) {
      library.records.clear();
      library.embeddings.clear();
      library.byHash.clear();
      library.loadError = undefined;
      library.head = undefined;
    }
    // Cleared: none of them is kept anywhere to be sent again.
    this.leftBehind.clear();
  }

  /** The photos of the loaded model and vision dtype (read from the store once). */
  current(): Promise<Library> {
    const { request, encoder, info } = this.models.require();
    const scope = photoScope(request.id, encoder.dtypes.vision);
    const scopeKey = JSON.stringify(scope);
    const current = this.libraryPromise;
    if (current) {
      return current.then((lib) => {
        if (lib.scopeKey === scopeKey) return lib;
        // The backend fell back and changed dtype: another scope. Its photos that the new one
        // lacks are told to the page (takeLeftBehind), which sends their files again. Dropped
        // once: callers waiting on the old scope all get the one new library, not one each.
        if (this.libraryPromise === current) this.libraryPromise = undefined;
        return this.current().then((next) => {
          for (const id of lib.records.keys()) if (!next.records.has(id)) this.leftBehind.add(id);
          return next;
        });
      });
    }
    const loading = loadLibrary(this.store, scope, scopeKey, info.projectionDim).then((library) => {
      // Not if another model was loaded meanwhile (its set must not get this model's head).
      if (this.libraryPromise === loading) this.labels.setHead(library.head?.head);
      return library;
    });
    this.libraryPromise = loading;
    return loading;
  }
}

async function loadLibrary(
  store: MumicStore,
  scope: PhotoScope,
  scopeKey: string,
  dim: number,
): Promise<Library> {
  const library: Library = {
    scopeKey,
    scope,
    records: new Map(),
    embeddings: new Map(),
    byHash: new Map(),
    nextSeq: 0,
    loadError: undefined,
    head: undefined,
  };
  library.head = await loadHead(store, scope, dim).catch((error: unknown) => {
    library.loadError = toErrorInfo(error);
    return undefined;
  });
  try {
    const photos = await store.listPhotos(scope);
    const withHash = photos.filter((p) => p.hash !== undefined && !p.error);
    // One bulk read of the scope's vectors (a read per photo took seconds at 10,000).
    const vectors =
      withHash.length > 0 ? await store.listImageEmbeddings(scope[2], scope[3]) : new Map();
    const byId = new Map(withHash.map((p) => [p.id, vectors.get(p.hash as string)]));
    for (const p of photos) {
      library.nextSeq = Math.max(library.nextSeq, p.seq + 1);
      const stored = byId.get(p.id);
      // A vector of another size belongs to another model that had this id: not this one's.
      const embedding =
        stored instanceof Float32Array && stored.length === dim ? stored : undefined;
      if (byId.has(p.id) && !embedding) {
        p.error = {
          name: 'StorageFailed',
          message: 'Its stored embedding is gone; add the photo again.',
        };
      }
      library.records.set(p.id, p);
      if (embedding && p.hash !== undefined) {
        library.embeddings.set(p.id, embedding);
        library.byHash.set(p.hash, { embedding, thumbnail: p.thumbnail });
      }
    }
  } catch (error) {
    library.loadError = toErrorInfo(error);
  }
  return library;
}

/**
 * The stored thumbnail of a picture already in the library (restored photos do not hold theirs
 * in memory), so adding it again does not decode it again. Undefined when none is kept.
 */
export async function storedThumbnail(
  store: MumicStore,
  library: Library,
  hash: string,
): Promise<Blob | undefined> {
  for (const record of library.records.values()) {
    if (record.hash !== hash) continue;
    if (record.thumbnail) return record.thumbnail;
    const [stored] = await store.getThumbnails(library.scope, [record.id]).catch(() => []);
    if (stored) return stored;
  }
  return undefined;
}

/**
 * The scope's stored head, checked: one that no longer reads as a head of this model (a damaged
 * store, an older format) is dropped with StorageFailed rather than applied.
 */
export async function loadHead(
  store: MumicStore,
  scope: PhotoScope,
  dim: number,
): Promise<StoredHead | undefined> {
  const stored = await store.getHead(scope);
  if (stored === undefined) return undefined;
  try {
    const head = validateHeadShape(stored.head);
    const { model } = head;
    if (model.id !== scope[2] || model.dtype !== scope[3] || model.projectionDim !== dim) {
      throw new Error(`it was made for ${model.id} (${model.dtype}, ${model.projectionDim}-d)`);
    }
    return { head, source: stored.source === 'imported' ? 'imported' : 'trained' };
  } catch (error) {
    await store.deleteHead(scope).catch(() => undefined);
    throw new MumicError(
      'StorageFailed',
      `The stored adapted head was dropped: ${toErrorInfo(error).message}`,
    );
  }
}
