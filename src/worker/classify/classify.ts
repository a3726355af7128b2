// Classify capability: the batch run. Each file is read once, on the prepare side, which hashes
// it beside its decode; stored embeddings are taken where there are (one picture under two names
// is encoded once), the rest is encoded in batches (decoding the next batch overlaps inference),
// and each photo is stored with its embedding while scored results stream to the page.
import { imageEmbeddingKey, type ImageEmbeddingKey } from '../../core/cache-keys.ts';
import { embedImages, type EmbedOutcome } from '../../core/embed-images.ts';
import { MumicError, toErrorInfo, type ErrorInfo } from '../../core/errors.ts';
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
import type { LabelBank } from '../label-bank.ts';
import type { Library, PhotoLibrary } from '../library/library.ts';
import type { Labels } from '../labels/labels.ts';
import type { ModelHost } from '../models/model-host.ts';
import { ReadOnce, unreadJobs, type Done, type EncodeJob } from './read-once.ts';

const cancelled = (): MumicError => new MumicError('Cancelled', 'the batch was cancelled');

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
    // Busy from its arrival (its library first), so the text tower's idle load waits for its end.
    const call = this.models.busyWhile(() => this.run(inputs, onUpdate));
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
   * Encodes what needs a run, a batch at a time; decoding the next batch overlaps inference. The
   * prepare side reads each file once, hashing it beside its decode (files the library held when
   * the call began are hashed, not decoded); `ReadOnce` then scores stored content and copies of
   * content in this call without a run.
   */
  async encode(signal: AbortSignal): Promise<void> {
    const { models, store } = this.owner.parts;
    const { info } = models.require();
    const list = [...unreadJobs(this.inputs).values()];
    const pool = models.prepareThread;
    const prepare = (batch: readonly EncodeJob[], start: number, known?: ReadonlySet<string>) =>
      pool.prepare(
        batch.map((job) => job.blob),
        start,
        info.processor,
        true,
        known,
      );
    const readOnce = new ReadOnce({
      library: () => this.library,
      store,
      dim: info.projectionDim,
      cropSize: 3 * info.processor.cropHeight * info.processor.cropWidth,
      again: (batch, start) => prepare(batch, start),
    });
    // A batch is stored, scored and sent while the next one runs: the model does not wait for
    // IndexedDB (about 6 ms a photo here). One store at a time, in order.
    let storing: Promise<void> = Promise.resolve();
    try {
      for await (const outcomes of embedImages(list, {
        prepare: async (batch: readonly EncodeJob[], start: number) =>
          readOnce.sort(batch, start, await prepare(batch, start, readOnce.known)),
        prefetch: pool.depth,
        processor: info.processor,
        embedder: models.imageEmbedder((dtype) => (this.usedDtype = dtype)),
        dim: info.projectionDim,
        batchSize: models.imageBatch(),
        signal,
      })) {
        await storing;
        if (this.usedDtype !== undefined && this.usedDtype !== this.library.scope[3]) {
          await this.followSwitch();
        }
        storing = this.emitEncoded(list, outcomes, readOnce);
        // Its failure is taken at the next await of it, not reported as unhandled meanwhile.
        storing.catch(() => undefined);
        signal.throwIfAborted();
      }
    } catch (error) {
      await storing.catch(() => undefined); // what was encoded is still stored and sent
      throw error;
    }
    await storing;
    await this.emitSorted(readOnce);
  }

  /** A batch's outcomes, then the photos its sorting found needing no run. */
  private async emitEncoded(
    list: readonly EncodeJob[],
    outcomes: readonly EmbedOutcome[],
    readOnce: ReadOnce,
  ): Promise<void> {
    await this.emit(
      outcomes.flatMap((o) => {
        const job = list[o.index] as EncodeJob;
        job.outcome = 'error' in o ? { error: o.error } : { embedding: o.embedding };
        const { keywords } = job;
        return job.pending.map((pending) =>
          'error' in o
            ? { pending, error: o.error, keywords }
            : { pending, embedding: o.embedding, thumbnail: job.thumbnail, keywords },
        );
      }),
      'encoded',
    );
    await this.emitSorted(readOnce);
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
      photos: records.map((record, i) => {
        const d = done[i];
        return { key: d?.pending.input.key ?? -1, record, keywords: d?.keywords };
      }),
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
