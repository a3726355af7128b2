/**
 * A 4:2:0 or 4:4:4 JPEG (nearly every camera and phone photo) decoded by the browser's own
 * libjpeg-turbo through WebCodecs' `ImageDecoder`: native code with its SIMD, on a Chromium pool
 * thread, which hands back the YCbCr planes before upsampling (`I420` / `I444` frames). The last
 * two steps of libjpeg's decode then run here exactly as libjpeg-turbo runs them
 * (core/ycc-rgb.ts), so the RGB bytes are PIL's. On a 12 MP photo this costs about a third of the
 * CPU of decoding it with libjpeg-turbo in WebAssembly (docs/PERFORMANCE.md). Anything else
 * (another layout or frame format, a partial or failed decode, no WebCodecs, no WebAssembly
 * SIMD) gives undefined, and the caller decodes the file as before.
 */
import { planeFormat, type JpegInfo } from '../core/jpeg-info.ts';
import type { DecodedImage } from '../core/types.ts';
import { YccKernels, type YccFormat } from '../core/ycc-rgb.ts';

/** Below this, libjpeg may upsample otherwise (its fancy filter needs 3+ chroma columns). */
const MIN_SIDE = 16;
/** A converter whose memory grew past this (a panorama's planes) is not kept for the next photo. */
const KEEP_BYTES = 64 * 1024 * 1024;

/**
 * Decodes from the browser's planes and hands the RGB to `use` at once: a view of the converter's
 * memory, valid only during that (synchronous) call, so a 12 MP photo makes no 36 MB array.
 * Undefined where this path cannot decode the file; errors of `use` itself propagate.
 */
export async function decodeJpegPlanes<T>(
  bytes: Uint8Array,
  info: JpegInfo,
  use: (image: DecodedImage) => T,
): Promise<{ value: T } | undefined> {
  const format = planeFormat(info);
  if (!format || info.width < MIN_SIDE || info.height < MIN_SIDE) return undefined;
  if (typeof ImageDecoder === 'undefined') return undefined;
  const kernels = YccKernels.take();
  if (!kernels) return undefined;
  try {
    const image = await rgbOfPlanes(bytes, info, format, kernels);
    return image && { value: use(image) };
  } finally {
    YccKernels.give(kernels, KEEP_BYTES);
  }
}

async function rgbOfPlanes(
  bytes: Uint8Array,
  { width, height }: JpegInfo,
  format: YccFormat,
  kernels: YccKernels,
): Promise<DecodedImage | undefined> {
  let decoder: ImageDecoder | undefined;
  let frame: VideoFrame | undefined;
  try {
    // No colour management: PIL ignores ICC profiles. The decoder copies the bytes.
    decoder = new ImageDecoder({ data: bytes, type: 'image/jpeg', colorSpaceConversion: 'none' });
    const result = await decoder.decode({ frameIndex: 0, completeFramesOnly: true });
    frame = result.image;
    const rect = frame.visibleRect;
    if (
      !result.complete ||
      frame.format !== format ||
      rect?.x !== 0 ||
      rect.y !== 0 ||
      rect.width !== width ||
      rect.height !== height
    ) {
      return undefined;
    }
    const [y, cb, cr, ...more] = await frame.copyTo(kernels.planes(frame.allocationSize()));
    if (!y || !cb || !cr || more.length > 0) return undefined;
    const layout = [y, cb, cr] as const;
    return {
      width,
      height,
      channels: 3,
      data: kernels.toRgbView({ format, width, height, layout }),
    };
  } catch {
    return undefined; // undecodable here: libjpeg in WebAssembly, then the browser, try as before
  } finally {
    frame?.close();
    decoder?.close();
  }
}
