// Classify capability: the batch run. Hashes each file, takes stored embeddings where there are
// (one picture under two names is encoded once), encodes the rest in batches (decoding the next
// batch overlaps inference), stores each photo with its embedding and streams scored results.
import { imageEmbeddingKey, photoId, type ImageEmbeddingKey } from '../../core/cache-keys.ts';
import { embedImages } from '../../core/embed-images.ts';
import { MumicError, toErrorInfo, type ErrorInfo } from '../../core/errors.ts';
import { MAX_FILE_BYTES } from '../../core/image-header.ts';
import type { Dtype } from '../../core/types.ts';
import type {
  BatchProgress,
  BatchSummary,
  BatchUpdate,
  ModelStatus,
  PhotoInput,
  PhotoRecord,
  WorkerApi,
} from '../../shared/worker-api.ts';
import type { MumicStore } from '../../store/types.ts';
import { decodeImageBlob } from '../decode-browser.ts';
import { makeThumbnail, sha256Hex } from '../image-tools.ts';
import type { LabelBank } from '../label-bank.ts';
import { storedThumbnail, type Library, type PhotoLibrary } from '../library/library.ts';
import type { Labels } from '../labels/labels.ts';
import type { ModelHost } from '../models/model-host.ts';
import { ReadOnce, unreadJobs, type Done, type EncodeJob, type Pending } from './read-once.ts';

/** Files hashed and looked up in the store per step (results of cached photos stream per step). */
const LOOKUP_GROUP = 16;

const cancelled = (): MumicError => new MumicError('Cancelled', 'the batch was cancelled');

/** Hashes a file (not read when over the size limit: decoding fails it by name later). */
async function pendingOf(input: PhotoInput): Promise<Done> {
  let hash: string | undefined;
  let error: ErrorInfo | undefined;
  if (input.file.size <= MAX_FILE_BYTES) {
    try {
      hash = await sha256Hex(input.file);
    } catch (cause) {
      error = { name: 'FileUnreadable', message: toErrorInfo(cause).message };
    }
  }
  const pending = { input, hash, id: photoId(hash, input.path, String(input.file.size)) };
  return error ? { pending, error } : { pending };
}

export class Classify implements Pick<WorkerApi, 'classify' | 'cancel'> {
  private readonly jobs = new Set<AbortController>();
  /** Calls under way, so a wipe can wait until none of them can still write (issue 10, item 1). */
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly store: MumicStore,
    private readonly models: ModelHost,
    private readonly bank: LabelBank,
    private readonly library: PhotoLibrary,
    /** Re-makes the label set under a new text dtype after a backend switch. */
    private readonly labels?: Pick<Labels, 'followEncoder'>,
  ) {}

  cancel(): Promise<void> {
    for (const job of this.jobs) job.abort(cancelled());
    return Promise.resolve();
  }

  /** Cancels every call under way and resolves once none of them can write any more. */
  async stopAll(): Promise<void> {
    await this.cancel();
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  classify(inputs: PhotoInput[], onUpdate: (update: BatchUpdate) => void): Promise<BatchSummary> {
    const call = this.run(inputs, onUpdate);
    this.running.add(call);
    void call.catch(() => undefined).finally(() => this.running.delete(call));
    return call;
  }

  private async run(
    inputs: PhotoInput[],
    onUpdate: (update: BatchUpdate) => void,
  ): Promise<BatchSummary> {
    this.models.require();
    const library = await this.library.current();
    const controller = new AbortController();
    this.jobs.add(controller);
    const run = new Run(this, library, inputs, onUpdate);
    // A switch since the last call (a label set's text run, a device lost while idle).
    run.reportSwitch(this.library.takeLeftBehind());
    try {
      await run.cached(controller.signal);
      await run.encode(controller.signal);
    } catch (error) {
      if (!controller.signal.aborted) throw error;
    } finally {
      this.jobs.delete(controller);
      // Ended (cancelled, failed, nothing to send) before an update told the page: the next
      // update or label set result names them instead.
      this.library.noteLeftBehind(run.unreported());
    }
    return run.summary();
  }

  /** For a Run: what it needs of the worker. */
  get parts() {
    const { store, models, bank, library, labels } = this;
    return { store, models, bank, library, labels };
  }
}

