// Per-stage wall time of preparing one photo in a worker, each stage alone and in sequence (so
// each one's time is about its CPU on one thread; the decoder's runs on Chromium's pool): the
// way the app prepared photos before issue 16's browser work, the bitmap path it took next, and
// the WASM libjpeg-turbo decode it took next for JPEGs (checked byte for byte against the bitmap),
// and the browser's YCbCr planes converted as libjpeg does (session 11; checked against WASM).
import { parseImageProcessorConfig } from '../../src/core/preprocess-config.ts';
import { exifTranspose } from '../../src/core/exif-transpose.ts';
import { readJpegInfo } from '../../src/core/jpeg-info.ts';
import { preprocess } from '../../src/core/preprocess.ts';
import type { DecodedImage } from '../../src/core/types.ts';
import { decodeImageBlob, decodeImageWith } from '../../src/worker/decode-browser.ts';
import { makeThumbnail, sha256Hex, thumbnailOfBitmap } from '../../src/worker/image-tools.ts';
import { decodeJpegPlanes } from '../../src/worker/jpeg-planes.ts';
import { decodeJpegWasm } from '../../src/worker/jpeg-wasm.ts';
import { resizedWhole, thumbnailSource } from '../../src/worker/prepare-protocol.ts';
import { encodeWebpNow, warmWebpWasm } from '../../src/worker/webp-wasm.ts';

const processor = parseImageProcessorConfig({
  do_resize: true,
  size: { shortest_edge: 224 },
  resample: 3,
  do_center_crop: true,
  crop_size: { height: 224, width: 224 },
  image_mean: [0.48145466, 0.4578275, 0.40821073],
  image_std: [0.26862954, 0.26130258, 0.27577711],
});
/** A squashing processor, as SigLIP's (a fixed 224 x 224, no crop). */
const squash = parseImageProcessorConfig({
  do_resize: true,
  size: { height: 224, width: 224 },
  resample: 2,
  do_center_crop: false,
  image_mean: [0.5, 0.5, 0.5],
  image_std: [0.5, 0.5, 0.5],
});
const OPTIONS: ImageBitmapOptions = {
  imageOrientation: 'from-image',
  premultiplyAlpha: 'none',
  colorSpaceConversion: 'none',
};

type Times = Record<string, number>;

async function timed<T>(times: Times, name: string, work: () => Promise<T> | T): Promise<T> {
  const t = performance.now();
  const out = await work();
  times[name] = (times[name] ?? 0) + performance.now() - t;
  return out;
}

function canvasRead(bitmap: ImageBitmap): Uint8ClampedArray {
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d', {
    willReadFrequently: true,
  }) as OffscreenCanvasRenderingContext2D;
  ctx.drawImage(bitmap, 0, 0);
  return ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
}

async function frameRead(bitmap: ImageBitmap): Promise<{ data: Uint8Array; format: string }> {
  const frame = new VideoFrame(bitmap, { timestamp: 0 });
  const data = new Uint8Array(bitmap.width * bitmap.height * 4);
  const format = String(frame.format);
  await frame.copyTo(data, { format: 'RGBA', colorSpace: 'srgb' });
  frame.close();
  return { data, format };
}

/** Bytes differing in R, G, B between an RGBA buffer and a decoded image (gray, RGB or RGBA). */
function differingFrom(rgba: ArrayLike<number>, image: DecodedImage): number {
  let n = 0;
  const c = image.channels;
  for (let p = 0; p < image.width * image.height; p++) {
    for (let k = 0; k < 3; k++) {
      if (rgba[p * 4 + k] !== image.data[p * c + (c === 1 ? 0 : k)]) n++;
    }
  }
  return n;
}

