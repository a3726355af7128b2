/**
 * Pillow's NEAREST resize (`Image.resize(size, 0)`), which does not go through ImagingResample:
 * `_resize` in _imaging.c turns it into an affine transform with scale (in / out), and
 * ImagingScaleAffine (Geometry.c) picks source column `int(xo)` where `xo` starts at half a step
 * and is advanced by repeated addition of the step, in doubles, as here.
 */
import type { Pixels8, Region } from './resize.ts';
import type { OrientationAxes } from './exif-transpose.ts';

export const NEAREST = 0;

/** Source index per output index along one axis, as ImagingScaleAffine's xintab. */
function sourceIndex(inSize: number, outSize: number): Int32Array {
  const step = inSize / outSize;
  const table = new Int32Array(outSize);
  let o = step * 0.5;
  for (let i = 0; i < outSize; i++) {
    // COORD(v): negative coordinates are outside (never here: o >= step / 2 > 0).
    table[i] = Math.min(inSize - 1, Math.trunc(o));
    o += step;
  }
  return table;
}

/**
 * Byte offset in the stored pixels of each index along one upright axis: its source index
 * (`sourceIndex` of the upright sizes), read backwards if `reversed`, times the stored step.
 */
function offsets(inSize: number, outSize: number, reversed: boolean, step: number): Int32Array {
  const table = sourceIndex(inSize, outSize);
  for (let i = 0; i < outSize; i++) {
    const s = table[i] as number;
    table[i] = (reversed ? inSize - 1 - s : s) * step;
  }
  return table;
}

/**
 * Nearest-neighbour resize of the `region` of a `width` x `height` result, first `outC` channels.
 * With `axes` of an EXIF orientation, `src` is as stored and the result that of the upright image:
 * a pure selection, so each output pixel is read straight from where it is stored.
 */
export function resizeNearest(
  src: Pixels8,
  width: number,
  height: number,
  outC: number,
  region: Region,
  axes: OrientationAxes,
): Pixels8 {
  const inC = src.channels;
  const rowStep = src.width * inC;
  const [uw, uh] = axes.swap ? [src.height, src.width] : [src.width, src.height];
  const xs = offsets(uw, width, axes.revX, axes.swap ? rowStep : inC);
  const ys = offsets(uh, height, axes.revY, axes.swap ? inC : rowStep);
  const out = new Uint8Array(region.width * region.height * outC);
  let p = 0;
  for (let y = region.top; y < region.top + region.height; y++) {
    const row = ys[y] as number;
    for (let x = region.left; x < region.left + region.width; x++) {
      const s = row + (xs[x] as number);
      for (let c = 0; c < outC; c++) out[p++] = src.data[s + c] ?? 0;
    }
  }
  return { width: region.width, height: region.height, channels: outC, data: out };
}
