/**
 * EXIF orientation applied to decoded pixels exactly as PIL's ImageOps.exif_transpose does: a
 * pure permutation of the pixels (flip, rotation or transposition), no resampling.
 */
import type { DecodedImage } from './types.ts';

/** Interleaved 8-bit pixels (DecodedImage, resize's Pixels8). */
interface Pixels {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array | Uint8ClampedArray;
}

/**
 * For each orientation, where output pixel (x, y) comes from in the source, as pixel indices:
 * origin + x * dx + y * dy, with the source's width w and height h. 2 FLIP_LEFT_RIGHT,
 * 3 ROTATE_180, 4 FLIP_TOP_BOTTOM, 5 TRANSPOSE, 6 ROTATE_270, 7 TRANSVERSE, 8 ROTATE_90.
 */
const WALKS: Record<number, (w: number, h: number) => [number, number, number]> = {
  2: (w) => [w - 1, -1, w],
  3: (w, h) => [(h - 1) * w + w - 1, -1, -w],
  4: (w, h) => [(h - 1) * w, 1, -w],
  5: (w) => [0, w, 1],
  6: (w, h) => [(h - 1) * w, -w, 1],
  7: (w, h) => [(h - 1) * w + w - 1, -w, -1],
  8: (w) => [w - 1, w, -1],
};

/** The image upright; the same object for orientation 1 or any value outside 2-8. */
export function exifTranspose<I extends Pixels>(image: I, orientation: number): I {
  const walk = WALKS[orientation];
  if (!walk) return image;
  const { width: w, height: h, channels: c, data } = image;
  const swap = orientation >= 5;
  const ow = swap ? h : w;
  const oh = swap ? w : h;
  const [origin, dx, dy] = walk(w, h);
  const out = new Uint8Array(data.length);
  // Gray and RGB (what the WASM JPEG decoder gives) unrolled: a 12 MP photo is 36 M byte moves.
  if (c === 1) {
    for (let y = 0, o = 0; y < oh; y++) {
      for (let x = 0, s = origin + y * dy; x < ow; x++, s += dx) out[o++] = data[s] as number;
    }
  } else if (c === 3) {
    const step = dx * 3;
    for (let y = 0, o = 0; y < oh; y++) {
      for (let x = 0, s = (origin + y * dy) * 3; x < ow; x++, s += step, o += 3) {
        out[o] = data[s] as number;
        out[o + 1] = data[s + 1] as number;
        out[o + 2] = data[s + 2] as number;
      }
    }
  } else {
    for (let y = 0, o = 0; y < oh; y++) {
      for (let x = 0, s = (origin + y * dy) * c; x < ow; x++, s += dx * c) {
        for (let k = 0; k < c; k++) out[o++] = data[s + k] as number;
      }
    }
  }
  // Only the channel count is carried over, so the type of the input's `channels` still holds.
  return { width: ow, height: oh, channels: c, data: out } as I;
}

/** The pixels upright: an image whose EXIF orientation was left to apply (types.ts), turned. */
export function upright(image: DecodedImage): DecodedImage {
  return image.orientation === undefined ? image : exifTranspose(image, image.orientation);
}

/** The size of the image once upright. */
export function uprightSize(image: DecodedImage): { width: number; height: number } {
  const o = image.orientation ?? 1;
  return o >= 5 && o <= 8
    ? { width: image.height, height: image.width }
    : { width: image.width, height: image.height };
}
