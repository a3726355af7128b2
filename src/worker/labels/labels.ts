// Labels capability: makes a label set current (vectors from memory, the store, the model's
// precomputed file or the text encoder; LabelBank) and rescores the library against it. Label
// changes, adaptation and head changes run one at a time, in order, on `queue`.
import { SerialQueue } from '../../runtime/serial-queue.ts';
import type { LabelProgress, LabelRef, LabelsResult, WorkerApi } from '../../shared/worker-api.ts';
import { MumicError } from '../../core/errors.ts';
import type { Dtype } from '../../core/types.ts';
import { ModelChanged, type LabelBank, type LabelSetOutcome } from '../label-bank.ts';
import type { PhotoLibrary } from '../library/library.ts';
import { readText, TEXT_BATCH, type Loaded, type ModelHost } from '../models/model-host.ts';
import { runBatchSize } from '../../core/model-files.ts';

export class Labels implements Pick<WorkerApi, 'setLabels'> {
  readonly queue = new SerialQueue();
  /** The set made current last, and the text dtype its vectors are of. */
  private applied:
    { labels: LabelRef[]; templates: string[]; textDtype: Dtype; loaded: Loaded } | undefined;

  constructor(
    private readonly bank: LabelBank,
    private readonly models: ModelHost,
    private readonly library: PhotoLibrary,
  ) {}

  setLabels(
    labels: LabelRef[],
    templates: string[],
    onProgress?: (progress: LabelProgress) => void,
  ): Promise<LabelsResult> {
    return this.queue.run(async () => {
      const outcome = await this.apply(labels, templates, onProgress);
      const library = await this.library.current();
      // The text tower switched backend (or the device was lost): the page is told, as a batch is.
      const leftBehind = this.library.takeLeftBehind();
      return {
        ...(leftBehind ? { model: this.models.statusNow(), leftBehind } : {}),
        table: this.library.score(library),
        encoded: outcome.encoded,
        fromFile: outcome.fromFile,
        fromStore: outcome.fromStore,
        fileNote: outcome.fileNote,
        counters: this.models.countersNow(),
        storageError: outcome.storageError ?? library.loadError,
      };
    });
  }

  /**
   * After a backend switch changed the text dtype: the current set again, from that dtype's
   * vectors (those of the old dtype are never used for the new one). Queued behind label work.
   */
  followEncoder(): Promise<void> {
    return this.queue.run(() => this.follow());
  }

  /** followEncoder for a caller already in the queue. */
  async follow(): Promise<void> {
    const set = this.applied;
    if (!set || set.loaded !== this.models.current) return;
    if (set.loaded.encoder.dtypes.text === set.textDtype) return;
    await this.apply(set.labels, set.templates);
  }

  /** Makes the set current under the model and text dtype in use; again if either changes meanwhile. */
  private async apply(
    labels: LabelRef[],
    templates: string[],
    onProgress?: (progress: LabelProgress) => void,
  ): Promise<LabelSetOutcome> {
    for (;;) {
      const loaded = this.models.require();
      const textDtype = loaded.encoder.dtypes.text;
      try {
        const outcome = await this.bank.set(
          labels,
          templates,
          {
            model: loaded.request.id,
            textDtype,
            dim: loaded.info.projectionDim,
            encode: async (texts) => {
              // Only this model's text tower may make vectors stored under its keys.
              if (this.models.current !== loaded) throw new ModelChanged();
              const tagged = await this.models.encodeTextsTagged(texts);
              if (this.models.current !== loaded) throw new ModelChanged();
              // Made by another dtype than the keys say: never stored, the set is made again.
              if (tagged.dtypes.text !== textDtype) throw new PrecisionChanged();
              return tagged.value;
            },
            batchSize: runBatchSize(textDtype, TEXT_BATCH),
            readModelFile: (name) => readText(loaded.source, name),
            scoring: loaded.info.calibration,
            stillCurrent: () => this.models.current === loaded,
          },
          onProgress,
        );
        this.applied = { labels, templates, textDtype, loaded };
        return outcome;
      } catch (error) {
        // Made again for the dtype, or the model, now in use.
        if (!(error instanceof PrecisionChanged || error instanceof ModelChanged)) throw error;
      }
    }
  }
}

/** The text tower switched dtype during a label set (caught in Labels.apply, never shown). */
class PrecisionChanged extends MumicError {
  constructor() {
    super('InferenceFailed', 'the text tower changed precision during the label set');
  }
}
