/**
 * Image decoding in a web worker. A 4:2:0, 4:2:2 or 4:4:4 JPEG (nearly every photo) is decoded by the
 * browser's own libjpeg-turbo to YCbCr planes, converted to RGB here as libjpeg does
 * (jpeg-planes.ts); any other 8-bit Huffman-coded JPEG, or one that path refuses, by libjpeg-turbo
 * in WebAssembly (jpeg-wasm.ts), to RGB or gray; either way with its EXIF orientation applied to
 * the pixels as PIL does (or kept, see `keepOrientation`). Everything else, and any JPEG that decoder
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
import { decodeJpegPlanes } from './jpeg-planes.ts';
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
  /** False: JPEGs skip the browser's planes and go to libjpeg in WebAssembly (benchmarks). */
  jpegPlanes?: boolean;
  /**
   * True: a JPEG decoded in WASM keeps its pixels as stored and gives its EXIF orientation
   * (`DecodedImage.orientation`), for preprocess / resize to turn only their small result.
   */
  keepOrientation?: boolean;
  /**
   * The whole file's bytes, already read (for its hash): not read again, unless the browser's JPEG
   * decoder took them (their buffer is then detached: the caller must not need them after the
   * call) and then refused the file.
   */
  bytes?: Uint8Array | undefined;
}

/** Decodes a file to pixels of its own (see `decodeImageWith` to skip a full-size copy). */
export function decodeImageBlob(
  blob: Blob,
  options: BrowserDecodeOptions = {},
): Promise<DecodedImage> {
  return decode(blob, options, (image, borrowed) => (borrowed ? ownPixels(image) : image));
}

/**
 * Decodes a file and hands its pixels to `use` at once, synchronously. When `borrowed`, they are
 * a view of a decoder's memory, valid only during that call (a JPEG from the browser's planes:
 * no 36 MB array made for a 12 MP photo): `use` keeps what it derives (a resize), or a copy,
 * and must not await before it has read them (an async `use` would see them reused).
 */
export function decodeImageWith<T>(
  blob: Blob,
  options: BrowserDecodeOptions,
  use: (image: DecodedImage, borrowed: boolean) => T,
): Promise<T> {
  return decode(blob, options, use);
}

/** The image with a copy of its pixels. */
export const ownPixels = (image: DecodedImage): DecodedImage => ({
  ...image,
  data: image.data.slice(),
});

async function decode<T>(
  blob: Blob,
  options: BrowserDecodeOptions,
  use: (image: DecodedImage, borrowed: boolean) => T,
): Promise<T> {
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
    const reread = () => bytesOf(blob);
    const decoded = await jpegOwnDecode(await whole(), reread, sniff.jpeg, options, use);
    if (decoded) return decoded.value;
  }

  let bitmap: ImageBitmap;
  let image: DecodedImage;
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
    image = { width, height, channels: 4, data };
  } catch (e) {
    throw toMumicError(e, 'The decoded image could not be read');
  } finally {
    bitmap.close();
  }
  return use(image, false); // outside the try: an error of `use` is its own, not a decode failure
}

/**
 * The JPEG decoded to PIL's pixels, from the browser's planes or by WASM libjpeg-turbo (turned
 * upright unless kept), given to `use`; undefined where neither decoder can.
 */
async function jpegOwnDecode<T>(
  bytes: Uint8Array,
  reread: () => Promise<Uint8Array>,
  known: JpegInfo | undefined,
  options: BrowserDecodeOptions,
  use: (image: DecodedImage, borrowed: boolean) => T,
): Promise<{ value: T } | undefined> {
  // The header check's walk, when it reached the frame; else walked here over the whole file.
  const info = known ?? readJpegInfo(bytes);
  if (!info || !wasmDecodable(info)) return undefined;
  const oriented = (image: DecodedImage): DecodedImage => {
    if (options.keepOrientation !== true) return exifTranspose(image, info.orientation);
    // As DecodedImage says: absent when upright (1, or a value outside 1-8, as PIL ignores).
    const turned = info.orientation >= 2 && info.orientation <= 8;
    return turned ? { ...image, orientation: info.orientation } : image;
  };
  if (options.jpegPlanes !== false) {
    const done = await decodeJpegPlanes(bytes, info, (view) => {
      const image = oriented(view);
      return use(image, image.data.buffer === view.data.buffer); // turned: a copy already
    });
    if (done) return done;
  }
  let image: DecodedImage;
  try {
    // The planes' decoder may have taken the bytes (detached): read again, as rarely as it fails.
    image = await decodeJpegWasm(bytes.byteLength > 0 ? bytes : await reread());
  } catch {
    return undefined; // corrupt or truncated data: the browser decodes, or names the error
  }
  if (image.width !== info.width || image.height !== info.height) return undefined;
  return { value: use(oriented(image), false) };
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
