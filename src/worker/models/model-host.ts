// Models capability: the one loaded model (folder, tokenizer, encoder sessions), the prepare
// thread that decodes beside it, and the worker's counters. Other capabilities ask it for the
// model (`require`) and run the encoders through it, so every run is counted.
import { embedImages, type ImageEmbedder } from '../../core/embed-images.ts';
import { MumicError, hasErrorName } from '../../core/errors.ts';
import { runBatchSize } from '../../core/model-files.ts';
import { loadModelFolder, type ModelInfo } from '../../core/model-folder.ts';
import { createTokenizer } from '../../core/tokenize.ts';
import type { Dtype, LoadProgress, ModelSource } from '../../core/types.ts';
import type { ImageProcessorConfig } from '../../core/preprocess-config.ts';
import type { FallbackEncoder, Tagged } from '../../runtime/fallback-encoder.ts';
import { createWebEncoder, type WebEncoderOptions } from '../../runtime/web.ts';
import type {
  Counters,
  ImageOutcome,
  ModelLoadRequest,
  ModelStatus,
  TextEmbeddings,
  WorkerApi,
} from '../../shared/worker-api.ts';
import { describeFamily } from './model-family-status.ts';
import { FetchModelSource } from '../model-source-fetch.ts';
import type { PreparedBlobs } from '../prepare-protocol.ts';
import { PreparePool, wasmThreadsBeside, type EmbedderModel } from '../prepare-thread.ts';
import { IdlePreload } from '../text-preload.ts';

export interface Loaded {
  request: ModelLoadRequest;
  info: ModelInfo;
  encoder: FallbackEncoder;
  tokenizer: ReturnType<typeof createTokenizer>;
  source: ModelSource;
}

/** Opens a model's encoder sessions (injected: tests use a fake encoder). */
export type EncoderFactory = (
  source: ModelSource,
  info: ModelInfo,
  request: ModelLoadRequest,
  onProgress: ((progress: LoadProgress) => void) | undefined,
) => Promise<FallbackEncoder>;

export const webEncoder = (
  ...[source, info, request, onProgress, testHooks]: [
    ...Parameters<EncoderFactory>,
    Pick<WebEncoderOptions, 'failWebGpuRun'>?,
  ]
): Promise<FallbackEncoder> =>
  createWebEncoder(source as FetchModelSource, info, {
    backend: request.backend,
    dtype: request.dtype,
    wasmPaths: request.wasmPaths,
    onProgress,
    ...testHooks,
    wasmThreads: wasmThreadsBeside(request.prepareWorker, request.backend),
  });

/** Images per vision-tower run, and texts per text-tower run. */
export const IMAGE_BATCH = 8;
export const TEXT_BATCH = 64;

/** Decodes and preprocesses blobs (PreparePool: on nested workers or here). */
export interface Preparer {
  /** Sets the pool size (ModelLoadRequest.prepareWorker) for a backend. */
  configure(want: boolean | number | undefined, backend?: string): void;
  /** Batches to have in preparation ahead of the one the model runs. */
  readonly depth: number;
  /** The vision tower nested workers copy to embed what they prepare (undefined: none). */
  embedWith?(model: EmbedderModel): void;
  prepare(
    blobs: readonly Blob[],
    start: number,
    processor: ImageProcessorConfig,
    thumbnails?: boolean,
    /**
     * Given (even empty): hash each file from the bytes read for its decode (PreparedBlobs.hashes)
     * and leave those with these hashes undecoded (PreparedBlobs.known). Classify relies on it:
     * it never reads a file itself.
     */
    known?: ReadonlySet<string>,
  ): Promise<PreparedBlobs>;
}

/** What ModelHost opens; tests pass a fake encoder, a Node source and a fake preparer. */
export interface ModelHostOptions {
  encoder?: EncoderFactory | undefined;
  source?: ((baseUrl: string) => ModelSource) | undefined;
  preparer?: Preparer | undefined;
}

type ModelMethods = 'loadModel' | 'status' | 'embedImages' | 'embedTexts' | 'textWanted';

export class ModelHost implements Pick<WorkerApi, ModelMethods> {
  private loaded: Loaded | undefined;
  readonly counters: Counters = { imagesEncoded: 0, imagesEncodedBeside: 0, textsEncoded: 0 };
  /** Decodes and preprocesses the next batches on nested workers while this thread runs one. */
  readonly prepareThread: Preparer;
  /** The text tower, loaded while no classify call runs, so that the first typed label is quick. */
  private readonly textPreload = new IdlePreload();
  private readonly openEncoder: EncoderFactory;
  private readonly openSource: (baseUrl: string) => ModelSource;
  /** Told when a model is loaded (what was kept for the previous one no longer applies). */
  onLoad: () => void = () => undefined;

  constructor(options: ModelHostOptions = {}) {
    this.openEncoder = options.encoder ?? webEncoder;
    this.openSource = options.source ?? ((baseUrl) => new FetchModelSource(baseUrl));
    this.prepareThread = options.preparer ?? new PreparePool();
  }

