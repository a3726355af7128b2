// Labels capability: makes a label set current (vectors from memory, the store, the model's
// precomputed file or the text encoder; LabelBank) and rescores the library against it. Label
// changes, adaptation and head changes run one at a time, in order, on `queue`.
import { SerialQueue } from '../../runtime/serial-queue.ts';
import type { LabelProgress, LabelRef, LabelsResult, WorkerApi } from '../../shared/worker-api.ts';
import type { LabelBank } from '../label-bank.ts';
import type { PhotoLibrary } from '../library/library.ts';
import { readText, TEXT_BATCH, type ModelHost } from '../models/model-host.ts';
import { runBatchSize } from '../../core/model-files.ts';

export class Labels implements Pick<WorkerApi, 'setLabels'> {
  readonly queue = new SerialQueue();

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
      const loaded = this.models.require();
      const outcome = await this.bank.set(
        labels,
        templates,
        {
          model: loaded.request.id,
          textDtype: loaded.encoder.dtypes.text,
          dim: loaded.info.projectionDim,
          encode: (texts) => this.models.encodeTexts(texts),
          batchSize: runBatchSize(loaded.encoder.dtypes.text, TEXT_BATCH),
          readModelFile: (name) => readText(loaded.source, name),
          scoring: loaded.info.calibration,
        },
        onProgress,
      );
      const library = await this.library.current();
      return {
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
}
