// A CLI prepare thread's own copy of the vision tower (issue 16, as src/worker/prepare-embedder.ts
// in the browser): small photos are prepared and embedded on the thread that decodes them, one
// onnxruntime thread each, so that each core runs whole photos instead of onnxruntime's intra-op
// threads waiting for a core a decode took (docs/PERFORMANCE.md, session 10).
import { HeldCopy } from '../core/held-copy.ts';
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

const held = new HeldCopy<ClipEncoder>();
/** The copy last asked for, and its load (undefined if it could not load). */
let asked: { key: string; encoder: Promise<ClipEncoder | undefined> } | undefined;

/** Loads this thread's copy for `embed` (a run of many photos is starting), unless it has it. */
export async function warmCopy(embed: EmbedBeside): Promise<void> {
  const key = copyKey(embed);
  if (asked?.key !== key) {
    const encoder = held
      .swap(() => loadCopy(embed))
      .catch((error: unknown) => {
        console.warn(`prepare thread: no copy of the vision tower (${String(error)})`);
        return undefined;
      });
    asked = { key, encoder };
  }
  await asked.encoder;
}

/** The vision tower on one onnxruntime thread, in the dtype the main thread runs. */
async function loadCopy(embed: EmbedBeside): Promise<ClipEncoder> {
  const source = new NodeModelSource(embed.dir);
  const info = await loadModelFolder(source);
  const made = createNodeEncoder(source, info, { dtype: embed.dtype, threads: 1 });
  // Checked before any session is made.
  if (made.dtypes.vision !== embed.dtype) throw new Error(`no ${embed.dtype} vision tower`);
  await made.session('vision');
  return made;
}

/**
 * Releases this thread's copy, once its runs have ended. Before the thread ends: an
 * onnxruntime-node session still open when a worker thread is torn down aborts the whole process
 * (exit status 134, after every result was printed).
 */
export async function releaseCopy(): Promise<void> {
  asked = undefined;
  await held.swap();
}

/**
 * The batch's embeddings when this thread's copy for `embed` is loaded; else undefined (the
 * caller checks the sizes). Never loads one: only a warm-up does, so a copy released before the
 * thread ends is not loaded again by a batch still on its way.
 */
export async function embedBeside(
  embed: EmbedBeside,
  pixels: Float32Array,
  rows: number,
): Promise<Float32Array | undefined> {
  // The pool hands batches to copies only once loaded: none yet (or failed) is none held.
  if (rows === 0 || asked?.key !== copyKey(embed)) return undefined;
  // A run that fails leaves the pixels to the main thread's model, which names the failure.
  const run = held.run((encoder) => encoder.embedImages(pixels, rows));
  return run?.catch(() => undefined);
}