/** Bytes differing between two buffers (a length mismatch counts as all). */
function differingBytes(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.max(a.length, b.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

/** Bytes differing in R, G, B between two RGBA buffers. */
function differing(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (i % 4 !== 3 && a[i] !== b[i]) n++;
  return n;
}

/** A squashing processor's photo (SigLIP): before session 11, then now (prepare-protocol.ts). */
async function squashStages(times: Times, raw: DecodedImage): Promise<void> {
  await timed(times, 'squash, before: copy, thumbnail from full size, preprocess', async () => {
    const own = { ...raw, data: raw.data.slice() };
    await makeThumbnail(own);
    preprocess(own, squash);
  });
  await timed(times, 'squash, now: whole resize, thumbnail scaled apart, preprocess', async () => {
    const small = resizedWhole(raw, squash);
    await makeThumbnail(thumbnailSource(raw));
    preprocess(small, squash);
  });
}

/** The planes path's parts: the browser's decode (pool thread), the planes' copy. */
async function planeStages(times: Times, bytes: Uint8Array): Promise<void> {
  if (typeof ImageDecoder === 'undefined') return;
  const decoder = new ImageDecoder({
    data: bytes,
    type: 'image/jpeg',
    colorSpaceConversion: 'none',
  });
  const { image } = await timed(times, 'planes: ImageDecoder decode (pool thread)', () =>
    decoder.decode(),
  );
  const out = new Uint8Array(image.allocationSize());
  await timed(times, 'planes: VideoFrame copyTo (YCbCr planes)', () => image.copyTo(out));
  image.close();
  decoder.close();
}

self.onmessage = async ({ data: blobs }: MessageEvent<Blob[]>) => {
  // The thumbnail encoder started untimed, as the app starts it beside the model's load, and
  // run a few times: in the app's long-lived workers its code is soon optimised (V8 tiers
  // WebAssembly up from its baseline compiler as it runs), in this round's new worker not yet.
  if (!(await warmWebpWasm())) throw new Error('the WASM WebP encoder did not start');
  const noise = new Uint8ClampedArray(299 * 224 * 4).map((_, i) => (i * 2654435761) >>> 24);
  for (let i = 0; i < 20; i++) encodeWebpNow(299, 224, () => noise);
  const times: Times = {};
  const notes: string[] = [];
  for (const blob of blobs) {
    await timed(times, 'file read (arrayBuffer)', () => blob.arrayBuffer());
    await timed(times, 'SHA-256 (read + digest)', () => sha256Hex(blob));
    const bitmap = await timed(times, 'decode: createImageBitmap', () =>
      createImageBitmap(blob, OPTIONS),
    );
    const old = await timed(times, 'before: canvas draw + getImageData', () => canvasRead(bitmap));
    const now = await timed(times, 'now: VideoFrame copyTo RGBA', () => frameRead(bitmap));
    await timed(times, 'VideoFrame copyTo, its own format', async () => {
      const frame = new VideoFrame(bitmap, { timestamp: 0 });
      const data = new Uint8Array(bitmap.width * bitmap.height * 4);
      await frame.copyTo(data);
      frame.close();
    });
    const diff = differing(old, now.data);
    const bytes = new Uint8Array(await blob.arrayBuffer());
    const raw = await timed(times, 'WASM libjpeg-turbo: decode bytes to RGB', () =>
      decodeJpegWasm(bytes),
    );
    const orientation = readJpegInfo(bytes)?.orientation ?? 1;
    const upright = exifTranspose(raw, orientation);
    // What a photo stored sideways (orientation 6, portrait phone photos) costs on top.
    const turned = await timed(times, 'WASM: EXIF transpose as for orientation 6', () =>
      exifTranspose(raw, 6),
    );
    // The same photo resized after that transpose, or as stored with only the result turned.
    const before = await timed(times, 'sideways, before: resize whole the transposed RGB', () =>
      resizedWhole(turned, processor),
    );
    const after = await timed(times, 'sideways, now: resize whole as stored (no transpose)', () =>
      resizedWhole({ ...raw, orientation: 6 }, processor),
    );
    const same = before.data.every((v, i) => v === after.data[i]);
    notes.push(`sideways: ${same ? 'the same bytes' : 'DIFFERENT bytes'} both ways`);
    const wasmDiff =
      upright.width === bitmap.width && upright.height === bitmap.height
        ? String(differingFrom(old, upright))
        : `size ${upright.width}x${upright.height}`;
    notes.push(
      `${bitmap.width}x${bitmap.height} frame ${now.format}: ${diff} bytes differ; ` +
        `WASM (${raw.channels} channels, orientation ${orientation}) against the canvas: ${wasmDiff}`,
    );
    await timed(times, 'before: thumbnail from the bitmap (its scaling, then WASM WebP)', () =>
      thumbnailOfBitmap(bitmap),
    );
    const full = {
      width: bitmap.width,
      height: bitmap.height,
      channels: 4 as const,
      data: now.data,
    };
    bitmap.close();
    await timed(times, 'before: preprocess (resize crop + normalise)', () =>
      preprocess(full, processor),
    );
    const small = await timed(times, 'now: resize whole (PIL-exact)', () =>
      resizedWhole(full, processor),
    );
    await timed(times, 'now: preprocess the small image', () => preprocess(small, processor));
    const webp = await timed(times, 'now: thumbnail from the small image (WebP, WASM)', () =>
      makeThumbnail(small),
    );
    // The same thumbnail by the canvas's own WebP encoder (before session 14), and as JPEG:
    // cheaper to encode, larger to keep (not taken; session 12).
    const canvasWebp = await timed(times, "before: the same thumbnail, canvas's WebP", () =>
      canvasEncode(small, 'image/webp'),
    );
    const jpeg = await timed(times, 'the same thumbnail as JPEG (not used)', () =>
      canvasEncode(small, 'image/jpeg'),
    );
    const kb = (b: Blob | undefined) => `${((b?.size ?? 0) / 1024).toFixed(1)} KB`;
    notes.push(
      `thumbnail ${small.width}x${small.height}: JPEG ${kb(jpeg)}, WebP ${kb(webp)} (canvas ${kb(canvasWebp)})`,
    );
    await timed(times, 'app before: decodeImageBlob, bitmap path', () =>
      decodeImageBlob(blob, { wasmJpeg: false }),
    );
    const wasmWhole = await timed(
      times,
      'app, session 10: decodeImageBlob (read, WASM decode)',
      () => decodeImageBlob(blob, { jpegPlanes: false }),
    );
    await timed(times, 'now: resize whole from the WASM RGB', () =>
      resizedWhole(wasmWhole, processor),
    );
    await planeStages(times, bytes);
    await squashStages(times, raw);
    const info = readJpegInfo(bytes);
    const taken = bytes.slice(); // the decoder takes its bytes (detaches them)
    const planes = info
      ? await timed(times, 'planes: decodeJpegPlanes (decode, convert)', () =>
          decodeJpegPlanes(taken, info, (image) => differingBytes(image.data, raw.data)),
        )
      : undefined;
    notes.push(planes ? `planes against WASM: ${planes.value} bytes differ` : 'planes: not taken');
    await timed(times, 'app now: decodeImageBlob (read, planes, own copy)', () =>
      decodeImageBlob(blob),
    );
    await timed(times, 'app now: decode (planes, borrowed) + resize whole', () =>
      decodeImageWith(blob, {}, (image) => resizedWhole(image, processor)),
    );
  }
  self.postMessage({ times, notes });
};

/** An RGB or gray image encoded by the canvas (quality 0.8, as makeThumbnail's WebP). */
async function canvasEncode(image: DecodedImage, type: string): Promise<Blob> {
  const { width, height, channels, data } = image;
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0, p = 0; i < width * height; i++, p += channels) {
    rgba[i * 4] = data[p] ?? 0;
    rgba[i * 4 + 1] = data[channels === 1 ? p : p + 1] ?? 0;
    rgba[i * 4 + 2] = data[channels === 1 ? p : p + 2] ?? 0;
    rgba[i * 4 + 3] = 255;
  }
  const bitmap = await createImageBitmap(new ImageData(rgba, width, height));
  const canvas = new OffscreenCanvas(width, height);
  canvas.getContext('2d')?.drawImage(bitmap, 0, 0);
  bitmap.close();
  return canvas.convertToBlob({ type, quality: 0.8 });
}