/** One classify call: its progress, the files still to encode, and what it sent. */
class Run {
  private readonly started = performance.now();
  private readonly progress: BatchProgress;
  private readonly finished = new Set<number>();
  private readonly toEncode = new Map<string, EncodeJob>();
  /** The vision dtype of the last image run (a backend switch changes it mid-call). */
  private usedDtype: Dtype | undefined;
  /** The model's status to send with the next update (the backend switched). */
  private switched: ModelStatus | undefined;
  /** With it: the old scope's photos the new one does not hold (the page sends them again). */
  private leftBehind: string[] = [];

  constructor(
    private readonly owner: Classify,
    private library: Library,
    private readonly inputs: PhotoInput[],
    private readonly onUpdate: (update: BatchUpdate) => void,
  ) {
    this.progress = {
      done: 0,
      total: inputs.length,
      encoded: 0,
      fromCache: 0,
      failed: 0,
      elapsedMs: 0,
    };
  }

  summary(): BatchSummary {
    return {
      progress: { ...this.progress, elapsedMs: performance.now() - this.started },
      cancelled: this.inputs.filter((i) => !this.finished.has(i.key)).map((i) => i.key),
      counters: this.owner.parts.models.countersNow(),
    };
  }

  /**
   * 1. Hashes every file; photos whose embedding is stored are scored at once. Where the prepare
   * side reads each file once (hashing it beside its decode), this is left to `encode`.
   */
  async cached(signal: AbortSignal): Promise<void> {
    const { library } = this;
    const { store, models } = this.owner.parts;
    if (models.prepareThread.readsOnce) {
      for (const [key, job] of unreadJobs(this.inputs)) this.toEncode.set(key, job);
      return;
    }
    const dim = models.require().info.projectionDim;
    const [, , model, dtype] = library.scope;
    for (let start = 0; start < this.inputs.length; start += LOOKUP_GROUP) {
      signal.throwIfAborted();
      const group: Pending[] = [];
      const failed: Done[] = [];
      for (const input of this.inputs.slice(start, start + LOOKUP_GROUP)) {
        const done = await pendingOf(input);
        if (done.error) failed.push(done);
        else group.push(done.pending);
      }
      await this.emit(failed, 'encoded');
      const hashes = group.map((p) => p.hash);
      const lookups = hashes.map((h) =>
        h === undefined ? undefined : library.byHash.get(h)?.embedding,
      );
      const toRead = hashes.flatMap((h, i) => (h !== undefined && !lookups[i] ? [i] : []));
      if (toRead.length > 0) {
        const stored = await store
          .getImageEmbeddings(
            toRead.map((i) => imageEmbeddingKey(model, dtype, hashes[i] as string)),
          )
          .catch(() => toRead.map(() => undefined));
        toRead.forEach((i, k) => {
          const v = stored[k];
          if (v instanceof Float32Array && v.length === dim) lookups[i] = v;
        });
      }
      const cached: Done[] = [];
      for (const [i, pending] of group.entries()) {
        const embedding = lookups[i];
        if (embedding && pending.hash !== undefined) {
          let thumbnail = library.byHash.get(pending.hash)?.thumbnail;
          thumbnail ??= await storedThumbnail(store, library, pending.hash);
          // The vector is stored but not the picture (a photo removed, then added again).
          thumbnail ??= await decodeImageBlob(pending.input.file)
            .then(makeThumbnail)
            .catch(() => undefined);
          cached.push({ pending, embedding, thumbnail });
        } else {
          const key = pending.hash ?? `unread:${pending.input.key}`;
          const job = this.toEncode.get(key);
          if (job) job.pending.push(pending);
          else {
            const blob = pending.input.file;
            this.toEncode.set(key, {
              blob,
              hash: pending.hash,
              pending: [pending],
              thumbnail: undefined,
            });
          }
        }
      }
      await this.emit(cached, 'cache');
    }
  }

