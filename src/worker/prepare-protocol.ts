// The messages between the CLIP worker and its nested prepare worker (prepare-worker.ts), and the
// preparation both sides run: the nested worker normally, the CLIP worker as the fallback.
import type { ContentHash } from '../core/cache-keys.ts';
import { prepareBatch, type PreparedBatch } from '../core/embed-images.ts';
import { MumicError, toErrorInfo } from '../core/errors.ts';
import { MAX_FILE_BYTES } from '../core/image-header.ts';
import { upright, uprightSize } from '../core/exif-transpose.ts';
import type { ImageProcessorConfig } from '../core/preprocess-config.ts';
import { resizeOutputSize } from '../core/preprocess.ts';
import { RESAMPLE, resize } from '../core/resize.ts';
import type { DecodedImage, Dtype } from '../core/types.ts';
import { keywordsOf, type KeywordsRead } from '../core/xmp/embedded-keywords.ts';
import { decodeImageWith, ownPixels } from './decode-browser.ts';
import { makeThumbnail, sha256Hex, thumbnailOfBitmap, thumbnailSize } from './image-tools.ts';

export interface PrepareRequest {
  type: 'prepare';
  id: number;
  /** Blobs and Files are cloned by reference to the same bytes, not copied. */
  blobs: Blob[];
  start: number;
  processor: ImageProcessorConfig;
  /** Also make each decoded image's thumbnail (classify stores them). */
  thumbnails: boolean;
  /** Hash each file from the bytes read for its decode (classify), skipping `known` ones. */
  hash: boolean;
  /** Content hashes not to decode: added and removed since the last request to this worker. */
  knownAdded?: string[] | undefined;
  knownRemoved?: string[] | undefined;
  /** Also run the worker's copy of the vision tower (its `embedder` is ready): `embeddings`. */
  embed?: boolean | undefined;
}

/**
 * The vision tower a nested worker loads to embed what it prepares (prepare-embedder.ts): the
 * CLIP worker's model, dtype and WASM files, on one thread of its own.
 */
export interface EmbedderRequest {
  type: 'embedder';
  /** Echoed in the reply: only the latest request's copy is used. */
  generation: number;
  /** Undefined: release the copy held (another model, or WebGPU, is in use). */
  model?: { baseUrl: string; wasmPaths: string; dtype: Dtype } | undefined;
}

/** A prepared batch, and the thumbnails by position in the request (undefined where none). */
export interface PreparedBlobs extends PreparedBatch {
  thumbnails: (Blob | undefined)[];
  /** With `hash`: each file's SHA-256 by position (undefined: over the size limit, unread). */
  hashes?: (ContentHash | undefined)[];
  /** With `hash`: positions whose hash was known, left undecoded (neither index nor failure). */
  known?: number[];
  /** With `hash`: each file's embedded keywords, from the same bytes (undefined: unread). */
  keywords?: (KeywordsRead | undefined)[];
  /** With `embeddings`: the dtype of the copy of the vision tower that made them, and its generation. */
  embeddedWith?: Dtype | undefined;
  embeddedBy?: number | undefined;
}

export type PrepareReply =
  | { type: 'ready' }
  /** Its decoder could not start: the worker is ended, its batches prepared by the CLIP worker. */
  | { type: 'unusable'; message: string }
  | { type: 'prepared'; id: number; batch: PreparedBlobs }
  /** Its copy of the vision tower is loaded (it embeds when asked), or could not be. */
  | { type: 'embedder'; generation: number; dtype: Dtype }
  | { type: 'embedder-failed'; generation: number; message: string }
  /** The batch as a whole failed (never a single file's error: those are in `failures`). */
  | { type: 'failed'; id: number; message: string };

