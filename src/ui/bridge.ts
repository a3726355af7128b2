// The main thread's only door to the worker: the one comlink wrap.
import { proxy, wrap, type Remote } from 'comlink';
import type {
  ImageOutcome,
  LoadProgress,
  ModelLoadRequest,
  ModelStatus,
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

  terminate(): void {
    this.worker.terminate();
  }
}
