// The messages between the CLIP worker and its nested prepare worker (prepare-worker.ts), and the
// preparation both sides run: the nested worker normally, the CLIP worker as the fallback.
import { prepareBatch, type PreparedBatch } from '../core/embed-images.ts';
import type { ImageProcessorConfig } from '../core/preprocess-config.ts';
import { decodeImageBlob } from './decode-browser.ts';
import { thumbnailOfBitmap } from './image-tools.ts';

export interface PrepareRequest {
  type: 'prepare';
  id: number;
  /** Blobs and Files are cloned by reference to the same bytes, not copied. */
  blobs: Blob[];
  start: number;
  processor: ImageProcessorConfig;
  /** Also make each decoded image's thumbnail (classify stores them). */
  thumbnails: boolean;
}

/** A prepared batch, and the thumbnails by position in the request (undefined where none). */
export interface PreparedBlobs extends PreparedBatch {
  thumbnails: (Blob | undefined)[];
}

export type PrepareReply =
  | { type: 'ready' }
  | { type: 'prepared'; id: number; batch: PreparedBlobs }
  /** The batch as a whole failed (never a single file's error: those are in `failures`). */
  | { type: 'failed'; id: number; message: string };

/** Decodes and preprocesses blobs in this thread: the same code in either worker. */
export async function prepareBlobs(
  blobs: readonly Blob[],
  start: number,
  processor: ImageProcessorConfig,
  thumbnails: boolean,
): Promise<PreparedBlobs> {
  const made: Promise<Blob | undefined>[] = blobs.map(() => Promise.resolve(undefined));
  const batch = await prepareBatch(
    blobs.map((blob, i) => ({ blob, i })),
    start,
    {
      processor,
      decode: ({ blob, i }) =>
        decodeImageBlob(blob, {
          // Scaled from the bitmap while the pixels are read back and preprocessed.
          onBitmap: thumbnails ? (bitmap) => (made[i] = thumbnailOfBitmap(bitmap)) : undefined,
        }),
    },
  );
  return { ...batch, thumbnails: await Promise.all(made) };
}

/**
 * `prepareBlobs` for a request, marked as `measure` in a Chromium trace or DevTools
 * (bench/browser-pipeline.ts counts them); the measure is not kept.
 */
export async function prepareTimed(
  request: PrepareRequest,
  measure: 'mumic:prepare' | 'mumic:prepare-here',
): Promise<PreparedBlobs> {
  const started = performance.now();
  const batch = await prepareBlobs(
    request.blobs,
    request.start,
    request.processor,
    request.thumbnails,
  );
  performance.measure(measure, { start: started });
  performance.clearMeasures(measure);
  return batch;
}
