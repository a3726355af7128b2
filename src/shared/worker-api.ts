// The one contract between the page and the worker. Both sides import only this file's types;
// comlink's expose (src/worker/worker.ts) and wrap (src/ui/bridge.ts) are the only glue.
import type { ErrorInfo } from '../core/errors.ts';
import type { Backend, Dtype, LoadProgress, Tower } from '../core/types.ts';

export type { ErrorInfo, LoadProgress };

export type BackendChoice = 'webgpu' | 'wasm';

export interface ModelLoadRequest {
  /** The model's id (its folder name under models/). */
  id: string;
  /** Absolute URL of the model folder, ending in '/'. */
  baseUrl: string;
  /** Absolute URL of the folder serving onnxruntime-web's wasm files, ending in '/'. */
  wasmPaths: string;
  dtype?: Dtype | undefined;
  backend?: BackendChoice | undefined;
}

export interface ModelStatus {
  id: string;
  backend: Backend;
  requestedBackend: BackendChoice;
  /** Why the backend in use is not the one requested (e.g. no WebGPU adapter). */
  fallbackReason: string | undefined;
  dtypes: Record<Tower, Dtype>;
  projectionDim: number;
  contextLength: number;
}

/** One image's outcome; embeddings are unnormalised projections of length projectionDim. */
export type ImageOutcome = { embedding: Float32Array } | { error: ErrorInfo };

export interface TextEmbeddings {
  inputIds: number[][];
  /** [texts.length * projectionDim], row-major. */
  embeddings: Float32Array;
}

export interface WorkerApi {
  loadModel(
    request: ModelLoadRequest,
    onProgress?: (progress: LoadProgress) => void,
  ): Promise<ModelStatus>;
  status(): Promise<ModelStatus | null>;
  /** Decodes, preprocesses and embeds in the worker; a bad file fails alone. */
  embedImages(files: Blob[]): Promise<ImageOutcome[]>;
  embedTexts(texts: string[]): Promise<TextEmbeddings>;
}
