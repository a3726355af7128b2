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

/** How much model work the worker has done since it started (test hooks and the status line). */
export interface Counters {
  /** Images run through the vision tower (a cached photo does not count). */
  imagesEncoded: number;
  /** Prompt texts run through the text tower. */
  textsEncoded: number;
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
  counters: Counters;
}

/** One image's outcome; embeddings are unnormalised projections of length projectionDim. */
export type ImageOutcome = { embedding: Float32Array } | { error: ErrorInfo };

export interface TextEmbeddings {
  inputIds: number[][];
  /** [texts.length * projectionDim], row-major. */
  embeddings: Float32Array;
}

/** What the worker needs of a label: its id (score columns) and its prompt (what is encoded). */
export interface LabelRef {
  id: string;
  prompt: string;
}

/**
 * Scores of photos against the label set of one version: row-major [photoIds × labelIds].
 * Every table names its columns, so a table made before a label change is still read right.
 */
export interface ScoreTable {
  /** Increases with every label-set change in the worker. */
  version: number;
  labelIds: string[];
  photoIds: string[];
  /** Tempered-sigmoid scores p in [0, 1]. */
  scores: Float32Array;
  cosines: Float32Array;
}

/** A photo as the worker knows it (and stores it). */
export interface PhotoRecord {
  /** Content hash and path (core/cache-keys.ts photoId). */
  id: string;
  name: string;
  path: string;
  size: number;
  type: string;
  hash?: string | undefined;
  seq: number;
  thumbnail?: Blob | undefined;
  error?: ErrorInfo | undefined;
}

/** A file to tag. `key` is the page's handle for it until the worker names it by `id`. */
export interface PhotoInput {
  key: number;
  file: Blob;
  name: string;
  path: string;
}

export interface BatchProgress {
  /** Photos finished (scored or failed) out of `total`. */
  done: number;
  total: number;
  /** Of the finished: run through the image encoder, found in the store, failed. */
  encoded: number;
  fromCache: number;
  failed: number;
  elapsedMs: number;
}

/** Sent as each group of photos finishes (streaming). */
export interface BatchUpdate {
  photos: { key: number; record: PhotoRecord }[];
  /** Rows for the photos of this update that have scores. */
  table: ScoreTable;
  progress: BatchProgress;
  counters: Counters;
  /** Set when results could not be saved (they are still shown). */
  storageError?: ErrorInfo | undefined;
}

export interface BatchSummary {
  progress: BatchProgress;
  /** Keys of inputs not processed because the batch was cancelled. */
  cancelled: number[];
  counters: Counters;
}

export interface LabelProgress {
  done: number;
  total: number;
}

export interface LabelsResult {
  /** Every stored photo of the current model against the new label set. */
  table: ScoreTable;
  /** Where the label vectors came from: the text encoder, the model's file, the store. */
  encoded: number;
  fromFile: number;
  fromStore: number;
  /** Why the model's precomputed file was not used, when it was there but did not match. */
  fileNote?: string | undefined;
  counters: Counters;
  storageError?: ErrorInfo | undefined;
}

export interface RestoreResult {
  photos: PhotoRecord[];
  table: ScoreTable;
  storageError?: ErrorInfo | undefined;
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

  /**
   * Makes `labels` (with the template set) the label set: vectors come from memory, the store,
   * the model's precomputed file, or else the text encoder (and are stored). Returns every
   * stored photo scored against it. Calls run one at a time, in order.
   */
  setLabels(
    labels: LabelRef[],
    templates: string[],
    onProgress?: (progress: LabelProgress) => void,
  ): Promise<LabelsResult>;
  /** The stored photos of the loaded model and dtype, scored against the current labels. */
  restore(): Promise<RestoreResult>;
  /**
   * Hashes each file (SHA-256), takes stored embeddings where there are, encodes the rest in
   * batches, stores photos and embeddings, and streams scored results through `onUpdate`.
   */
  classify(inputs: PhotoInput[], onUpdate: (update: BatchUpdate) => void): Promise<BatchSummary>;
  /** Stops running classify calls at the next photo or batch boundary. */
  cancel(): Promise<void>;
  /** Scores stored photos against the current labels. */
  scorePhotos(ids: string[]): Promise<ScoreTable>;
  removePhotos(ids: string[]): Promise<void>;
  /** Deletes every stored photo, embedding and setting. */
  clearAll(): Promise<void>;
  getSetting(key: string): Promise<unknown>;
  putSetting(key: string, value: unknown): Promise<void>;
}
