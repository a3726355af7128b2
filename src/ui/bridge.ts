// The main thread's only door to the worker: the one comlink wrap. Callbacks go as proxies.
import { proxy, wrap, type Remote } from 'comlink';
import type {
  AdaptOutcome,
  AdaptRequest,
  BatchSummary,
  BatchUpdate,
  FeedbackChange,
  FeedbackImport,
  HeadChange,
  HeadState,
  ImageOutcome,
  LabelProgress,
  LabelRef,
  LabelsResult,
  LoadProgress,
  LocalModelInstallRequest,
  LocalModelProgress,
  LocalModelsState,
  LocalModelSummary,
  ModelLoadRequest,
  ModelStatus,
  PhotoFeedback,
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

  listFeedback(): Promise<PhotoFeedback[]> {
    return this.remote.listFeedback();
  }

  setFeedback(changes: FeedbackChange[]): Promise<void> {
    return this.remote.setFeedback(changes);
  }

  exportFeedback(): Promise<string> {
    return this.remote.exportFeedback();
  }

  importFeedback(json: string): Promise<FeedbackImport> {
    return this.remote.importFeedback(json);
  }

  adapt(request?: AdaptRequest): Promise<AdaptOutcome> {
    return this.remote.adapt(request);
  }

  headState(): Promise<HeadState | null> {
    return this.remote.headState();
  }

  exportHead(): Promise<string> {
    return this.remote.exportHead();
  }

  importHead(json: string): Promise<HeadChange> {
    return this.remote.importHead(json);
  }

  clearHead(): Promise<HeadChange> {
    return this.remote.clearHead();
  }

  // ---- local model folders (issue 5)
  installLocalModel(
    request: LocalModelInstallRequest,
    onProgress?: (p: LocalModelProgress) => void,
  ): Promise<LocalModelSummary> {
    return this.remote.installLocalModel(request, onProgress ? proxy(onProgress) : undefined);
  }

  localModels(modelsUrl: string): Promise<LocalModelsState> {
    return this.remote.localModels(modelsUrl);
  }

  removeLocalModel(modelsUrl: string, id: string): Promise<void> {
    return this.remote.removeLocalModel(modelsUrl, id);
  }

  terminate(): void {
    this.worker.terminate();
  }
}
