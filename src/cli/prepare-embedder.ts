// A CLI prepare thread's own copy of the vision tower (issue 16, as src/worker/prepare-embedder.ts
// in the browser): small photos are prepared and embedded on the thread that decodes them, one
// onnxruntime thread each, so that each core runs whole photos instead of onnxruntime's intra-op
// threads waiting for a core a decode took (docs/PERFORMANCE.md, session 10).
import { statSync } from 'node:fs';
import { EMBED_BESIDE_MAX_BYTES } from '../core/embed-images.ts';
import { loadModelFolder } from '../core/model-folder.ts';
import type { Dtype } from '../core/types.ts';
import type { ClipEncoder } from '../runtime/clip-encoder.ts';
import { createNodeEncoder } from '../runtime/node.ts';
import { NodeModelSource } from './model-source-node.ts';

/** What a prepare thread copies: the model folder and the dtype the main thread runs. */
export interface EmbedBeside {
  dir: string;
  dtype: Dtype;
}

/** Names a copy: the model folder and dtype. */
export const copyKey = (embed: EmbedBeside): string => `${embed.dir}\n${embed.dtype}`;

/** The file is small enough to be embedded beside (false when it cannot be read): a run's choice. */
export function smallFile(path: string): boolean {
  try {
    return statSync(path).size <= EMBED_BESIDE_MAX_BYTES;
  } catch {
    return false;
  }
}

let copy: { key: string; encoder: Promise<ClipEncoder | undefined> } | undefined;
/** Runs on a copy under way. */
const running = new Set<Promise<unknown>>();

/** This thread's copy for `embed` (loaded at its first use; undefined if it could not load). */
function copyOf(embed: EmbedBeside): Promise<ClipEncoder | undefined> {
  const key = copyKey(embed);
  if (copy?.key !== key) {
    const old = copy?.encoder;
    const encoder = (async () => {
      // Another model's copy goes first, once its runs under way have ended.
      await Promise.allSettled([...running]);
      await (await old)?.release();
      const source = new NodeModelSource(embed.dir);
      const info = await loadModelFolder(source);
      const made = createNodeEncoder(source, info, { dtype: embed.dtype, threads: 1 });
      if (made.dtypes.vision !== embed.dtype) return undefined; // checked before any session
      await made.session('vision');
      return made;
    })().catch((error: unknown) => {
      console.warn(`prepare thread: no copy of the vision tower (${String(error)})`);
      return undefined;
    });
    copy = { key, encoder };
  }
  return copy.encoder;
}

/** Loads this thread's copy now (a run of many photos is starting). */
export async function warmCopy(embed: EmbedBeside): Promise<void> {
  await copyOf(embed);
}

/** The batch's embeddings when the copy runs; else undefined (the caller checks the sizes). */
export async function embedBeside(
  embed: EmbedBeside,
  pixels: Float32Array,
  rows: number,
): Promise<Float32Array | undefined> {
  if (rows === 0) return undefined;
  const encoder = await copyOf(embed);
  if (!encoder) return undefined;
  // A run that fails leaves the pixels to the main thread's model, which names the failure.
  const run = encoder.embedImages(pixels, rows).catch(() => undefined);
  running.add(run);
  return run.finally(() => running.delete(run));
}
