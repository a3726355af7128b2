// A nested prepare worker's own copy of the vision tower (issue 16). On WASM with one model thread
// per core, each worker prepares AND embeds the photos it is given, beside the CLIP worker doing
// the same with others: the cores each run whole photos, instead of one model thread waiting for
// the decoder (a 12 MP JPEG's decode outweighs a one-thread run) or two model threads waiting for
// each other at every operator (docs/PERFORMANCE.md, session 10).
import { loadModelFolder } from '../core/model-folder.ts';
import type { Dtype } from '../core/types.ts';
import { createWebEncoder } from '../runtime/web.ts';
import { FetchModelSource } from './model-source-fetch.ts';
import type { EmbedderRequest } from './prepare-protocol.ts';

export interface PrepareEmbedder {
  dtype: Dtype;
  /** The pool's generation it was loaded for (PreparedBlobs.embeddedBy). */
  generation: number;
  /** pixels: [batch, 3, H, W]; returns [batch, dim]. */
  embed(pixels: Float32Array, batch: number): Promise<Float32Array>;
  release(): Promise<void>;
}

/** Loads the vision tower on WASM, one thread, in the dtype the CLIP worker runs. */
export async function loadEmbedder(
  request: NonNullable<EmbedderRequest['model']>,
  generation: number,
): Promise<PrepareEmbedder> {
  const source = new FetchModelSource(request.baseUrl);
  const info = await loadModelFolder(source);
  const encoder = await createWebEncoder(source, info, {
    backend: 'wasm',
    dtype: request.dtype,
    wasmPaths: request.wasmPaths,
    wasmThreads: 1,
  });
  const dtype = encoder.dtypes.vision;
  if (dtype !== request.dtype) {
    await encoder.release();
    throw new Error(`the vision tower loaded as ${dtype}, not ${request.dtype}`);
  }
  return {
    dtype,
    generation,
    embed: (pixels, batch) => encoder.embedImages(pixels, batch),
    release: () => encoder.release(),
  };
}