/** Decodes and preprocesses blobs in this thread: the same code in either worker. */
export async function prepareBlobs(
  blobs: readonly Blob[],
  start: number,
  processor: ImageProcessorConfig,
  thumbnails: boolean,
  /** Hash each file (undefined: do not), and leave those with these hashes undecoded. */
  known?: ReadonlySet<string>,
): Promise<PreparedBlobs> {
  const made: Promise<Blob | undefined>[] = blobs.map(() => Promise.resolve(undefined));
  const hashes: (ContentHash | undefined)[] = blobs.map(() => undefined);
  const keywords: (KeywordsRead | undefined)[] = blobs.map(() => undefined);
  const skipped: number[] = [];
  const batch = await prepareBatch(
    blobs.map((blob, i) => ({ blob, i })),
    start,
    {
      processor,
      decode: async ({ blob, i }) => {
        // Read once: hashed and its keywords read here, from the bytes the decoder then takes
        // (files over the size limit are not read: the header check fails them by name).
        let bytes: Uint8Array<ArrayBuffer> | undefined;
        if (known && blob.size <= MAX_FILE_BYTES) {
          bytes = await readFile(blob);
          hashes[i] = await sha256Hex(bytes);
          keywords[i] = await keywordsOf(bytes, blob instanceof File ? blob.name : '');
          if (known.has(hashes[i])) {
            skipped.push(i);
            throw SKIPPED;
          }
        }
        // A photo stored sideways stays so: preprocess and resizedWhole turn their small result.
        if (!thumbnails) {
          // Resized whole while borrowed, as below: no full-size copy of a 12 MP photo (36 MB,
          // its pages faulted in afresh for every photo).
          return decodeImageWith(blob, { keepOrientation: true, bytes }, (image, borrowed) => {
            if (shrinksBoth(uprightSize(image), processor)) return resizedWhole(image, processor);
            return borrowed ? ownPixels(image) : image;
          });
        }
        let fromBitmap: Promise<Blob | undefined> | undefined;
        const options = {
          keepOrientation: true,
          bytes,
          // Kept only where the small image below cannot serve (its thumbnail is cheaper).
          onBitmap: (bitmap: ImageBitmap) => {
            if (!shrinksBoth(bitmap, processor) || processor.resizeTo) {
              fromBitmap = thumbnailOfBitmap(bitmap);
            }
          },
        };
        // Borrowed pixels (a JPEG from the browser's planes) are resized before the call ends.
        return decodeImageWith(blob, options, (image, borrowed) => {
          if (fromBitmap) {
            made[i] = fromBitmap;
            return image;
          }
          if (!shrinksBoth(uprightSize(image), processor)) {
            let turned = upright(image);
            if (borrowed && turned.data === image.data) turned = ownPixels(turned);
            made[i] = makeThumbnail(turned); // decoded without a bitmap (a JPEG)
            return turned;
          }
          const small = resizedWhole(image, processor);
          // A squashing processor's small image has its shape, not the photo's.
          made[i] = makeThumbnail(processor.resizeTo ? thumbnailSource(image) : small);
          return small;
        });
      },
    },
  );
  const thumbs = await Promise.all(made);
  if (!known) return { ...batch, thumbnails: thumbs };
  const failures = batch.failures.filter((f) => !skipped.includes(f.index - start));
  return { ...batch, failures, thumbnails: thumbs, hashes, known: skipped, keywords };
}

/** Thrown for a file whose hash is known: it leaves the batch, not as a failure. */
const SKIPPED = new Error('known content');

async function readFile(blob: Blob): Promise<Uint8Array<ArrayBuffer>> {
  try {
    return new Uint8Array(await blob.arrayBuffer());
  } catch (cause) {
    throw new MumicError('FileUnreadable', toErrorInfo(cause).message);
  }
}

/**
 * The processor's resize shrinks this image on both axes, so the whole resize (`resizedWhole`)
 * serves preprocess. Its result serves as the thumbnail too, but for a squashing processor
 * (`resizeTo`: SigLIP, for one), whose result has the processor's shape, not the photo's.
 */
export function shrinksBoth(
  size: { width: number; height: number },
  processor: ImageProcessorConfig,
) {
  if (!processor.doResize) return false;
  const rs = resizeOutputSize(size.width, size.height, processor);
  return rs.width < size.width && rs.height < size.height;
}

/**
 * The photo upright at thumbnail size, its shape kept (a squashed photo's thumbnail), from pixels
 * that may only be borrowed: a box filter in the resize kernels, about 10 ms at 12 MP (a thumbnail
 * needs no PIL-exact bytes), instead of handing the full-size pixels to the browser's scaler as
 * RGBA (48 MB at 12 MP).
 */
export function thumbnailSource(image: DecodedImage): DecodedImage {
  const { width, height } = uprightSize(image);
  const { w, h } = thumbnailSize(width, height);
  return resizedUpright(image, w, h, RESAMPLE.BOX);
}

/**
 * The whole image resized as preprocess would resize it (PIL-exact; preprocess computes only its
 * crop, whose bytes are the same), RGB: preprocess then only crops and normalises it, and the
 * thumbnail is scaled from it instead of from the full-size pixels a second time.
 */
export function resizedWhole(image: DecodedImage, processor: ImageProcessorConfig): DecodedImage {
  const size = uprightSize(image);
  const rs = resizeOutputSize(size.width, size.height, processor);
  return resizedUpright(image, rs.width, rs.height, processor.resample);
}

/** The image resized to width x height (upright), RGB or gray: its alpha is dropped, as PIL's. */
function resizedUpright(
  image: DecodedImage,
  width: number,
  height: number,
  filter: ImageProcessorConfig['resample'],
): DecodedImage {
  const channels = image.channels === 1 ? 1 : 3;
  const { orientation } = image;
  const r = resize(image, width, height, { filter, channels, orientation });
  return { width: r.width, height: r.height, channels, data: r.data };
}

/**
 * `prepareBlobs` for a request, marked as `measure` in a Chromium trace or DevTools
 * (bench/browser-pipeline.ts counts them); the measure is not kept.
 */
export async function prepareTimed(
  request: PrepareRequest,
  measure: 'mumic:prepare' | 'mumic:prepare-here',
  known: ReadonlySet<string> = new Set(),
): Promise<PreparedBlobs> {
  const started = performance.now();
  const batch = await prepareBlobs(
    request.blobs,
    request.start,
    request.processor,
    request.thumbnails,
    request.hash ? known : undefined,
  );
  performance.measure(measure, { start: started });
  performance.clearMeasures(measure);
  return batch;
}
