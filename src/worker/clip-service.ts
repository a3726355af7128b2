import { embedImages } from '../core/embed-images.ts';
import { MumicError } from '../core/errors.ts';
import { loadModelFolder, type ModelInfo } from '../core/model-folder.ts';
import { createTokenizer } from '../core/tokenize.ts';
import type { LoadProgress } from '../core/types.ts';
import type { FallbackEncoder } from '../runtime/fallback-encoder.ts';
import { createWebEncoder } from '../runtime/web.ts';
import type {
  ImageOutcome,
  ModelLoadRequest,
  ModelStatus,
  TextEmbeddings,
  WorkerApi,
} from '../shared/worker-api.ts';
import { decodeImageBlob } from './decode-browser.ts';
import { FetchModelSource } from './model-source-fetch.ts';

interface Loaded {
  request: ModelLoadRequest;
  info: ModelInfo;
  encoder: FallbackEncoder;
  tokenizer: ReturnType<typeof createTokenizer>;
}

/** The worker's side of WorkerApi: one loaded model at a time. */
export class ClipService implements WorkerApi {
  private loaded: Loaded | undefined;

  async loadModel(
    request: ModelLoadRequest,
    onProgress?: (progress: LoadProgress) => void,
  ): Promise<ModelStatus> {
    await this.loaded?.encoder.release();
    this.loaded = undefined;
    const source = new FetchModelSource(request.baseUrl);
    const info = await loadModelFolder(source);
    const tokenizer = createTokenizer(
      info.tokenizer.json,
      info.tokenizer.config,
      info.contextLength,
    );
    const encoder = await createWebEncoder(source, info, {
      backend: request.backend,
      dtype: request.dtype,
      wasmPaths: request.wasmPaths,
      onProgress,
    });
    this.loaded = { request, info, encoder, tokenizer };
    return this.describe(this.loaded);
  }

  status(): Promise<ModelStatus | null> {
    return Promise.resolve(this.loaded ? this.describe(this.loaded) : null);
  }

  async embedImages(files: Blob[]): Promise<ImageOutcome[]> {
    const { info, encoder } = this.require();
    const out: ImageOutcome[] = [];
    for await (const outcomes of embedImages(files, {
      decode: decodeImageBlob,
      processor: info.processor,
      embedder: encoder,
      dim: info.projectionDim,
    })) {
      for (const o of outcomes)
        out[o.index] = 'error' in o ? { error: o.error } : { embedding: o.embedding };
    }
    return out;
  }

  async embedTexts(texts: string[]): Promise<TextEmbeddings> {
    const { encoder, tokenizer } = this.require();
    const tokens = tokenizer.encode(texts);
    const embeddings = texts.length > 0 ? await encoder.embedTexts(tokens) : new Float32Array();
    const inputIds = texts.map((_, i) =>
      Array.from(tokens.inputIds.subarray(i * tokens.length, (i + 1) * tokens.length), Number),
    );
    return { inputIds, embeddings };
  }

  private require(): Loaded {
    if (!this.loaded) throw new MumicError('ModelNotLoaded', 'load a model first');
    return this.loaded;
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
    };
  }
}
