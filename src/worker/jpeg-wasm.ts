/**
 * JPEG decoding with libjpeg-turbo compiled to WebAssembly (@cornerstonejs/codec-libjpeg-turbo-8bit),
 * straight from the file's bytes to RGB (or gray) in this thread: the same library, IDCT (islow)
 * and fancy upsampling as PIL, so the same pixels (docs/PERFORMANCE.md), at about half the CPU of
 * createImageBitmap plus reading its bitmap back (Chromium decodes to BGRA on a pool thread and
 * the VideoFrame copy then costs as much again).
 */
import factory, { type LibJpegTurbo } from '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs';
import wasmUrl from '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm?url';
import type { DecodedImage } from '../core/types.ts';
import { compileWasm, instantiate } from './emscripten-wasm.ts';

/**
 * An instance whose last image was larger than this many pixels is dropped: WASM memory only
 * grows, and a worker should not keep a huge heap for one panorama. 12 MP photos reuse theirs.
 */
const KEEP_INSTANCE_PIXELS = 16 * 1024 * 1024;

let compiled: Promise<WebAssembly.Module> | undefined;
let codec: Promise<LibJpegTurbo> | undefined;

/** The decoder's instance, from the module compiled once per worker. */
function instance(): Promise<LibJpegTurbo> {
  compiled ??= compileWasm(wasmUrl);
  codec ??= compiled.then((module) => instantiate(factory, module));
  return codec;
}

/**
 * Compiles and instantiates the decoder ahead of the first photo: false if it failed (it is
 * retried at the first photo; a prepare worker whose decoder cannot start leaves the work to the
 * CLIP worker instead).
 */
export function warmJpegWasm(): Promise<boolean> {
  return instance().then(
    () => true,
    () => {
      compiled = codec = undefined;
      return false;
    },
  );
}

/**
 * Decodes a baseline or progressive 8-bit JPEG (see `wasmDecodable`). Rejects on any libjpeg
 * error (corrupt or truncated data): the caller then lets the browser's decoder try, as before.
 */
export async function decodeJpegWasm(bytes: Uint8Array): Promise<DecodedImage> {
  let lib: LibJpegTurbo;
  try {
    lib = await instance();
  } catch (e) {
    compiled = codec = undefined; // a later photo tries again (offline first load, say)
    throw e;
  }
  const decoder = new lib.JPEGDecoder();
  let recycle = true;
  try {
    decoder.getEncodedBuffer(bytes.length).set(bytes);
    decoder.decode();
    const { width, height, componentCount } = decoder.getFrameInfo();
    if (componentCount !== 1 && componentCount !== 3) {
      throw new Error(`libjpeg-turbo gave ${componentCount} components`);
    }
    const data = decoder.getDecodedBuffer();
    recycle = width * height > KEEP_INSTANCE_PIXELS;
    return { width, height, channels: componentCount, data };
  } catch (e) {
    // A C++ exception is thrown as a pointer and its memory stays taken: start afresh.
    throw e instanceof Error ? e : new Error(`libjpeg-turbo failed (${String(e)})`);
  } finally {
    decoder.delete();
    if (recycle) codec = undefined;
  }
}
