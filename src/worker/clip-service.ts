import {
  imageEmbeddingKey,
  photoId,
  photoScope,
  type ImageEmbeddingKey,
  type PhotoScope,
} from '../core/cache-keys.ts';
import {
  mergeFeedback,
  parseFeedbackFile,
  parseHead,
  serializeFeedback,
  serializeHead,
  validateHeadShape,
  type PhotoFeedback,
} from '../core/adapt/index.ts';
import { embedImages, type ImageEmbedder } from '../core/embed-images.ts';
import { MumicError, toErrorInfo, type ErrorInfo } from '../core/errors.ts';
import { MAX_FILE_BYTES } from '../core/image-header.ts';
import { loadModelFolder, type ModelInfo } from '../core/model-folder.ts';
import { createTokenizer } from '../core/tokenize.ts';
import type { LoadProgress } from '../core/types.ts';
import { runBatchSize } from '../core/model-files.ts';
import type { FallbackEncoder } from '../runtime/fallback-encoder.ts';
import { SerialQueue } from '../runtime/serial-queue.ts';
import { createWebEncoder } from '../runtime/web.ts';
import type {
  AdaptOutcome,
  AdaptRequest,
  BatchProgress,
  BatchSummary,
  BatchUpdate,
  Counters,
  FeedbackChange,
  FeedbackImport,
  HeadChange,
  HeadState,
  ImageOutcome,
  LabelProgress,
  LabelRef,
  LabelsResult,
  ModelLoadRequest,
  ModelStatus,
  PhotoInput,
  PhotoRecord,
  RestoreResult,
  ScoreTable,
  TextEmbeddings,
  WorkerApi,
} from '../shared/worker-api.ts';
import {
  clearEverything,
  deleteFeedback,
  deleteHead,
  deleteImageEmbeddings,
  deletePhotos,
  getHead,
  getImageEmbeddings,
  getSetting,
  listFeedback,
  listPhotos,
  putFeedback,
  putHead,
  putImageEmbeddings,
  putPhotos,
  putSetting,
  type StoredHead,
} from '../store/index.ts';
import { describeHead, trainHead } from './adaptation.ts';
import { decodeImageBlob } from './decode-browser.ts';
import { makeThumbnail, sha256Hex } from './image-tools.ts';
import { LabelBank } from './label-bank.ts';
import { LocalModels } from './local-model.ts';
import { FetchModelSource } from './model-source-fetch.ts';
import { PrepareThread } from './prepare-thread.ts';

interface Loaded {
  request: ModelLoadRequest;
  info: ModelInfo;
  encoder: FallbackEncoder;
  tokenizer: ReturnType<typeof createTokenizer>;
  source: FetchModelSource;
}

/** The photos of one model and vision dtype, in memory: records and raw embeddings. */
interface Library {
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

/** One file of a classify call on its way through. */
interface Pending {
  input: PhotoInput;
  id: string;
  hash: string | undefined;
}

/** One distinct content to encode, and every input that has it. */
interface EncodeJob {
  blob: Blob;
  hash: string | undefined;
  pending: Pending[];
  thumbnail: Blob | undefined;
}

/** Files hashed and looked up in the store per step (results of cached photos stream per step). */
const LOOKUP_GROUP = 16;
/** Images per vision-tower run, and texts per text-tower run. */
const IMAGE_BATCH = 8;
const TEXT_BATCH = 64;

const cancelled = (): MumicError => new MumicError('Cancelled', 'the batch was cancelled');

/** The worker's side of WorkerApi: one loaded model at a time. */
export class ClipService implements WorkerApi {
  private loaded: Loaded | undefined;
  private readonly counters: Counters = { imagesEncoded: 0, textsEncoded: 0 };
  private readonly labels = new LabelBank();
  private readonly labelQueue = new SerialQueue();
  /** Answers are read, merged and written one call at a time (an import cannot undo a click). */
  private readonly feedbackQueue = new SerialQueue();
  private libraryPromise: Promise<Library> | undefined;
  private readonly jobs = new Set<AbortController>();
  /** Decodes and preprocesses the next batch on a nested worker while this thread runs one. */
  private readonly prepareThread = new PrepareThread();

