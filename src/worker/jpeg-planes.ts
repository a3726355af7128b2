/**
 * A 4:2:0, 4:2:2 or 4:4:4 JPEG (nearly every camera and phone photo) decoded by the browser's own
 * libjpeg-turbo through WebCodecs' `ImageDecoder`: native code with its SIMD, on a Chromium pool
 * thread, which hands back the YCbCr planes before upsampling (`I420`, `I422`, `I444` frames). The last
 * two steps of libjpeg's decode then run here exactly as libjpeg-turbo runs them
 * (core/ycc-rgb.ts), so the RGB bytes are PIL's. On a 12 MP photo this costs about a third of the
 * CPU of decoding it with libjpeg-turbo in WebAssembly (docs/PERFORMANCE.md). Anything else
 * (another layout or frame format, a partial or failed decode, no WebCodecs, no WebAssembly
 * SIMD) gives undefined, and the caller decodes the file as before.
 */
import { toHex } from '../core/cache-keys.ts';
import { planeFormat, readJpegInfo, type JpegInfo } from '../core/jpeg-info.ts';
import type { DecodedImage } from '../core/types.ts';
import { YccKernels, type YccFormat } from '../core/ycc-rgb.ts';

/** Small images gain nothing here (the WASM decoder is as quick on them). */
const MIN_SIDE = 16;
/**
 * A converter whose memory grew past this is not kept for the next photo: about 4.5 bytes a pixel
 * (planes and RGB), so photos up to 24 MP reuse one; a panorama's is let go.
 */
const KEEP_BYTES = 112 * 1024 * 1024;
/** The kept converter is let go after this long without a JPEG (a library being browsed). */
const IDLE_MS = 30_000;
let idleTimer: ReturnType<typeof setTimeout> | undefined;

/**
 * A 24 x 20 JPEG of noise (4:2:0, quality 75), and the SHA-256 of the RGB libjpeg-turbo gives for
 * it with PIL's settings (islow IDCT, fancy upsampling; tests/unit/jpeg-planes-check.test.ts checks
 * it against sharp). A browser whose decoder runs otherwise (the fast IDCT, as Chromium once did
 * on Android) gives other bytes, and then this path stays off in that worker.
 */
export const CHECK_JPEG = [
  '/9j/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgy',
  'PC4zNDL/2wBDAQkJCQwLDBgNDRgyIRwhMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIy',
  'MjIyMjIyMjL/wAARCAAUABgDASIAAhEBAxEB/8QAFwABAQEBAAAAAAAAAAAAAAAAAAMEBf/EACQQAAICAgICAQUB',
  'AAAAAAAAAAECAxEEEgAhBRMxBhQiMkEj/8QAGQEAAgMBAAAAAAAAAAAAAAAAAQQAAgMF/8QAJhEAAQIGAAUFAAAA',
  'AAAAAAAAAQIRAAMSITFRBCJBYbFxgZGywf/aAAwDAQACEQMRAD8Ak+bNliPIkxnOokknhhR1ljjGsjglmCkltQQ1',
  'qAw6vZeaMSPJjbLzI4/XM8iuHZAwbZdlYGyxYIWBW16J6bkx5AeFmngxokppmMkhkUvQKggFQAyhbYEgkWa+LNRk',
  'PL4+F8eSeGWEzJIYYWKRSuCv+hBUqwQjsL2QRtXBMXMDkDlPXtnWHt1q30IJSlFKmvf1y2xoDL4AIjDDBj53kGx8',
  'jHTRYjavcm4AWitOzHZi5B2JIUHu245eIxN4Yyo0cyq5gRctWjQp6wSWA/ZwaIBJNgEU125rLWVEm+rHXz+RJiyh',
  'VJlKWzB7aF7pJD2zqL4scJ+m8rOWBEyFiyHRkLAIfSzHUXQJ+C37USL5b7RUiyp/Y5kM+XiOTX5xp1RFf0RgGquz',
  '/e+OOIiYtyHxT4i5JE1Chkkv3xHIaYJk+U9cMKmWYgnQMyhNiNWaypJAJIN330e+OOOdLghVVVfHiG+IAE5Xt9RH',
  '/9k=',
].join('');
export const CHECK_RGB_SHA256 = 'fc4ba58ad88c2cf9d5b8a45eb212362c531cd83da3db37fd295f4591a014f7ce';
let trusted: Promise<boolean> | undefined;

