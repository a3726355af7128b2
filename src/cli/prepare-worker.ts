// A worker thread that decodes and preprocesses batches of image files, so that this work
// overlaps inference: onnxruntime-node's session.run blocks the main thread while it runs.
import { parentPort } from 'node:worker_threads';
import { prepareBatch, type PreparedBatch } from '../core/embed-images.ts';
import type { ImageProcessorConfig } from '../core/preprocess-config.ts';
import { readImageFile } from './read-image.ts';

export interface PrepareRequest {
  id: number;
  files: string[];
  start: number;
  processor: ImageProcessorConfig;
}

export type PrepareReply = { type: 'ready' } | { type: 'batch'; id: number; batch: PreparedBatch };

parentPort?.on('message', (request: PrepareRequest) => {
  void prepareBatch(request.files, request.start, {
    decode: readImageFile,
    processor: request.processor,
  }).then((batch) => {
    const pixels = batch.pixels.slice(); // own buffer, so it can be transferred whole
    const reply: PrepareReply = { type: 'batch', id: request.id, batch: { ...batch, pixels } };
    parentPort?.postMessage(reply, [pixels.buffer]);
  });
});
// Every module is loaded (the imports above): batches may come here from now on.
parentPort?.postMessage({ type: 'ready' } satisfies PrepareReply);