  async loadModel(
    request: ModelLoadRequest,
    onProgress?: (progress: LoadProgress) => void,
  ): Promise<ModelStatus> {
    await this.loaded?.encoder.release();
    this.loaded = undefined;
    this.libraryPromise = undefined;
    // With 2 cores, onnxruntime's threads already take both: a prepare worker only contends.
    this.prepareThread.enabled =
      request.prepareWorker ?? (globalThis.navigator?.hardwareConcurrency ?? 2) > 2;
    const source = new FetchModelSource(request.baseUrl);
    const info = await loadModelFolder(source);
    const tokenizer = createTokenizer(
      info.tokenizer.json,
      info.tokenizer.config,
      info.contextLength,
    );
    const encoder = await createWebEncoder(source, info, {
      backend: request.backend,
      dtype: request.dtype,
      wasmPaths: request.wasmPaths,
      onProgress,
    });
    this.loaded = { request, info, encoder, tokenizer, source };
    return this.describe(this.loaded);
  }

  status(): Promise<ModelStatus | null> {
    return Promise.resolve(this.loaded ? this.describe(this.loaded) : null);
  }

  async embedImages(files: Blob[]): Promise<ImageOutcome[]> {
    const { info } = this.require();
    const out: ImageOutcome[] = [];
    for await (const outcomes of embedImages(files, {
      prepare: (blobs, start) => this.prepareThread.prepare(blobs, start, info.processor),
      batchSize: runBatchSize(this.require().encoder.dtypes.vision, IMAGE_BATCH),
      processor: info.processor,
      embedder: this.imageEmbedder(),
      dim: info.projectionDim,
    })) {
      for (const o of outcomes)
        out[o.index] = 'error' in o ? { error: o.error } : { embedding: o.embedding };
    }
    return out;
  }

  async embedTexts(texts: string[]): Promise<TextEmbeddings> {
    const { tokenizer } = this.require();
    const tokens = tokenizer.encode(texts);
    const embeddings = texts.length > 0 ? await this.encodeTexts(texts) : new Float32Array();
    const inputIds = texts.map((_, i) =>
      Array.from(tokens.inputIds.subarray(i * tokens.length, (i + 1) * tokens.length), Number),
    );
    return { inputIds, embeddings };
  }

  setLabels(
    labels: LabelRef[],
    templates: string[],
    onProgress?: (progress: LabelProgress) => void,
  ): Promise<LabelsResult> {
    return this.labelQueue.run(async () => {
      const loaded = this.require();
      const outcome = await this.labels.set(
        labels,
        templates,
        {
          model: loaded.request.id,
          textDtype: loaded.encoder.dtypes.text,
          dim: loaded.info.projectionDim,
          encode: (texts) => this.encodeTexts(texts),
          batchSize: runBatchSize(loaded.encoder.dtypes.text, TEXT_BATCH),
          readModelFile: (name) => readText(loaded.source, name),
          scoring: loaded.info.calibration,
        },
        onProgress,
      );
      const library = await this.library();
      return {
        table: this.scoreLibrary(library),
        encoded: outcome.encoded,
        fromFile: outcome.fromFile,
        fromStore: outcome.fromStore,
        fileNote: outcome.fileNote,
        counters: { ...this.counters },
        storageError: outcome.storageError ?? library.loadError,
      };
    });
  }

  async restore(): Promise<RestoreResult> {
    const library = await this.library();
    return {
      photos: [...library.records.values()],
      table: this.scoreLibrary(library),
      storageError: library.loadError,
    };
  }

  async scorePhotos(ids: string[]): Promise<ScoreTable> {
    const library = await this.library();
    const known = ids.filter((id) => library.embeddings.has(id));
    return this.labels.score(
      known,
      known.map((id) => library.embeddings.get(id) as Float32Array),
    );
  }