  async loadModel(
    request: ModelLoadRequest,
    onProgress?: (progress: LoadProgress) => void,
  ): Promise<ModelStatus> {
    this.textPreload.cancel();
    this.prepareThread.embedWith?.(undefined); // the old model's copies go first
    await this.loaded?.encoder.release();
    this.loaded = undefined;
    this.onLoad();
    this.prepareThread.configure(request.prepareWorker, request.backend);
    const source = this.openSource(request.baseUrl);
    const info = await loadModelFolder(source);
    const tokenizer = createTokenizer(
      info.tokenizer.json,
      info.tokenizer.config,
      info.contextLength,
    );
    const encoder = await this.openEncoder(source, info, request, onProgress);
    this.loaded = { request, info, encoder, tokenizer, source };
    // One model thread here (a core per prepare worker): each worker embeds its photos too.
    const oneThread = wasmThreadsBeside(request.prepareWorker, request.backend) === 1;
    this.prepareThread.embedWith?.(
      encoder.backend === 'wasm' && oneThread && request.embedders !== false
        ? { baseUrl: request.baseUrl, wasmPaths: request.wasmPaths, dtype: encoder.dtypes.vision }
        : undefined,
    );
    this.textPreload.schedule(() => encoder.load('text'));
    return this.describe(this.loaded);
  }

  status(): Promise<ModelStatus | null> {
    return Promise.resolve(this.loaded ? this.describe(this.loaded) : null);
  }

  async embedImages(files: Blob[]): Promise<ImageOutcome[]> {
    const { info } = this.require();
    const out: ImageOutcome[] = [];
    for await (const outcomes of embedImages(files, {
      prepare: (blobs, start) => this.prepareThread.prepare(blobs, start, info.processor),
      prefetch: this.prepareThread.depth,
      batchSize: this.imageBatch(),
      processor: info.processor,
      embedder: this.imageEmbedder(),
      dim: info.projectionDim,
    })) {
      for (const o of outcomes)
        out[o.index] = 'error' in o ? { error: o.error } : { embedding: o.embedding };
    }
    return out;
  }

  async embedTexts(texts: string[]): Promise<TextEmbeddings> {
    const { tokenizer } = this.require();
    const tokens = tokenizer.encode(texts);
    const embeddings = texts.length > 0 ? await this.encodeTexts(texts) : new Float32Array();
    const inputIds = texts.map((_, i) =>
      Array.from(tokens.inputIds.subarray(i * tokens.length, (i + 1) * tokens.length), Number),
    );
    return { inputIds, embeddings };
  }

  async textWanted(): Promise<void> {
    const loaded = this.loaded;
    if (loaded) await this.textPreload.now(() => loaded.encoder.load('text'));
  }

  /**
   * A classify call as busy time, so that the text tower's idle load does not start in it (its
   * first batch's preparation and the waits between runs are not image runs). On a first visit
   * that load fetches the text model, hashes it and has the browser store it in Cache Storage
   * (0.3-0.9 s of the browser process's CPU for 140 MB), then compiles it: started inside a
   * batch, it took that from the batch (docs/PERFORMANCE.md, issue 16, session 9).
   */
  busyWhile<T>(work: () => Promise<T>): Promise<T> {
    return this.textPreload.busyWhile(work);
  }

  /** Images per vision run for the loaded dtype. */
  imageBatch(): number {
    return runBatchSize(this.require().encoder.dtypes.vision, IMAGE_BATCH);
  }

  /**
   * The vision tower, counting each image it runs. `used` hears the vision dtype of each run
   * (it changes when the backend falls back: vectors are stored under the dtype that made them).
   */
  imageEmbedder(used?: (dtype: Dtype) => void): ImageEmbedder {
    const { encoder } = this.require();
    return {
      embedImages: async (pixels, batch) => {
        this.counters.imagesEncoded += batch;
        const run = () => encoder.embedImagesTagged(pixels, batch);
        const tagged = await this.textPreload.busyWhile(run);
        used?.(tagged.dtypes.vision);
        return tagged.value;
      },
      // A nested worker's copy of the tower made them: taken while this one runs the same dtype
      // on WASM (after a switch to another backend they are not: the pixels are run here).
      adopt: (batch) => {
        const { embeddings, embeddedWith } = batch as PreparedBlobs;
        const dtype = encoder.dtypes.vision;
        if (embeddedWith !== dtype || encoder.backend !== 'wasm') return undefined;
        this.counters.imagesEncoded += batch.indices.length;
        this.counters.imagesEncodedBeside += batch.indices.length;
        used?.(dtype);
        return embeddings;
      },
    };
  }

  /** The text tower: [texts × dim], unnormalised. */
  async encodeTexts(texts: string[]): Promise<Float32Array> {
    return (await this.encodeTextsTagged(texts)).value;
  }

  /** The text tower, with the dtypes that made the vectors. */
  encodeTextsTagged(texts: string[]): Promise<Tagged<Float32Array>> {
    const { encoder, tokenizer } = this.require();
    const tokens = tokenizer.encode(texts);
    this.counters.textsEncoded += texts.length;
    return encoder.embedTextsTagged(tokens);
  }

  countersNow(): Counters {
    return { ...this.counters };
  }

  get current(): Loaded | undefined {
    return this.loaded;
  }

  require(): Loaded {
    if (!this.loaded) throw new MumicError('ModelNotLoaded', 'load a model first');
    return this.loaded;
  }

  /** The loaded model's status (after a backend switch: the backend and dtypes now in use). */
  statusNow(): ModelStatus {
    return this.describe(this.require());
  }

  private describe({ request, info, encoder }: Loaded): ModelStatus {
    return {
      id: request.id,
      backend: encoder.backend,
      requestedBackend: request.backend ?? 'webgpu',
      fallbackReason: encoder.reason,
      dtypes: encoder.dtypes,
      projectionDim: info.projectionDim,
      contextLength: info.contextLength,
      counters: this.countersNow(),
      ...describeFamily(info),
    };
  }
}

/** A model-folder file as text; undefined when the folder has no such file. */
export async function readText(source: ModelSource, name: string): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await source.read(name));
  } catch (error) {
    if (hasErrorName(error, 'ModelFileMissing')) return undefined;
    throw error;
  }
}
