import { resolve } from 'node:path';
import { embedImages, prepareBatch, type EmbedOutcome } from '../core/embed-images.ts';
import { runBatchSize } from '../core/model-files.ts';
import { loadModelFolder, type ModelInfo } from '../core/model-folder.ts';
import type { Dtype } from '../core/types.ts';
import type { ClipEncoder } from '../runtime/clip-encoder.ts';
import { createNodeEncoder } from '../runtime/node.ts';
import { parseDtype, requireModel } from './args.ts';
import { resolveModelDir } from './model-dir.ts';
import { NodeModelSource } from './model-source-node.ts';
import { prepareThread } from './prepare-thread.ts';
import { readImageFile } from './read-image.ts';

export interface LoadedModel {
  dir: string;
  info: ModelInfo;
  encoder: ClipEncoder;
}

export interface LoadOptions {
  /** Images will be embedded: start the decode thread now (default true). */
  images?: boolean;
}

export async function loadModel(
  dir: string,
  dtype: Dtype | undefined,
  { images = true }: LoadOptions = {},
): Promise<LoadedModel> {
  // Started now, the decode thread boots (about half a second) while the model loads.
  if (images) prepareThread();
  const source = new NodeModelSource(resolve(dir));
  const info = await loadModelFolder(source);
  return { dir, info, encoder: createNodeEncoder(source, info, { dtype }) };
}

/** The model that --model (a folder or an installed id) and --dtype name (--model is required). */
export const openModel = (
  values: { model?: string; dtype?: string },
  options?: LoadOptions,
): Promise<LoadedModel> =>
  loadModel(resolveModelDir(requireModel(values.model)), parseDtype(values.dtype), options);

/**
 * Embeds image files with a loaded model, batch by batch (see core/embed-images). Batches are
 * prepared on the process's prepare thread; until it has booted (about half a second after
 * loadModel started it), in this thread, so that inference never waits for the worker.
 */
export function embedFiles(
  model: LoadedModel,
  files: readonly string[],
  batchSize = 8,
): AsyncGenerator<EmbedOutcome[]> {
  const processor = model.info.processor;
  const thread = prepareThread();
  return embedImages(files, {
    decode: readImageFile,
    processor,
    embedder: model.encoder,
    dim: model.info.projectionDim,
    batchSize: runBatchSize(model.encoder.dtypes.vision, batchSize),
    prepare: (items, start) =>
      thread.ready && !thread.ended
        ? thread.prepare(items, start, processor)
        : prepareBatch(items, start, { decode: readImageFile, processor }),
  });
}