  async removePhotos(ids: string[]): Promise<void> {
    const library = await this.library();
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
    const model = library.scope[2];
    const dtype = library.scope[3];
    await deletePhotos(library.scope, ids);
    await deleteImageEmbeddings([...hashes].map((h) => imageEmbeddingKey(model, dtype, h)));
  }

  async clearAll(): Promise<void> {
    await this.cancel();
    // Behind any adapt or head import under way, so none of them stores a head after the wipe.
    await this.labelQueue.run(() => this.feedbackQueue.run(() => this.wipe()));
  }

  private async wipe(): Promise<void> {
    this.labels.reset();
    this.labels.setHead(undefined);
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
    await clearEverything();
  }

  getSetting(key: string): Promise<unknown> {
    return getSetting(key);
  }

  putSetting(key: string, value: unknown): Promise<void> {
    return putSetting(key, value);
  }

  // ---- feedback and adaptation ----------------------------------------------------------------

  listFeedback(): Promise<PhotoFeedback[]> {
    return listFeedback();
  }

  setFeedback(changes: FeedbackChange[]): Promise<void> {
    return this.feedbackQueue.run(() => this.storeFeedback(changes));
  }

  private async storeFeedback(changes: FeedbackChange[]): Promise<void> {
    const at = Date.now();
    const set: PhotoFeedback[] = [];
    const cleared: { hash: string; label: string }[] = [];
    for (const c of changes) {
      if (c.value === null) cleared.push({ hash: c.hash, label: c.label });
      else set.push({ hash: c.hash, label: c.label, value: c.value, text: c.text, at });
    }
    await putFeedback(set);
    await deleteFeedback(cleared);
  }

  async exportFeedback(): Promise<string> {
    return serializeFeedback(await listFeedback());
  }

  importFeedback(json: string): Promise<FeedbackImport> {
    const incoming = parseFeedbackFile(json);
    return this.feedbackQueue.run(async () => {
      const merge = mergeFeedback(await listFeedback(), incoming);
      await putFeedback(merge.changed);
      return {
        added: merge.added,
        replaced: merge.replaced,
        unchanged: merge.unchanged,
        feedback: merge.merged,
      };
    });
  }

  adapt(request?: AdaptRequest): Promise<AdaptOutcome> {
    // In the label queue: a label change cannot swap the set out from under the training.
    return this.labelQueue.run(async () => {
      const started = performance.now();
      const { request: model, encoder } = this.require();
      const library = await this.library();
      const { head, used, ignored } = trainHead(
        await listFeedback(),
        this.labels.zeroShot,
        (hash) => library.byHash.get(hash)?.embedding,
        { id: model.id, visionDtype: encoder.dtypes.vision },
        request,
      );
      const change = await this.useHead(library, { head, source: 'trained' });
      return {
        ...change,
        head: change.head as HeadState,
        used,
        ignored,
        elapsedMs: performance.now() - started,
      };
    });
  }

  async headState(): Promise<HeadState | null> {
    const library = await this.library();
    return describeHead(this.labels, library.head?.source ?? 'trained');
  }

  async exportHead(): Promise<string> {
    const head = (await this.library()).head?.head;
    if (!head) throw new MumicError('InvalidArgument', 'There is no adapted head to export yet.');
    return serializeHead(head);
  }

  importHead(json: string): Promise<HeadChange> {
    return this.labelQueue.run(async () => {
      const { request, info, encoder } = this.require();
      const library = await this.library();
      const labels = this.labels.zeroShot;
      const head = parseHead(json, {
        modelId: request.id,
        dtype: encoder.dtypes.vision,
        projectionDim: info.projectionDim,
        labelIds: labels.ids,
        labelTexts: labels.prompts,
        templates: labels.templateKey,
      });
      return this.useHead(library, { head, source: 'imported' });
    });
  }

  clearHead(): Promise<HeadChange> {
    return this.labelQueue.run(async () => this.useHead(await this.library(), undefined));
  }

