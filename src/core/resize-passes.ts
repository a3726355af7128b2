/**
 * The two resampling passes of Pillow's ImagingResample in JavaScript (resize.ts plans them; the
 * WebAssembly SIMD kernels in resize-wasm.ts do the same arithmetic for RGB), and the block copy
 * used along an axis that keeps its size.
 */
import type { Coefficients } from './resize.ts';

/** 8 bits for the result, 2 for overflow and sign: Pillow's PRECISION_BITS. */
export const PRECISION_BITS = 32 - 8 - 2;
const HALF = 1 << (PRECISION_BITS - 1);

const clip8 = (ss: number): number => {
  const v = ss >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
};

export function copyBlock(
  d: Uint8Array,
  srcW: number,
  inC: number,
  left: number,
  top: number,
  w: number,
  h: number,
  outC: number,
): Uint8Array {
  const out = new Uint8Array(w * h * outC);
  if (inC === outC) {
    const rowLen = w * inC;
    for (let y = 0; y < h; y++) {
      const p = ((top + y) * srcW + left) * inC;
      out.set(d.subarray(p, p + rowLen), y * rowLen);
    }
    return out;
  }
  let o = 0;
  for (let y = 0; y < h; y++) {
    let p = ((top + y) * srcW + left) * inC;
    for (let x = 0; x < w; x++, p += inC) {
      for (let c = 0; c < outC; c++) out[o++] = d[p + c] as number;
    }
  }
  return out;
}

/* The passes below are the hot loops. `| 0` keeps V8 on int32 arithmetic (the same wrap-around
   as Pillow's int accumulators); `as number` instead of `?? 0` on typed-array reads, which are
   in bounds by construction; and the common channel counts get their own loops. */

export function horizontalPass(
  d: Uint8Array,
  srcW: number,
  inC: number,
  row0: number,
  rows: number,
  co: Coefficients,
  outC: number,
  out: Uint8Array,
): void {
  const { ksize, start, count, k } = co;
  const outW = start.length;
  const inStride = srcW * inC;
  // Byte offset of each output column's first tap within a row.
  const first = new Int32Array(outW);
  for (let i = 0; i < outW; i++) first[i] = (start[i] as number) * inC;
  let o = 0;
  if (outC === 3) {
    for (let y = 0; y < rows; y++) {
      const rowBase = (row0 + y) * inStride;
      for (let xx = 0, kb = 0; xx < outW; xx++, kb += ksize) {
        const n = count[xx] as number;
        let p = rowBase + (first[xx] as number);
        let s0 = HALF;
        let s1 = HALF;
        let s2 = HALF;
        for (let x = 0; x < n; x++, p += inC) {
          const kv = k[kb + x] as number;
          s0 = (s0 + (d[p] as number) * kv) | 0;
          s1 = (s1 + (d[p + 1] as number) * kv) | 0;
          s2 = (s2 + (d[p + 2] as number) * kv) | 0;
        }
        out[o] = clip8(s0);
        out[o + 1] = clip8(s1);
        out[o + 2] = clip8(s2);
        o += 3;
      }
    }
    return;
  }
  for (let y = 0; y < rows; y++) {
    const rowBase = (row0 + y) * inStride;
    for (let xx = 0, kb = 0; xx < outW; xx++, kb += ksize) {
      const n = count[xx] as number;
      const p = rowBase + (first[xx] as number);
      for (let c = 0; c < outC; c++) {
        let s = HALF;
        for (let x = 0, q = p + c; x < n; x++, q += inC) {
          s = (s + (d[q] as number) * (k[kb + x] as number)) | 0;
        }
        out[o++] = clip8(s);
      }
    }
  }
}

/**
 * Output row `yy` (`rowLen` bytes) from input rows `start[yy] ..` of `d`, which are `stride` bytes
 * apart and read from byte `offset` of each (a band of columns when the passes run columns first).
 */
export function verticalPass(
  d: Uint8Array,
  stride: number,
  offset: number,
  rowLen: number,
  co: Coefficients,
  outH: number,
  out: Uint8Array,
): void {
  const { ksize, start, count, k } = co;
  for (let yy = 0, kb = 0; yy < outH; yy++, kb += ksize) {
    const n = count[yy] as number;
    const base = (start[yy] as number) * stride + offset;
    const o = yy * rowLen;
    // Every byte of a row uses the same taps, so channels need no special case. Eight bytes per
    // tap loop share each coefficient load and the loop overhead: about twice as fast as one.
    let i = 0;
    for (; i + 8 <= rowLen; i += 8) {
      let s0 = HALF;
      let s1 = HALF;
      let s2 = HALF;
      let s3 = HALF;
      let s4 = HALF;
      let s5 = HALF;
      let s6 = HALF;
      let s7 = HALF;
      for (let y = 0, q = base + i; y < n; y++, q += stride) {
        const kv = k[kb + y] as number;
        s0 = (s0 + (d[q] as number) * kv) | 0;
        s1 = (s1 + (d[q + 1] as number) * kv) | 0;
        s2 = (s2 + (d[q + 2] as number) * kv) | 0;
        s3 = (s3 + (d[q + 3] as number) * kv) | 0;
        s4 = (s4 + (d[q + 4] as number) * kv) | 0;
        s5 = (s5 + (d[q + 5] as number) * kv) | 0;
        s6 = (s6 + (d[q + 6] as number) * kv) | 0;
        s7 = (s7 + (d[q + 7] as number) * kv) | 0;
      }
      const j = o + i;
      out[j] = clip8(s0);
      out[j + 1] = clip8(s1);
      out[j + 2] = clip8(s2);
      out[j + 3] = clip8(s3);
      out[j + 4] = clip8(s4);
      out[j + 5] = clip8(s5);
      out[j + 6] = clip8(s6);
      out[j + 7] = clip8(s7);
    }
    for (; i < rowLen; i++) {
      let s = HALF;
      for (let y = 0, q = base + i; y < n; y++, q += stride) {
        s = (s + (d[q] as number) * (k[kb + y] as number)) | 0;
      }
      out[o + i] = clip8(s);
    }
  }
}
