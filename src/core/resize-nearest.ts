/**
 * Pillow's NEAREST resize (`Image.resize(size, 0)`), which does not go through ImagingResample:
 * `_resize` in _imaging.c turns it into an affine transform with scale (in / out), and
 * ImagingScaleAffine (Geometry.c) picks source column `int(xo)` where `xo` starts at half a step
 * and is advanced by repeated addition of the step, in doubles, as here.
 */
import type { Pixels8, Region } from './resize.ts';

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

/** Nearest-neighbour resize of the `region` of a `width` x `height` result, first `outC` channels. */
export function resizeNearest(
  src: Pixels8,
  width: number,
  height: number,
  outC: number,
  region: Region,
): Pixels8 {
  const xs = sourceIndex(src.width, width);
  const ys = sourceIndex(src.height, height);
  const inC = src.channels;
  const out = new Uint8Array(region.width * region.height * outC);
  let p = 0;
  for (let y = region.top; y < region.top + region.height; y++) {
    const row = (ys[y] ?? 0) * src.width * inC;
    for (let x = region.left; x < region.left + region.width; x++) {
      const s = row + (xs[x] ?? 0) * inC;
      for (let c = 0; c < outC; c++) out[p++] = src.data[s + c] ?? 0;
    }
  }
  return { width: region.width, height: region.height, channels: outC, data: out };
}