  /** Makes `stored` the scope's head (kept in the store) and rescores every stored photo. */
  private async useHead(library: Library, stored: StoredHead | undefined): Promise<HeadChange> {
    library.head = stored;
    this.labels.setHead(stored?.head);
    let storageError: ErrorInfo | undefined;
    try {
      if (stored) await putHead(library.scope, stored);
      else await deleteHead(library.scope);
    } catch (error) {
      // Still in use for this session; the page says it will not survive a reload.
      storageError = toErrorInfo(error);
    }
    return {
      head: describeHead(this.labels, stored?.source ?? 'trained'),
      table: this.scoreLibrary(library),
      storageError,
    };
  }

  cancel(): Promise<void> {
    for (const job of this.jobs) job.abort(cancelled());
    return Promise.resolve();
  }

  async classify(
    inputs: PhotoInput[],
    onUpdate: (update: BatchUpdate) => void,
  ): Promise<BatchSummary> {
    const { info } = this.require();
    const library = await this.library();
    const controller = new AbortController();
    const { signal } = controller;
    this.jobs.add(controller);
    const started = performance.now();
    const progress: BatchProgress = {
      done: 0,
      total: inputs.length,
      encoded: 0,
      fromCache: 0,
      failed: 0,
      elapsedMs: 0,
    };
    const finished = new Set<number>();
    const summary = (): BatchSummary => ({
      progress: { ...progress, elapsedMs: performance.now() - started },
      cancelled: inputs.filter((i) => !finished.has(i.key)).map((i) => i.key),
      counters: { ...this.counters },
    });

    /** Stores, scores and sends finished photos. */
    const emit = async (
      done: { pending: Pending; embedding?: Float32Array; thumbnail?: Blob; error?: ErrorInfo }[],
      source: 'encoded' | 'cache',
    ): Promise<void> => {
      if (done.length === 0) return;
      const records: PhotoRecord[] = [];
      const newVectors: [ImageEmbeddingKey, Float32Array][] = [];
      const scoredIds: string[] = [];
      const scoredVectors: Float32Array[] = [];
      for (const d of done) {
        const { input, id, hash } = d.pending;
        const record: PhotoRecord = {
          id,
          name: input.name,
          path: input.path,
          size: input.file.size,
          type: input.file.type,
          hash,
          seq: library.records.get(id)?.seq ?? library.nextSeq++,
          thumbnail: d.thumbnail,
          error: d.error,
        };
        records.push(record);
        library.records.set(id, record);
        finished.add(input.key);
        progress.done++;
        if (d.embedding && hash !== undefined) {
          library.embeddings.set(id, d.embedding);
          if (!library.byHash.has(hash) && source === 'encoded') {
            newVectors.push([
              imageEmbeddingKey(library.scope[2], library.scope[3], hash),
              d.embedding,
            ]);
          }
          library.byHash.set(hash, { embedding: d.embedding, thumbnail: d.thumbnail });
          scoredIds.push(id);
          scoredVectors.push(d.embedding);
          if (source === 'encoded') progress.encoded++;
          else progress.fromCache++;
        } else {
          library.embeddings.delete(id);
          progress.failed++;
        }
      }
      let storageError: ErrorInfo | undefined;
      try {
        await putImageEmbeddings(newVectors);
        await putPhotos(library.scope, records);
      } catch (error) {
        storageError = toErrorInfo(error);
      }
      const table = this.labels.score(scoredIds, scoredVectors);
      onUpdate({
        photos: records.map((record, i) => ({ key: done[i]?.pending.input.key ?? -1, record })),
        table,
        progress: { ...progress, elapsedMs: performance.now() - started },
        counters: { ...this.counters },
        storageError,
      });
    };

    try {
      // 1. Hash every file; photos whose embedding is stored are scored at once.
      const jobs = new Map<string, EncodeJob>();
      for (let start = 0; start < inputs.length; start += LOOKUP_GROUP) {
        signal.throwIfAborted();
        const group: Pending[] = [];
        const failed: { pending: Pending; error: ErrorInfo }[] = [];
        for (const input of inputs.slice(start, start + LOOKUP_GROUP)) {
          let hash: string | undefined;
          let error: ErrorInfo | undefined;
          // A file over the size limit is not read at all: decoding fails it by name below.
          if (input.file.size <= MAX_FILE_BYTES) {
            try {
              hash = await sha256Hex(input.file);
            } catch (cause) {
              error = { name: 'FileUnreadable', message: toErrorInfo(cause).message };
            }
          }
          const pending = { input, hash, id: photoId(hash, input.path, String(input.file.size)) };
          if (error) failed.push({ pending, error });
          else group.push(pending);
        }
        await emit(failed, 'encoded');
        const hashes = group.map((p) => p.hash);
        const lookups = hashes.map((h) =>
          h === undefined ? undefined : library.byHash.get(h)?.embedding,
        );
        const toRead = hashes.flatMap((h, i) => (h !== undefined && !lookups[i] ? [i] : []));
        if (toRead.length > 0) {
          const stored = await getImageEmbeddings(
            toRead.map((i) =>
              imageEmbeddingKey(library.scope[2], library.scope[3], hashes[i] as string),
            ),
          ).catch(() => toRead.map(() => undefined));
          toRead.forEach((i, k) => {
            const v = stored[k];
            if (v instanceof Float32Array && v.length === info.projectionDim) lookups[i] = v;
          });
        }
        const cached: { pending: Pending; embedding: Float32Array; thumbnail?: Blob }[] = [];
        for (const [i, pending] of group.entries()) {
          const embedding = lookups[i];
          if (embedding && pending.hash !== undefined) {
            let thumbnail = library.byHash.get(pending.hash)?.thumbnail;
            // The vector is stored but not the picture (a photo removed, then added again).
            thumbnail ??= await decodeImageBlob(pending.input.file)
              .then(makeThumbnail)
              .catch(() => undefined);
            cached.push({ pending, embedding, thumbnail });
          } else {
            const key = pending.hash ?? `unread:${pending.input.key}`;
            const job = jobs.get(key);
            if (job) job.pending.push(pending);
            else {
              const blob = pending.input.file;
              jobs.set(key, { blob, hash: pending.hash, pending: [pending], thumbnail: undefined });
            }
          }
        }
        await emit(cached, 'cache');
      }

      // 2. Encode the rest, a batch at a time; decoding the next batch overlaps inference.
      const list = [...jobs.values()];
      for await (const outcomes of embedImages(list, {
        prepare: async (batch: readonly EncodeJob[], start: number) => {
          const blobs = batch.map((job) => job.blob);
          const prepared = await this.prepareThread.prepare(blobs, start, info.processor, true);
          batch.forEach((job, i) => (job.thumbnail = prepared.thumbnails[i]));
          return prepared;
        },
        processor: info.processor,
        embedder: this.imageEmbedder(),
        dim: info.projectionDim,
        batchSize: runBatchSize(this.require().encoder.dtypes.vision, IMAGE_BATCH),
        signal,
      })) {
        await emit(
          outcomes.flatMap((o) => {
            const job = list[o.index] as EncodeJob;
            return job.pending.map((pending) =>
              'error' in o
                ? { pending, error: o.error }
                : { pending, embedding: o.embedding, thumbnail: job.thumbnail },
            );
          }),
          'encoded',
        );
        signal.throwIfAborted();
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    } finally {
      this.jobs.delete(controller);
    }
    return summary();
  }

  private imageEmbedder(): ImageEmbedder {
    const { encoder } = this.require();
    return {
      embedImages: (pixels, batch) => {
        this.counters.imagesEncoded += batch;
        return encoder.embedImages(pixels, batch);
      },
    };
  }

  private async encodeTexts(texts: string[]): Promise<Float32Array> {
    const { encoder, tokenizer } = this.require();
    const tokens = tokenizer.encode(texts);
    this.counters.textsEncoded += texts.length;
    return encoder.embedTexts(tokens);
  }

  private scoreLibrary(library: Library): ScoreTable {
    const ids = [...library.embeddings.keys()];
    return this.labels.score(ids, [...library.embeddings.values()]);
  }

  /** The photos of the loaded model and vision dtype (read from the store once). */
  private library(): Promise<Library> {
    const { request, encoder } = this.require();
    const scope = photoScope(request.id, encoder.dtypes.vision);
    const scopeKey = JSON.stringify(scope);
    const current = this.libraryPromise;
    if (current) {
      return current.then((lib) => {
        if (lib.scopeKey === scopeKey) return lib;
        // The backend fell back and changed dtype: another scope.
        this.libraryPromise = undefined;
        return this.library();
      });
    }
    const loading = loadLibrary(scope, scopeKey, this.require().info.projectionDim).then(
      (library) => {
        this.labels.setHead(library.head?.head);
        return library;
      },
    );
    this.libraryPromise = loading;
    return loading;
  }

  private require(): Loaded {
    if (!this.loaded) throw new MumicError('ModelNotLoaded', 'load a model first');
    return this.loaded;
  }

  private describe({ request, info, encoder }: Loaded): ModelStatus {
    return {
      id: request.id,
      backend: encoder.backend,
      requestedBackend: request.backend ?? 'webgpu',
      fallbackReason: encoder.reason,
      dtypes: encoder.dtypes,
      projectionDim: info.projectionDim,
      contextLength: info.contextLength,
      counters: { ...this.counters },
    };
  }

  // ---- local model folders (issue 5): checked and stored by local-model.ts
  private readonly localFolders = new LocalModels();

  installLocalModel(
    ...args: Parameters<WorkerApi['installLocalModel']>
  ): ReturnType<WorkerApi['installLocalModel']> {
    return this.localFolders.install(...args);
  }

  localModels(modelsUrl: string): ReturnType<WorkerApi['localModels']> {
    return this.localFolders.list(modelsUrl);
  }

  async removeLocalModel(modelsUrl: string, id: string): Promise<void> {
    await this.localFolders.remove(modelsUrl, id);
    // Its id may go to another folder later: nothing kept in memory may serve that one.
    this.labels.reset();
    if (this.loaded?.request.id === id) this.libraryPromise = undefined;
  }
}

async function loadLibrary(scope: PhotoScope, scopeKey: string, dim: number): Promise<Library> {
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
  library.head = await loadHead(scope, dim).catch((error: unknown) => {
    library.loadError = toErrorInfo(error);
    return undefined;
  });
  try {
    const photos = await listPhotos(scope);
    const withHash = photos.filter((p) => p.hash !== undefined && !p.error);
    const vectors = await getImageEmbeddings(
      withHash.map((p) => imageEmbeddingKey(scope[2], scope[3], p.hash as string)),
    );
    const byId = new Map(withHash.map((p, i) => [p.id, vectors[i]]));
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
 * The scope's stored head, checked: one that no longer reads as a head of this model (a damaged
 * store, an older format) is dropped with StorageFailed rather than applied.
 */
async function loadHead(scope: PhotoScope, dim: number): Promise<StoredHead | undefined> {
  const stored = await getHead(scope);
  if (stored === undefined) return undefined;
  try {
    const head = validateHeadShape(stored.head);
    const { model } = head;
    if (model.id !== scope[2] || model.dtype !== scope[3] || model.projectionDim !== dim) {
      throw new Error(`it was made for ${model.id} (${model.dtype}, ${model.projectionDim}-d)`);
    }
    return { head, source: stored.source === 'imported' ? 'imported' : 'trained' };
  } catch (error) {
    await deleteHead(scope).catch(() => undefined);
    throw new MumicError(
      'StorageFailed',
      `The stored adapted head was dropped: ${toErrorInfo(error).message}`,
    );
  }
}

/** A model-folder file as text; undefined when the folder has no such file. */
async function readText(source: FetchModelSource, name: string): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await source.read(name));
  } catch (error) {
    if ((error as { name?: unknown }).name === 'ModelFileMissing') return undefined;
    throw error;
  }
}
