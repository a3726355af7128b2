/**
 * Image decoding in a web worker. An 8-bit Huffman-coded JPEG (nearly every photo) is decoded
 * from its bytes by libjpeg-turbo in WebAssembly (jpeg-wasm.ts), to RGB or gray, with its EXIF
 * orientation applied to the pixels as PIL does. Everything else, and any JPEG that decoder
 * refuses, goes through createImageBitmap with EXIF orientation applied and without
 * colour management (PIL, hence the reference, ignores ICC profiles), then its RGBA bytes read
 * with one copy through a VideoFrame (WebCodecs) where there is one, else through an
 * OffscreenCanvas (a draw and a read-back: two full-size passes, 48 MB each at 12 MP). Alpha is
 * left for preprocess to drop; note that a 2D canvas stores premultiplied alpha, so
 * semi-transparent pixels can differ from PIL by a few levels on that path.
 */
import { MumicError } from '../core/errors.ts';
import {
  BROWSER_IMAGE_FORMATS,
  DEFAULT_IMAGE_LIMITS,
  checkImageBytes,
  type ImageLimits,
} from '../core/image-header.ts';
import { exifTranspose } from '../core/exif-transpose.ts';
import { readJpegInfo, wasmDecodable, type JpegInfo } from '../core/jpeg-info.ts';
import type { DecodedImage } from '../core/types.ts';
import { decodeJpegWasm } from './jpeg-wasm.ts';

/** Enough for the header of nearly every file (JPEG EXIF/ICC segments come first). */
const HEAD_BYTES = 256 * 1024;

export interface BrowserDecodeOptions {
  limits?: Partial<ImageLimits>;
  /**
   * Called with the decoded (upright) bitmap before it is closed, e.g. to scale a thumbnail;
   * not called when the WASM decoder made the pixels without a bitmap.
   */
  onBitmap?: (bitmap: ImageBitmap) => void;
  /** False: JPEGs too go through createImageBitmap (benchmarks, tests of that path). */
  wasmJpeg?: boolean;
  /**
   * True: a JPEG decoded in WASM keeps its pixels as stored and gives its EXIF orientation
   * (`DecodedImage.orientation`), for preprocess / resize to turn only their small result.
   */
  keepOrientation?: boolean;
  /** The whole file's bytes, already read (for its hash): neither read again. */
  bytes?: Uint8Array | undefined;
}

export async function decodeImageBlob(
  blob: Blob,
  options: BrowserDecodeOptions = {},
): Promise<DecodedImage> {
  const limits = { ...DEFAULT_IMAGE_LIMITS, formats: BROWSER_IMAGE_FORMATS, ...options.limits };
  let all = options.bytes;
  const whole = async () => (all ??= await bytesOf(blob)); // read at most once
  const head = all?.subarray(0, HEAD_BYTES) ?? (await bytesOf(blob.slice(0, HEAD_BYTES)));
  let sniff = checkImageBytes(head, limits, blob.size);
  if (sniff.truncated) {
    // The dimensions, or frames still to bound (an animation), lie further in: read the whole
    // file, whose size checkImageBytes has already bounded, and check again before decoding.
    sniff = checkImageBytes(await whole(), limits, blob.size);
  }
  // The header check above has bounded the size before any of this allocates.
  if (sniff.format === 'jpeg' && options.wasmJpeg !== false) {
    const decoded = await jpegViaWasm(await whole(), sniff.jpeg, options.keepOrientation === true);
    if (decoded) return decoded;
  }

  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, {
      imageOrientation: 'from-image',
      premultiplyAlpha: 'none',
      colorSpaceConversion: 'none',
    });
  } catch (e) {
    throw toMumicError(e, `The ${sniff.format} image could not be decoded`);
  }
  try {
    const { width, height } = bitmap;
    if (width * height > limits.maxPixels) {
      throw new MumicError('ImageTooLarge', `The image is ${width}x${height}.`);
    }
    options.onBitmap?.(bitmap);
    const data = (await viaVideoFrame(bitmap)) ?? viaCanvas(bitmap);
    return { width, height, channels: 4, data };
  } catch (e) {
    throw toMumicError(e, 'The decoded image could not be read');
  } finally {
    bitmap.close();
  }
}

/** The JPEG decoded by WASM libjpeg-turbo (turned upright unless kept); undefined where it cannot. */
async function jpegViaWasm(
  bytes: Uint8Array,
  known: JpegInfo | undefined,
  keepOrientation: boolean,
): Promise<DecodedImage | undefined> {
  // The header check's walk, when it reached the frame; else walked here over the whole file.
  const info = known ?? readJpegInfo(bytes);
  if (!info || !wasmDecodable(info)) return undefined;
  try {
    const image = await decodeJpegWasm(bytes);
    if (image.width !== info.width || image.height !== info.height) return undefined;
    if (keepOrientation) {
      // As DecodedImage says: absent when upright (1, or a value outside 1-8, as PIL ignores).
      const turned = info.orientation >= 2 && info.orientation <= 8;
      return turned ? { ...image, orientation: info.orientation } : image;
    }
    return exifTranspose(image, info.orientation);
  } catch {
    return undefined; // corrupt or truncated data: the browser decodes, or names the error
  }
}

async function bytesOf(blob: Blob): Promise<Uint8Array> {
  return new Uint8Array(await blob.arrayBuffer());
}

/**
 * The bitmap's pixels as RGBA in one copy: a VideoFrame wraps the decoded pixels without copying
 * them (Chromium), and copyTo converts its BGRA to RGBA on the way out. Undefined where WebCodecs
 * is missing or refuses (the canvas path then reads them).
 */
async function viaVideoFrame(bitmap: ImageBitmap): Promise<Uint8Array | undefined> {
  if (typeof VideoFrame === 'undefined') return undefined;
  let frame: VideoFrame | undefined;
  try {
    frame = new VideoFrame(bitmap, { timestamp: 0 });
    // An EXIF-oriented bitmap may keep its pixels as stored and the orientation aside (the frame
    // then says rotation or flip): only the canvas draws it upright.
    const { rotation, flip } = frame as { rotation?: number; flip?: boolean };
    const rect = frame.visibleRect;
    if (rotation || flip || rect?.width !== bitmap.width || rect.height !== bitmap.height) {
      return undefined;
    }
    const data = new Uint8Array(bitmap.width * bitmap.height * 4);
    const rgba = frame.format === 'RGBA' || frame.format === 'RGBX';
    // The same colour space as the frame's, so that no conversion but the byte order is made.
    await frame.copyTo(data, rgba ? {} : { format: 'RGBA', colorSpace: 'srgb' });
    return data;
  } catch {
    return undefined;
  } finally {
    frame?.close();
  }
}

function viaCanvas(bitmap: ImageBitmap): Uint8ClampedArray {
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new MumicError('ImageDecodeFailed', 'No 2D canvas is available.');
  ctx.drawImage(bitmap, 0, 0);
  return ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
}

function toMumicError(e: unknown, what: string): MumicError {
  if (e instanceof MumicError) return e;
  // DOMException (InvalidStateError for undecodable data), RangeError for a canvas too large.
  const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return new MumicError('ImageDecodeFailed', `${what} (${detail}).`, { cause: e });
}
