/**
 * Thumbnails encoded as WebP by libwebp compiled to WebAssembly (@jsquash/webp, Squoosh's codec),
 * at method 2. Chromium's own encoder (OffscreenCanvas.convertToBlob, Skia's: method 3) took
 * 13.1 and 9.9 ms of the preparing thread for a 2 MP photo's 299 × 224 thumbnail in two runs,
 * this one 8.3 and 6.8, for files 1-4% smaller (docs/PERFORMANCE.md, issue 16, session 14).
 * Until it has started, or if it cannot, the canvas encodes (image-tools.ts).
 */
import simdFactory from '@jsquash/webp/codec/enc/webp_enc_simd.js';
import type { WebPModule } from '@jsquash/webp/codec/enc/webp_enc.js';
import wasmUrl from '@jsquash/webp/codec/enc/webp_enc_simd.wasm?url';
import { defaultOptions } from '@jsquash/webp/meta.js';
import { compileWasm, instantiate, type InstantiateOptions } from './emscripten-wasm.ts';

/** Quality as the canvas was asked for (0.8); method 2: see above. */
const OPTIONS = { ...defaultOptions, quality: 80, method: 2 };

/** The Emscripten factory, typed for what is used here (the package's own types are partial). */
const factory = simdFactory as unknown as (options: InstantiateOptions) => Promise<WebPModule>;

let compiled: Promise<WebAssembly.Module> | undefined;
let starting: Promise<WebPModule> | undefined;
/** The started encoder: encodes are synchronous, so the caller's pixels are read at once. */
let ready: WebPModule | undefined;

/** Starts the encoder ahead of the first photo; false if it failed. */
export function warmWebpWasm(): Promise<boolean> {
  if (ready) return Promise.resolve(true);
  if (!compiled) {
    const made = compileWasm(wasmUrl);
    // A failed compile is tried again at the next start; a good one serves every instance.
    made.catch(() => {
      if (compiled === made) compiled = undefined;
    });
    compiled = made;
  }
  const start = (starting ??= compiled.then((module) =>
    instantiate(factory, module, { noInitialRun: true }),
  ));
  return start.then(
    (encoder) => {
      if (starting === start) ready = encoder;
      return true;
    },
    () => {
      // Tried again at the next warm-up (only this attempt is forgotten, not a newer one).
      if (starting === start) starting = undefined;
      return false;
    },
  );
}

/**
 * RGBA pixels as a WebP, encoded now if the encoder has started (`pixels` is then read, at once);
 * undefined if it has not (its start is asked for) or it failed.
 */
export function encodeWebpNow(
  width: number,
  height: number,
  pixels: () => Uint8ClampedArray<ArrayBuffer>,
): Blob | undefined {
  if (!ready) {
    void warmWebpWasm();
    return undefined;
  }
  const rgba = pixels();
  try {
    const bytes = ready.encode(rgba, width, height, OPTIONS);
    return bytes ? new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/webp' }) : undefined;
  } catch {
    // A trap (or any failure in it) may leave its heap inconsistent: the next call starts a new
    // instance of the same module.
    ready = undefined;
    starting = undefined;
    return undefined;
  }
}
