// A worker thread that decodes and preprocesses batches of image files, so that this work
// overlaps inference: onnxruntime-node's session.run blocks the main thread while it runs.
import { parentPort } from 'node:worker_threads';
import { prepareBatch } from '../core/embed-images.ts';
import type { ImageProcessorConfig } from '../core/preprocess-config.ts';
import { readImageFile } from './read-image.ts';

export interface PrepareRequest {
  id: number;
  files: string[];
  start: number;
  processor: ImageProcessorConfig;
}

parentPort?.on('message', (request: PrepareRequest) => {
  void prepareBatch(request.files, request.start, {
    decode: readImageFile,
    processor: request.processor,
  }).then((batch) => {
    const pixels = batch.pixels.slice(); // own buffer, so it can be transferred whole
    parentPort?.postMessage({ id: request.id, batch: { ...batch, pixels } }, [pixels.buffer]);
  });
});
