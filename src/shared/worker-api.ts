// The one contract between the page and the worker. Both sides import only this file's types;
// comlink's expose (src/worker/worker.ts) and wrap (src/ui/bridge.ts) are the only glue.
import type { PhotoFeedback } from '../core/adapt/feedback-file.ts';
import type { HeadMetrics, HeadTraining } from '../core/adapt/head.ts';
import type { ErrorInfo } from '../core/errors.ts';
import type { LabelChange, LabelSettings } from '../core/labels/label-settings.ts';
import type { Backend, Dtype, LoadProgress, Tower } from '../core/types.ts';
import type { KeywordsRead } from '../core/xmp/embedded-keywords.ts';
import type {
  LocalModelFile,
  LocalModelInstallRequest,
  LocalModelProgress,
  LocalModelSummary,
  LocalModelsState,
} from './local-model-types.ts';

export type { ErrorInfo, HeadMetrics, LoadProgress, PhotoFeedback, LocalModelFile };
export type { LocalModelInstallRequest, LocalModelProgress, LocalModelSummary, LocalModelsState };

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
  /**
   * Nested workers that decode and preprocess, overlapping inference: a number, false for none
   * (the CLIP worker prepares), undefined for the cores onnxruntime leaves free, true for that
   * but at least one (src/worker/prepare-thread.ts, docs/PERFORMANCE.md). With one model thread
   * on WASM they embed too, on a copy of the vision tower, unless `embedders` is false.
   */
  prepareWorker?: boolean | number | undefined;
  embedders?: boolean | undefined;
}

/** How much model work the worker has done since it started (test hooks and the status line). */
export interface Counters {
  /** Images run through the vision tower (a cached photo does not count). */
  imagesEncoded: number;
  /** Of those, run on a prepare worker's copy of the vision tower. */
  imagesEncodedBeside: number;
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
  /** The model family (core/families) and its name as shown, e.g. "SigLIP". */
  family?: string | undefined;
  familyName?: string | undefined;
  /** The tempered sigmoid's defaults for this model, and where they came from. */
  calibration?: ModelCalibration | undefined;
}

/** A model's scoring defaults: from the model itself (SigLIP) or mumic's defaults (CLIP). */
export interface ModelCalibration {
  temperature: number;
  bias: number;
  source: string;
  /** The model's raw logit_scale (before exp) and logit_bias, when it has them. */
  logitScale?: number | undefined;
  logitBias?: number | undefined;
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

/** Sent as each group of photos finishes (streaming); keywords: read beside the hash. */
export interface BatchUpdate {
  photos: { key: number; record: PhotoRecord; keywords?: KeywordsRead | undefined }[];
  /** Rows for the photos of this update that have scores. */
  table: ScoreTable;
  progress: BatchProgress;
  counters: Counters;
  /** Set when results could not be saved (they are still shown). */
  storageError?: ErrorInfo | undefined;
  /** The model's status when the backend switched during this update (issue 10, item 3). */
  model?: ModelStatus | undefined;
  /** With `model`: photos of the old dtype's scope the new one lacks (the page sends them again). */
  leftBehind?: string[] | undefined;
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
  /** The backend switched since the last batch or label set: as in BatchUpdate. */
  model?: ModelStatus | undefined;
  leftBehind?: string[] | undefined;
}

export interface RestoreResult {
  /**
   * Without their thumbnails: cloning 10,000 Blobs to the page took most of a reload; the page
   * asks for the thumbnails of the tiles it draws (photoThumbnails).
   */
  photos: PhotoRecord[];
  table: ScoreTable;
  storageError?: ErrorInfo | undefined;
}

// ---- feedback and adaptation (issue 6) -------------------------------------------------------

/** Sets (1 confirmed, −1 rejected) or clears (null) the answer for one (photo content, label). */
export interface FeedbackChange {
  hash: string;
  label: string;
  value: 1 | -1 | null;
  /** The label's prompt, kept with the answer for a person reading an export. */
  text?: string | undefined;
}

export interface FeedbackImport {
  added: number;
  replaced: number;
  unchanged: number;
  /** Every stored cell after the import. */
  feedback: PhotoFeedback[];
}

/** Adaptation settings a person can change; the rest are core/adapt defaults. */
export interface AdaptRequest {
  /** Hardness exponent γ (0: plain balanced BCE). */
  gamma?: number | undefined;
  /** Learn a residual on each label's text vector (else temperature and bias only). */
  residual?: boolean | undefined;
  /** One temperature and bias for all labels instead of one per label. */
  mode?: 'per-label' | 'global' | undefined;
}

/** The head in use for the loaded model, as the page shows it. */
export interface HeadState {
  source: 'trained' | 'imported';
  trainedAt: string;
  /** Labels whose scores the head changes now. */
  adapted: string[];
  /** Labels of the head that do not apply to the current set, with why. */
  left: { id: string; reason: string }[];
  /** Before/after on held-out feedback; null when too little feedback to hold any out. */
  metrics: HeadMetrics | null;
  training: HeadTraining | null;
}

export interface HeadChange {
  head: HeadState | null;
  /** Every stored photo scored with the change applied. */
  table: ScoreTable;
  storageError?: ErrorInfo | undefined;
}

export interface AdaptOutcome extends HeadChange {
  head: HeadState;
  /** Feedback used: photos, known cells, confirmed cells, labels. */
  used: { photos: number; entries: number; positives: number; labels: number };
  /** Feedback not used: labels not in the current set, photos not in this model's store. */
  ignored: { notInLabels: number; noEmbedding: number };
  elapsedMs: number;
}

// ---- the photo library: search by words, more like this, near-duplicates (issue 11) -------

/** Stored photos ranked by cosine, best first (the best `limit`, or every photo with an embedding). */
export interface PhotoRanking {
  ids: string[];
  /** The cosine of each, unrounded, in the same order. */
  cosines: Float32Array;
  /** How many photos this ranking holds in all (`ids` may be only its first page). */
  total: number;
  /** Names this ranking for `morePhotos` (the worker keeps its latest one). */
  ranking: number;
  /** Worker time of the text pass (0 for more-like-this) and of the ranking alone. */
  textMs: number;
  rankMs: number;
  counters: Counters;
}

/** Near-duplicate groups: each group's first id is the reference the others are compared to. */
export interface DuplicatesResult {
  groups: { ids: string[]; cosines: number[] }[];
  minCosine: number;
  elapsedMs: number;
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
  /** The person is typing a label or a search: the text tower is loaded now, batch or not. */
  textWanted(): Promise<void>;

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
  /**
   * The stored photos of the loaded model and dtype, scored against the current labels. With
   * `onPhotos`, the records go through it in chunks, in the order they were added (the first a
   * screenful, so the page draws it before taking the rest), and the result's `photos` is empty.
   */
  restore(onPhotos?: (photos: PhotoRecord[]) => void): Promise<RestoreResult>;
  /** The stored thumbnails of photos by id, in the same order (undefined: none kept). */
  photoThumbnails(ids: string[]): Promise<(Blob | undefined)[]>;
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

