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
 * Where the upright image's axes lie in storage, per EXIF orientation:
 * `swap` when upright x runs along the stored y, `revX` / `revY` when upright x / y runs
 * backwards along its stored axis.
 */
export interface OrientationAxes {
  swap: boolean;
  revX: boolean;
  revY: boolean;
}

const axes = (swap: boolean, revX: boolean, revY: boolean): OrientationAxes => ({
  swap,
  revX,
  revY,
});
const AXES: Record<number, OrientationAxes> = {
  2: axes(false, true, false),
  3: axes(false, true, true),
  4: axes(false, false, true),
  5: axes(true, false, false),
  6: axes(true, true, false),
  7: axes(true, true, true),
  8: axes(true, false, true),
};
const UPRIGHT = axes(false, false, false);

/** The axes for an orientation; upright for 1 and any value outside 2-8. */
export function orientationAxes(orientation: number): OrientationAxes {
  return AXES[orientation] ?? UPRIGHT;
}

/**
 * Where upright pixel (x, y) comes from in the source, as a pixel index origin + x * dx + y * dy
 * (w, h: the source's size). 2 FLIP_LEFT_RIGHT, 3 ROTATE_180, 4 FLIP_TOP_BOTTOM, 5 TRANSPOSE,
 * 6 ROTATE_270, 7 TRANSVERSE, 8 ROTATE_90.
 */
function walkOf(a: OrientationAxes, w: number, h: number): [number, number, number] {
  // Upright x runs along the stored x (or y, swapped), backwards when reversed; y likewise.
  const [xStep, yStep] = a.swap ? [w, 1] : [1, w];
  const [xLast, yLast] = a.swap ? [h - 1, w - 1] : [w - 1, h - 1];
  const origin = (a.revX ? xLast * xStep : 0) + (a.revY ? yLast * yStep : 0);
  return [origin, a.revX ? -xStep : xStep, a.revY ? -yStep : yStep];
}

/** The image upright; the same object for orientation 1 or any value outside 2-8. */
export function exifTranspose<I extends Pixels>(image: I, orientation: number): I {
  const axes = orientationAxes(orientation);
  if (axes === UPRIGHT) return image;
  const { width: w, height: h, channels: c, data } = image;
  const ow = axes.swap ? h : w;
  const oh = axes.swap ? w : h;
  const [origin, dx, dy] = walkOf(axes, w, h);
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
  return orientationAxes(image.orientation ?? 1).swap
    ? { width: image.height, height: image.width }
    : { width: image.width, height: image.height };
}