  /** 2. Encodes the rest, a batch at a time; decoding the next batch overlaps inference. */
  async encode(signal: AbortSignal): Promise<void> {
    const { models } = this.owner.parts;
    const { info } = models.require();
    const list = [...this.toEncode.values()];
    const pool = models.prepareThread;
    const prepare = (batch: readonly EncodeJob[], start: number, known?: ReadonlySet<string>) =>
      pool.prepare(
        batch.map((job) => job.blob),
        start,
        info.processor,
        true,
        known,
      );
    const readOnce = pool.readsOnce
      ? new ReadOnce({
          library: () => this.library,
          store: this.owner.parts.store,
          dim: info.projectionDim,
          cropSize: 3 * info.processor.cropHeight * info.processor.cropWidth,
          again: (batch, start) => prepare(batch, start),
        })
      : undefined;
    for await (const outcomes of embedImages(list, {
      prepare: async (batch: readonly EncodeJob[], start: number) => {
        const prepared = await prepare(batch, start, readOnce?.known);
        if (readOnce) return readOnce.sort(batch, start, prepared);
        batch.forEach((job, i) => (job.thumbnail = prepared.thumbnails[i]));
        return prepared;
      },
      prefetch: models.prepareThread.depth,
      processor: info.processor,
      embedder: models.imageEmbedder((dtype) => (this.usedDtype = dtype)),
      dim: info.projectionDim,
      batchSize: models.imageBatch(),
      signal,
    })) {
      if (this.usedDtype !== undefined && this.usedDtype !== this.library.scope[3]) {
        await this.followSwitch();
      }
      await this.emit(
        outcomes.flatMap((o) => {
          const job = list[o.index] as EncodeJob;
          job.outcome = 'error' in o ? { error: o.error } : { embedding: o.embedding };
          return job.pending.map((pending) =>
            'error' in o
              ? { pending, error: o.error }
              : { pending, embedding: o.embedding, thumbnail: job.thumbnail },
          );
        }),
        'encoded',
      );
      if (readOnce) await this.emitSorted(readOnce);
      signal.throwIfAborted();
    }
    if (readOnce) await this.emitSorted(readOnce);
  }

  /** Photos that needed no run: found stored, or copies of content this call encoded. */
  private async emitSorted(readOnce: ReadOnce): Promise<void> {
    await this.emit(readOnce.cached.splice(0), 'cache');
    await this.emit(readOnce.copies.splice(0), 'encoded');
  }

  /**
   * The backend switched (issue 10, item 3): what is encoded from now on is stored in the scope of
   * the dtype that made it and scored against label vectors of the new text dtype. What was
   * stored under the old dtype stays there, valid for it; the photos the new scope lacks are
   * named to the page, which sends their files again so that they are encoded on the fallback
   * (a vector is never relabelled from one dtype to another).
   */
  private async followSwitch(): Promise<void> {
    const { library, labels } = this.owner.parts;
    await labels?.followEncoder();
    this.library = await library.current();
    this.reportSwitch(library.takeLeftBehind() ?? []);
  }

  /** The next update carries the model's status and the photos left behind (none: nothing). */
  reportSwitch(leftBehind: string[] | undefined): void {
    if (!leftBehind) return;
    this.leftBehind.push(...leftBehind);
    this.switched = this.owner.parts.models.statusNow();
  }

  /** The photos left behind that no update has named yet. */
  unreported(): string[] {
    return this.switched ? this.leftBehind : [];
  }

  /** Stores (each photo with its new embedding, one transaction), scores and sends. */
  private async emit(done: Done[], source: 'encoded' | 'cache'): Promise<void> {
    if (done.length === 0) return;
    const { library, progress } = this;
    const { store, models, bank } = this.owner.parts;
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
      this.finished.add(input.key);
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
      await store.putPhotos(library.scope, records, newVectors);
    } catch (error) {
      storageError = toErrorInfo(error);
    }
    this.onUpdate({
      photos: records.map((record, i) => ({ key: done[i]?.pending.input.key ?? -1, record })),
      table: bank.score(scoredIds, scoredVectors),
      progress: { ...progress, elapsedMs: performance.now() - this.started },
      counters: models.countersNow(),
      storageError,
      ...(this.switched ? { model: this.switched, leftBehind: this.leftBehind } : {}),
    });
    this.switched = undefined;
    this.leftBehind = [];
  }
}