  // ---- another tab of the app changed the store (issue 10, item 6; ui/state/tab-sync.ts) ----
  /**
   * Takes photos another tab added (read from the store with their embeddings, never encoded
   * again) and drops those it removed; returns the added ones, scored.
   */
  photosChangedElsewhere(
    added: string[],
    removed: string[],
  ): Promise<{ photos: PhotoRecord[]; table: ScoreTable }>;
  /** Reads the head again (another tab adapted, imported or cleared it); every photo rescored. */
  headChangedElsewhere(): Promise<ScoreTable>;
  /**
   * Another tab cleared everything: stops this worker's classify calls, drops its library and
   * label vectors from memory, then takes the store's new epoch (writes before it are refused).
   */
  clearedElsewhere(): Promise<void>;
  getSetting(key: string): Promise<unknown>;
  putSetting(key: string, value: unknown): Promise<void>;
  /**
   * Applies a label-set change to the stored set in one transaction (core/labels/label-settings:
   * another tab's change made meanwhile is kept) and returns the set stored. `fallback`: the
   * page's set before the change, used when none is stored (TooManyLabels: nothing changes).
   */
  changeLabelSettings(change: LabelChange, fallback: LabelSettings): Promise<LabelSettings>;
  /**
   * Store housekeeping the app starts when idle (after start-up, not during a batch): thumbnails
   * still held in version 1 photo records are moved to their own store.
   */
  tidyStore(): Promise<void>;

  // ---- feedback and adaptation (issue 6): on stored embeddings, the encoders never run ----
  /** Every stored feedback cell (feedback is about the picture, so it serves every model). */
  listFeedback(): Promise<PhotoFeedback[]>;
  setFeedback(changes: FeedbackChange[]): Promise<void>;
  /** The feedback file's text (core/adapt/feedback-file.ts). */
  exportFeedback(): Promise<string>;
  /** Merges a feedback file into the store (InvalidFeedback: nothing is imported). */
  importFeedback(json: string): Promise<FeedbackImport>;
  /**
   * Learns the label side from the stored feedback (MuMIC's loss, core/adapt), evaluates it on
   * held-out feedback, keeps the head and scores every stored photo with it.
   */
  adapt(request?: AdaptRequest): Promise<AdaptOutcome>;
  headState(): Promise<HeadState | null>;
  /** The head file's text (InvalidArgument when there is no head). */
  exportHead(): Promise<string>;
  /** Checks a head file against the loaded model and label set (InvalidHead, HeadMismatch). */
  importHead(json: string): Promise<HeadChange>;
  /** Back to zero-shot scores. */
  clearHead(): Promise<HeadChange>;

  // ---- local model folders (issue 5)
  /**
   * Checks a model folder chosen from disk (files, configs, ONNX files, SHA-256 of each, and that
   * the sessions open) and stores it in Cache Storage under `<modelsUrl><id>/`, for later visits.
   */
  installLocalModel(
    request: LocalModelInstallRequest,
    onProgress?: (progress: LocalModelProgress) => void,
  ): Promise<LocalModelSummary>;
  /** The models chosen from disk, and the ids the server's index.json lists. */
  localModels(modelsUrl: string): Promise<LocalModelsState>;
  /** Deletes a model chosen from disk: its stored files and its entry. */
  removeLocalModel(modelsUrl: string, id: string): Promise<void>;

  // ---- the photo library (issue 11): on stored embeddings, no photo is encoded again ----
  /**
   * Every stored photo ranked by the cosine between its embedding and `query`'s text embedding
   * (encoded once with the template set, like a label; never stored as one).
   */
  searchPhotos(query: string, templates: string[], limit?: number): Promise<PhotoRanking>;
  /** Every other stored photo ranked by image-image cosine with photo `id` ("more like this"). */
  similarPhotos(id: string, limit?: number): Promise<PhotoRanking>;
  /**
   * The first `count` photos of ranking `ranking` (the latest search or more-like-this), to show
   * more of it than its first page; undefined when a newer ranking replaced it.
   */
  morePhotos(ranking: number, count: number): Promise<PhotoRanking | undefined>;
  /** Near-duplicate groups at `minCosine` (default core's); exact copies always group. */
  duplicatePhotos(minCosine?: number): Promise<DuplicatesResult>;
}
