// The main thread's only door to the worker: the one comlink wrap. Callbacks go as proxies.
import { proxy, wrap, type Remote } from 'comlink';
import type {
  BatchSummary,
  BatchUpdate,
  ImageOutcome,
  LabelProgress,
  LabelRef,
  LabelsResult,
  LoadProgress,
  ModelLoadRequest,
  ModelStatus,
  PhotoInput,
  RestoreResult,
  ScoreTable,
  TextEmbeddings,
  WorkerApi,
} from '../shared/worker-api.ts';

export class WorkerBridge {
  private readonly worker: Worker;
  private readonly remote: Remote<WorkerApi>;

  constructor() {
    this.worker = new Worker(new URL('../worker/worker.ts', import.meta.url), {
      type: 'module',
      name: 'mumic-clip',
    });
    this.remote = wrap<WorkerApi>(this.worker);
  }

  loadModel(
    request: ModelLoadRequest,
    onProgress?: (p: LoadProgress) => void,
  ): Promise<ModelStatus> {
    return this.remote.loadModel(request, onProgress ? proxy(onProgress) : undefined);
  }

  status(): Promise<ModelStatus | null> {
    return this.remote.status();
  }

  embedImages(files: Blob[]): Promise<ImageOutcome[]> {
    return this.remote.embedImages(files);
  }

  embedTexts(texts: string[]): Promise<TextEmbeddings> {
    return this.remote.embedTexts(texts);
  }

  setLabels(
    labels: LabelRef[],
    templates: string[],
    onProgress?: (p: LabelProgress) => void,
  ): Promise<LabelsResult> {
    return this.remote.setLabels(labels, templates, onProgress ? proxy(onProgress) : undefined);
  }

  restore(): Promise<RestoreResult> {
    return this.remote.restore();
  }

  classify(inputs: PhotoInput[], onUpdate: (u: BatchUpdate) => void): Promise<BatchSummary> {
    return this.remote.classify(inputs, proxy(onUpdate));
  }

  cancel(): Promise<void> {
    return this.remote.cancel();
  }

  scorePhotos(ids: string[]): Promise<ScoreTable> {
    return this.remote.scorePhotos(ids);
  }

  removePhotos(ids: string[]): Promise<void> {
    return this.remote.removePhotos(ids);
  }

  clearAll(): Promise<void> {
    return this.remote.clearAll();
  }

  getSetting(key: string): Promise<unknown> {
    return this.remote.getSetting(key);
  }

  putSetting(key: string, value: unknown): Promise<void> {
    return this.remote.putSetting(key, value);
  }

  terminate(): void {
    this.worker.terminate();
  }
}
