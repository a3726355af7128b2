import { resolve } from 'node:path';
import { embedImages, prepareBatch, type EmbedOutcome } from '../core/embed-images.ts';
import { runBatchSize } from '../core/model-files.ts';
import { loadModelFolder, type ModelInfo } from '../core/model-folder.ts';
import type { Dtype } from '../core/types.ts';
import type { ClipEncoder } from '../runtime/clip-encoder.ts';
import { createNodeEncoder } from '../runtime/node.ts';
import { NodeModelSource } from './model-source-node.ts';
import { PrepareThread } from './prepare-thread.ts';
import { readImageFile } from './read-image.ts';

export interface LoadedModel {
  dir: string;
  info: ModelInfo;
  encoder: ClipEncoder;
}

export async function loadModel(dir: string, dtype: Dtype | undefined): Promise<LoadedModel> {
  const source = new NodeModelSource(resolve(dir));
  const info = await loadModelFolder(source);
  return { dir, info, encoder: createNodeEncoder(source, info, { dtype }) };
}

/**
 * Embeds image files with a loaded model, batch by batch (see core/embed-images). Batches are
 * prepared on a worker thread; until it has booted (about half a second), in this thread, so
 * that inference starts at once instead of waiting for the worker.
 */
export function embedFiles(
  model: LoadedModel,
  files: readonly string[],
  batchSize = 8,
): AsyncGenerator<EmbedOutcome[]> {
  const processor = model.info.processor;
  const thread = new PrepareThread(processor);
  const outcomes = embedImages(files, {
    decode: readImageFile,
    processor,
    embedder: model.encoder,
    dim: model.info.projectionDim,
    batchSize: runBatchSize(model.encoder.dtypes.vision, batchSize),
    prepare: (items, start) =>
      thread.ready
        ? thread.prepare(items, start)
        : prepareBatch(items, start, { decode: readImageFile, processor }),
  });
  return (async function* () {
    try {
      yield* outcomes;
    } finally {
      await thread.terminate();
    }
  })();
}
