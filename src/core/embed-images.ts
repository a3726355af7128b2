import { toErrorInfo, type ErrorInfo } from './errors.ts';
import { preprocess } from './preprocess.ts';
import type { ImageProcessorConfig } from './preprocess-config.ts';
import type { DecodedImage } from './types.ts';

export interface ImageEmbedder {
  /** pixels: [batch, 3, H, W]; returns [batch, dim]. */
  embedImages(pixels: Float32Array, batch: number): Promise<Float32Array>;
  /**
   * A batch's embeddings made where it was prepared (a worker with a copy of the model), one row
   * of `dim` per index (checked before): returned when they are this model's and dtype's, they
   * stand in for the run. Undefined: the pixels are run.
   */
  adopt?(batch: PreparedBatch): Float32Array | undefined;
}

/**
 * Files up to this size are prepared and embedded beside (on a preparing worker's copy of the
 * model; a JPEG of about 4 MP): a 2 MP photo's preparation is a third of a one-thread run, a
 * 12 MP one's twice it, and there the copy cost more than it gave (docs/PERFORMANCE.md, session 10).
 */
export const EMBED_BESIDE_MAX_BYTES = 2_000_000;

export type EmbedOutcome =
  { index: number; embedding: Float32Array } | { index: number; error: ErrorInfo };

interface EmbedImagesCommon {
  processor: ImageProcessorConfig;
  embedder: ImageEmbedder;
  dim: number;
  batchSize?: number;
  /** Batches prepared ahead of the one the model runs (default 1): one per preparing thread. */
  prefetch?: number;
  signal?: AbortSignal | undefined;
}

/** Decodes one input in this thread. */
export type DecodeInput<I> = (input: I) => Promise<DecodedImage>;

/**
 * Replaces the in-thread decode and preprocess of a batch, e.g. by a worker thread where the
 * runtime blocks this one while it runs (onnxruntime-node does; so does onnxruntime-web's WASM).
 */
export type PrepareInputs<I> = (items: readonly I[], start: number) => Promise<PreparedBatch>;

/** Either a decoder (batches are prepared in this thread) or a preparer, or both. */
export type EmbedImagesOptions<I> = EmbedImagesCommon &
  (
    | { decode: DecodeInput<I>; prepare?: PrepareInputs<I> | undefined }
    | { decode?: undefined; prepare: PrepareInputs<I> }
  );

export interface PreparedBatch {
  pixels: Float32Array;
  indices: number[];
  failures: EmbedOutcome[];
  /** [indices × dim], when the preparing side also ran the model (ImageEmbedder.adopt). */
  embeddings?: Float32Array | undefined;
}

/**
 * Decode → preprocess → embed, in batches, yielding each batch's outcomes in input order. A file
 * that fails to decode fails alone. The next batch's preparation is started before the current
 * one runs in the model, so a `prepare` on another thread overlaps decoding with inference.
 */
export async function* embedImages<I>(
  inputs: readonly I[],
  options: EmbedImagesOptions<I>,
): AsyncGenerator<EmbedOutcome[]> {
  const batchSize = Math.max(1, options.batchSize ?? 8);
  const starts: number[] = [];
  for (let s = 0; s < inputs.length; s += batchSize) starts.push(s);
  const prepareItems = preparerOf(options);
  const prepare = (start: number): Promise<PreparedBatch> =>
    prepareItems(inputs.slice(start, start + batchSize), start);

  // A prefetched batch that fails while the current one runs must not be an unhandled rejection:
  // it is observed at once, and its failure still reaches the `await` of its turn below.
  const prefetch = (start: number): Promise<PreparedBatch> => {
    const batch = prepare(start);
    batch.catch(() => undefined);
    return batch;
  };
  // Batches in preparation, in order; topped up before each run so preparation overlaps it.
  const depth = Math.max(1, options.prefetch ?? 1);
  const queue: Promise<PreparedBatch>[] = [];
  let queued = 0;
  const topUp = (): void => {
    while (queued < starts.length && queue.length < depth) {
      queue.push(prefetch(starts[queued++] ?? 0));
    }
  };
  topUp();
  for (let b = 0; b < starts.length; b++) {
    options.signal?.throwIfAborted();
    const batch = await (queue.shift() as Promise<PreparedBatch>);
    topUp();
    const outcomes: EmbedOutcome[] = [...batch.failures];
    if (batch.indices.length > 0) {
      try {
        const rows = batch.indices.length;
        const made = batch.embeddings?.length === rows * options.dim;
        const out =
          (made ? options.embedder.adopt?.(batch) : undefined) ??
          (await options.embedder.embedImages(batch.pixels, rows));
        batch.indices.forEach((index, row) => {
          outcomes.push({
            index,
            embedding: out.slice(row * options.dim, (row + 1) * options.dim),
          });
        });
      } catch (error) {
        const info = toErrorInfo(error);
        for (const index of batch.indices) outcomes.push({ index, error: info });
      }
    }
    outcomes.sort((a, b) => a.index - b.index);
    yield outcomes;
  }
}

function preparerOf<I>(options: EmbedImagesOptions<I>): PrepareInputs<I> {
  if (options.decode === undefined) return options.prepare;
  if (options.prepare) return options.prepare;
  const { decode, processor } = options;
  return (items, start) => prepareBatch(items, start, { decode, processor });
}

/** Decodes and preprocesses a batch in this thread. */
export async function prepareBatch<I>(
  items: readonly I[],
  start: number,
  options: { decode: DecodeInput<I>; processor: ImageProcessorConfig },
): Promise<PreparedBatch> {
  const { cropHeight, cropWidth } = options.processor;
  const size = 3 * cropHeight * cropWidth;
  const pixels = new Float32Array(items.length * size);
  const indices: number[] = [];
  const failures: EmbedOutcome[] = [];
  // One at a time: only one full-resolution image is alive at once, which bounds memory.
  for (const [i, item] of items.entries()) {
    try {
      const image = await options.decode(item);
      preprocess(image, options.processor, pixels, indices.length * size);
      indices.push(start + i);
    } catch (error) {
      failures.push({ index: start + i, error: toErrorInfo(error) });
    }
  }
  return { pixels: pixels.subarray(0, indices.length * size), indices, failures };
}
