import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  EMBED_BESIDE_MAX_BYTES,
  embedImages,
  prepareBatch,
  type EmbedOutcome,
} from '../core/embed-images.ts';
import { runBatchSize } from '../core/model-files.ts';
import { loadModelFolder, type ModelInfo } from '../core/model-folder.ts';
import type { ImageProcessorConfig } from '../core/preprocess-config.ts';
import type { Dtype } from '../core/types.ts';
import type { ClipEncoder } from '../runtime/clip-encoder.ts';
import { createNodeEncoder } from '../runtime/node.ts';
import { MumicError } from '../core/errors.ts';
import { optionalNumber, parseDtype, requireModel } from './args.ts';
import { resolveModelDir } from './model-dir.ts';
import { NodeModelSource } from './model-source-node.ts';
import type { EmbedBeside } from './prepare-embedder.ts';
import { preparePool, setPrepareWorkers } from './prepare-thread.ts';
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
  // Started now, the prepare threads boot (about half a second) while the model loads.
  if (images) preparePool();
  const source = new NodeModelSource(resolve(dir));
  const info = await loadModelFolder(source);
  return { dir, info, encoder: createNodeEncoder(source, info, { dtype }) };
}

export const PREPARE_OPTIONS = {
  'prepare-workers': { type: 'string' },
  'fast-decode': { type: 'boolean' },
} as const;

export const PREPARE_HELP = `  --prepare-workers N
                  threads that decode and preprocess photos (default: one per core, at most
                  16; see docs/PERFORMANCE.md)
  --fast-decode   decode large JPEGs at a reduced DCT scale before the exact resize: faster,
                  NOT pixel-identical to the reference (embedding cosine in
                  docs/PERFORMANCE.md); off by default`;

/**
 * The model that --model (a folder or an installed id) and --dtype name (--model is required),
 * --prepare-workers and --fast-decode.
 */
export function openModel(
  values: {
    model?: string;
    dtype?: string;
    'prepare-workers'?: string;
    'fast-decode'?: boolean;
  },
  options?: LoadOptions,
): Promise<LoadedModel> {
  const workers = optionalNumber(values['prepare-workers'], '--prepare-workers', 1, 256);
  if (workers !== undefined && !Number.isInteger(workers)) {
    throw new MumicError('InvalidArgument', '--prepare-workers must be a whole number');
  }
  setPrepareWorkers(workers);
  fastDecode = values['fast-decode'] === true;
  return loadModel(resolveModelDir(requireModel(values.model)), parseDtype(values.dtype), options);
}

let fastDecode = false;

/**
 * Runs of fewer photos than this do not load copies of the vision tower on the prepare threads.
 * Each copy's load (a second or so of a core) is paid back only over a long run: on 2 cores,
 * small photos took 1.25-1.44x as long with copies in runs of 16-32, about as long at 64-128, and
 * 0.97x at 256, 0.86-0.91x at 512 (`bench/cli-beside.ts`, docs/PERFORMANCE.md, session 12).
 */
export const EMBED_BESIDE_MIN_FILES = 256;

/**
 * What the prepare threads copy to embed small photos beside (prepare-embedder.ts): this model's
 * folder and vision dtype, one onnxruntime thread each; none with MUMIC_EMBED_BESIDE=0 (to compare).
 */
export function copiesFor(model: LoadedModel): EmbedBeside | undefined {
  if (process.env['MUMIC_EMBED_BESIDE'] === '0') return undefined;
  return { dir: resolve(model.dir), dtype: model.encoder.dtypes.vision };
}

/** The shorter side the fast decode brings a photo to: twice what the exact resize makes. */
export function fastDecodeSide(processor: ImageProcessorConfig): number {
  const { resizeTo, shortestEdge } = processor;
  return 2 * (resizeTo ? Math.max(resizeTo.width, resizeTo.height) : shortestEdge);
}

/**
 * Embeds image files with a loaded model, batch by batch (see core/embed-images). Batches are
 * prepared on the process's prepare threads; until one has booted (about half a second after
 * loadModel started them), in this thread, so that inference never waits for a worker.
 */
export function embedFiles(
  model: LoadedModel,
  files: readonly string[],
  batchSize = 8,
): AsyncGenerator<EmbedOutcome[]> {
  const processor = model.info.processor;
  const pool = preparePool();
  const reduceTo = fastDecode ? fastDecodeSide(processor) : undefined;
  const decode = (path: string) => readImageFile(path, { reduceTo, keepOrientation: true });
  // Small photos are embedded on the prepare threads' copies of the vision tower, only in runs of
  // many photos, mostly small: a copy takes a second or so of CPU to load.
  // MUMIC_EMBED_BESIDE=1 loads them for any run (to measure where they start to pay).
  const forced = process.env['MUMIC_EMBED_BESIDE'] === '1';
  // Mostly small: judged on the run's first 16 files (a stat each), only for a run long enough.
  const sample = files.slice(0, 16);
  const many =
    files.length >= EMBED_BESIDE_MIN_FILES && sample.filter(smallFile).length * 2 >= sample.length;
  const embed = forced || many ? copiesFor(model) : undefined;
  // Batches go to the copies once they are loaded (until then the model here runs them).
  if (embed) void pool.warmCopies(embed);
  return embedImages(files, {
    decode,
    processor,
    embedder: {
      embedImages: (pixels, n) => model.encoder.embedImages(pixels, n),
      // Made by a copy of this very model and dtype (copiesFor), in the rows' number (checked).
      adopt: ({ embeddings }) => embeddings,
    },
    dim: model.info.projectionDim,
    batchSize: runBatchSize(model.encoder.dtypes.vision, batchSize),
    // Enough batches in flight to keep every prepare thread busy while the model runs; twice as
    // many with copies (results are taken in order: a thread whose batch is done early would
    // otherwise wait for the one before it).
    prefetch: embed ? 2 * pool.size + 1 : pool.size + 1,
    prepare: (items, start) =>
      pool.ready
        ? pool.prepare(items, start, processor, reduceTo, embed)
        : prepareBatch(items, start, { decode, processor }),
  });
}

/** The file is small enough to be embedded beside (false when it cannot be read). */
function smallFile(path: string): boolean {
  try {
    return statSync(path).size <= EMBED_BESIDE_MAX_BYTES;
  } catch {
    return false;
  }
}
