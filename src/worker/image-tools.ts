// Content hashing and thumbnails, in the worker.
import { toHex, type ContentHash } from '../core/cache-keys.ts';
import type { DecodedImage } from '../core/types.ts';
import { encodeWebpNow } from './webp-wasm.ts';

/** SHA-256 of a file's bytes (or of bytes already read), lower-case hex. */
export async function sha256Hex(file: Blob | Uint8Array<ArrayBuffer>): Promise<ContentHash> {
  const bytes = file instanceof Blob ? await file.arrayBuffer() : file;
  return toHex(await crypto.subtle.digest('SHA-256', bytes));
}

/**
 * Longest edge of a thumbnail, in pixels (2x the grid's tile for sharp high-DPI display). A photo
 * the model's processor shrinks gets its thumbnail from the processor's resized image instead
 * (prepare-protocol.ts: shortest edge 224 for CLIP, no second full-size pass), capped the same.
 */
export const THUMBNAIL_EDGE = 320;

/** The thumbnail's size for an image: longest edge THUMBNAIL_EDGE, never enlarged. */
export function thumbnailSize(width: number, height: number): { w: number; h: number } {
  const scale = Math.min(1, THUMBNAIL_EDGE / Math.max(width, height));
  return {
    w: Math.max(1, Math.round(width * scale)),
    h: Math.max(1, Math.round(height * scale)),
  };
}

/** The canvas's pixels by the WASM encoder; undefined (the canvas encodes) if it cannot. */
function wasmOf(ctx: OffscreenCanvasRenderingContext2D): Blob | undefined {
  const { width, height } = ctx.canvas;
  try {
    // Read back only for an encoder that has started.
    return encodeWebpNow(width, height, () => ctx.getImageData(0, 0, width, height).data);
  } catch {
    return undefined;
  }
}

/** Encodes a bitmap (already at thumbnail size) as WebP, and closes it. */
async function encodeThumbnail(bitmap: ImageBitmap): Promise<Blob | undefined> {
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d');
    if (!ctx) return undefined;
    ctx.drawImage(bitmap, 0, 0);
    return wasmOf(ctx) ?? (await canvas.convertToBlob({ type: 'image/webp', quality: 0.8 }));
  } finally {
    bitmap.close();
  }
}

/**
 * A thumbnail straight from the decoded bitmap (before it is read back as bytes): the scaling
 * reads it where it is, instead of uploading a copy of the full-size RGBA (48 MB at 12 MP).
 * Call it before the bitmap is closed; the scaled copy is taken at once.
 */
export function thumbnailOfBitmap(bitmap: ImageBitmap): Promise<Blob | undefined> {
  if (bitmap.width === 0 || bitmap.height === 0) return Promise.resolve(undefined);
  const { w, h } = thumbnailSize(bitmap.width, bitmap.height);
  return createImageBitmap(bitmap, { resizeWidth: w, resizeHeight: h, resizeQuality: 'medium' })
    .then(encodeThumbnail)
    .catch(() => undefined);
}

/** A small WebP of a decoded (upright) image; undefined if the browser cannot make one. */
export async function makeThumbnail(image: DecodedImage): Promise<Blob | undefined> {
  const { width, height } = image;
  if (width === 0 || height === 0) return undefined;
  const { w, h } = thumbnailSize(width, height);
  let rgba: Uint8ClampedArray<ArrayBuffer>;
  if (image.channels === 4) {
    rgba = new Uint8ClampedArray(
      image.data.buffer as ArrayBuffer,
      image.data.byteOffset,
      image.data.byteLength,
    );
  } else {
    rgba = new Uint8ClampedArray(width * height * 4);
    const c = image.channels;
    for (let i = 0, p = 0; i < width * height; i++, p += c) {
      rgba[i * 4] = image.data[p] ?? 0;
      rgba[i * 4 + 1] = image.data[c === 1 ? p : p + 1] ?? 0;
      rgba[i * 4 + 2] = image.data[c === 1 ? p : p + 2] ?? 0;
      rgba[i * 4 + 3] = 255;
    }
  }
  // Already at its size (the processor's resized image): encoded as it is, before any await
  // (four-channel pixels are the caller's).
  const made = w === width && h === height ? encodeWebpNow(width, height, () => rgba) : undefined;
  if (made) return made;
  const bitmap = await createImageBitmap(new ImageData(rgba, width, height), {
    resizeWidth: w,
    resizeHeight: h,
    resizeQuality: 'medium',
    premultiplyAlpha: 'none',
  });
  return encodeThumbnail(bitmap);
}