/** Whether this browser's planes give libjpeg-turbo's bytes: checked once per worker. */
function planesTrusted(): Promise<boolean> {
  trusted ??= (async () => {
    const bytes = Uint8Array.from(atob(CHECK_JPEG), (c) => c.charCodeAt(0));
    const info = readJpegInfo(bytes);
    const rgb = info && (await rgbOfPlanes(bytes, info, 'I420', (image) => image.data.slice()));
    return rgb
      ? toHex(await crypto.subtle.digest('SHA-256', rgb.value)) === CHECK_RGB_SHA256
      : false;
  })().catch(() => false);
  return trusted;
}

/**
 * Decodes from the browser's planes and hands the RGB to `use` at once: a view of the converter's
 * memory, valid only during that (synchronous) call, so a 12 MP photo makes no 36 MB array.
 * Undefined where this path cannot decode the file; errors of `use` itself propagate. The decoder
 * takes `bytes` when they span their whole buffer (detached after the call, whatever it returns).
 */
export async function decodeJpegPlanes<T>(
  bytes: Uint8Array,
  info: JpegInfo,
  use: (image: DecodedImage) => T,
): Promise<{ value: T } | undefined> {
  const format = planeFormat(info);
  if (!format || info.width < MIN_SIDE || info.height < MIN_SIDE) return undefined;
  if (typeof ImageDecoder === 'undefined' || !(await planesTrusted())) return undefined;
  return rgbOfPlanes(bytes, info, format, use);
}

/** The planes decoded, then converted in this worker's turn; undefined where they cannot be. */
async function rgbOfPlanes<T>(
  bytes: Uint8Array,
  { width, height }: JpegInfo,
  format: YccFormat,
  use: (image: DecodedImage) => T,
): Promise<{ value: T } | undefined> {
  let decoder: ImageDecoder | undefined;
  let frame: VideoFrame | undefined;
  let complete: boolean;
  try {
    try {
      // No colour management: PIL ignores ICC profiles. The decoder takes the bytes where they
      // are a whole buffer of their own (copying 4 MB cost this thread about 14 ms).
      const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
      const transfer = own && bytes.buffer instanceof ArrayBuffer ? [bytes.buffer] : [];
      const init = { data: bytes, type: 'image/jpeg', colorSpaceConversion: 'none' } as const;
      decoder = new ImageDecoder({ ...init, transfer });
      ({ image: frame, complete } = await decoder.decode({
        frameIndex: 0,
        completeFramesOnly: true,
      }));
    } catch {
      return undefined; // undecodable here: libjpeg in WebAssembly, then the browser, try as before
    }
    const decoded = frame;
    const rect = decoded.visibleRect;
    const whole = rect?.x === 0 && rect.y === 0 && rect.width === width && rect.height === height;
    if (!complete || decoded.format !== format || !whole) return undefined;
    // The decode above overlaps other photos' (a worker has two in hand); the conversion takes
    // its turn with the worker's one converter.
    return await YccKernels.inTurn(KEEP_BYTES, async (kernels) => {
      let data: Uint8Array;
      try {
        const [y, cb, cr, ...more] = await decoded.copyTo(kernels.planes(decoded.allocationSize()));
        if (!y || !cb || !cr || more.length > 0) return undefined;
        data = kernels.toRgbView({ format, width, height, layout: [y, cb, cr] });
      } catch {
        return undefined; // no memory to grow into, say: the next decoder tries
      }
      return { value: use({ width, height, channels: 3, data }) };
    }).finally(() => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => YccKernels.dropIdle(), IDLE_MS);
    });
  } finally {
    frame?.close();
    decoder?.close();
  }
}
