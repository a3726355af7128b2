// A worker thread that decodes and preprocesses batches of image files, so that this work
// overlaps inference: onnxruntime-node's session.run blocks the main thread while it runs.
import { parentPort } from 'node:worker_threads';
import sharp from 'sharp';
import { EMBED_BESIDE_MAX_BYTES, prepareBatch, type PreparedBatch } from '../core/embed-images.ts';
import type { ImageProcessorConfig } from '../core/preprocess-config.ts';
import { resizeKernels } from '../core/resize-wasm.ts';
import { embedBeside, releaseCopy, warmCopy, type EmbedBeside } from './prepare-embedder.ts';
import { readImageFile } from './read-image.ts';

export interface PrepareRequest {
  type: 'prepare';
  id: number;
  files: string[];
  start: number;
  processor: ImageProcessorConfig;
  /** The fast decode's shorter side (`--fast-decode`), or undefined for the exact path. */
  reduceTo?: number | undefined;
  /** Embed small files too, on this thread's copy of the vision tower (prepare-embedder.ts). */
  embed?: EmbedBeside | undefined;
}

/** Load this thread's copy of the vision tower now, or release the one it holds. */
export type CopyRequest =
  { type: 'warm'; id: number; embed: EmbedBeside } | { type: 'release'; id: number };

export type PrepareReply =
  | { type: 'ready' }
  | { type: 'batch'; id: number; batch: PreparedBatch }
  | { type: 'done'; id: number };

parentPort?.on('message', (request: PrepareRequest | CopyRequest) => {
  if (request.type !== 'prepare') {
    const done = (): void => parentPort?.postMessage({ type: 'done', id: request.id });
    void (request.type === 'warm' ? warmCopy(request.embed) : releaseCopy()).then(done, done);
    return;
  }
  // The largest file read: a batch of small files only is embedded here (prepare-embedder.ts).
  let largest = 0;
  void prepareBatch(request.files, request.start, {
    decode: (path: string) =>
      readImageFile(
        path,
        { reduceTo: request.reduceTo, keepOrientation: true },
        (bytes) => (largest = Math.max(largest, bytes)),
      ),
    processor: request.processor,
  }).then(async (batch) => {
    const rows = batch.indices.length;
    if (request.embed && largest <= EMBED_BESIDE_MAX_BYTES) {
      batch.embeddings = await embedBeside(request.embed, batch.pixels, rows);
    }
    // Transferred, not copied; copied first only when it is a view of a larger buffer.
    const whole =
      batch.pixels.byteOffset === 0 && batch.pixels.byteLength === batch.pixels.buffer.byteLength;
    const pixels = whole ? batch.pixels : batch.pixels.slice();
    const reply: PrepareReply = { type: 'batch', id: request.id, batch: { ...batch, pixels } };
    parentPort?.postMessage(reply, [pixels.buffer as ArrayBuffer]);
  });
});
// One photo per prepare thread is the parallelism; libvips' own pool (process-wide) would only
// add threads on top of the prepare threads (JPEG decoding is serial in libvips anyway).
sharp.concurrency(1);
// The resize kernels are compiled now, while the model loads, not on the first photo.
resizeKernels();
// Every module is loaded (the imports above): batches may come here from now on.
parentPort?.postMessage({ type: 'ready' } satisfies PrepareReply);
