/**
 * A port of Pillow's `ImagingResample` for 8-bit images (src/libImaging/Resample.c), so that
 * resizing gives PIL's bytes exactly: same filters, same support widening when downscaling
 * (antialias), same fixed-point coefficients and rounding, horizontal pass first, and an
 * intermediate image clipped to 8 bits as Pillow's is.
 */

import { NEAREST, resizeNearest } from './resize-nearest.ts';
import { resizeKernels, resizeRgbWasm } from './resize-wasm.ts';

/** Pillow's filter numbers (`Image.Resampling`). NEAREST (0) uses other code: resize-nearest.ts. */
export const RESAMPLE = { LANCZOS: 1, BILINEAR: 2, BICUBIC: 3, BOX: 4, HAMMING: 5 } as const;

interface Filter {
  fn: (x: number) => number;
  support: number;
}

// The filters keep the C evaluation order so each double is bit-identical to Pillow's.
const box = (x: number): number => (x > -0.5 && x <= 0.5 ? 1.0 : 0.0);

const bilinear = (x: number): number => {
  if (x < 0.0) x = -x;
  return x < 1.0 ? 1.0 - x : 0.0;
};

const A = -0.5;
const bicubic = (x: number): number => {
  if (x < 0.0) x = -x;
  if (x < 1.0) return ((A + 2.0) * x - (A + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * A;
  return 0.0;
};

// Hamming and Lanczos call sin/cos: JS and the C library may differ in the last bit, which can
// (rarely) move a coefficient by one fixed-point unit. Only BICUBIC and BILINEAR are exact by
// construction.
const F054 = Math.fround(0.54);
const F046 = Math.fround(0.46);
const hamming = (x: number): number => {
  if (x < 0.0) x = -x;
  if (x === 0.0) return 1.0;
  if (x >= 1.0) return 0.0;
  x = x * Math.PI;
  return (Math.sin(x) / x) * (F054 + F046 * Math.cos(x));
};

const sinc = (x: number): number => {
  if (x === 0.0) return 1.0;
  x = x * Math.PI;
  return Math.sin(x) / x;
};
const lanczos = (x: number): number => (-3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0);

const FILTERS: Record<number, Filter> = {
  [RESAMPLE.LANCZOS]: { fn: lanczos, support: 3.0 },
  [RESAMPLE.BILINEAR]: { fn: bilinear, support: 1.0 },
  [RESAMPLE.BICUBIC]: { fn: bicubic, support: 2.0 },
  [RESAMPLE.BOX]: { fn: box, support: 0.5 },
  [RESAMPLE.HAMMING]: { fn: hamming, support: 1.0 },
};

export function isSupportedResample(filter: number): boolean {
  return Object.hasOwn(FILTERS, filter) || filter === NEAREST;
}

/** 8 bits for the result, 2 for overflow and sign: Pillow's PRECISION_BITS. */
const PRECISION_BITS = 32 - 8 - 2;
const HALF = 1 << (PRECISION_BITS - 1);
const ONE = 1 << PRECISION_BITS;

/** Fixed-point coefficients for one axis: output i reads `count[i]` inputs from `start[i]`. */
export interface Coefficients {
  /** Taps per output (stride of `k`). */
  ksize: number;
  start: Int32Array;
  count: Int32Array;
  k: Int32Array;
}

/**
 * Pillow's `precompute_coeffs` + `normalize_coeffs_8bpc` for the whole input range
 * (box `0..inSize`), restricted to outputs `first .. first + n - 1`.
 */
export function computeCoefficients(
  inSize: number,
  outSize: number,
  filter: number,
  first = 0,
  n = outSize - first,
): Coefficients {
  const f = FILTERS[filter];
  if (!f) throw new RangeError(`unsupported resampling filter ${filter}`);
  // Pillow passes the box as C floats; whole numbers below 2^24 are exact, so this is the same.
  const scale = inSize / outSize;
  const filterscale = scale < 1.0 ? 1.0 : scale;
  const support = f.support * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const ss = 1.0 / filterscale;
  const start = new Int32Array(n);
  const count = new Int32Array(n);
  const k = new Int32Array(n * ksize);
  const w = new Float64Array(ksize);
  for (let i = 0; i < n; i++) {
    const xx = first + i;
    const center = (xx + 0.5) * scale;
    // C casts truncate toward zero; clamping afterwards as Pillow does.
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0.0;
    for (let x = 0; x < xmax; x++) {
      const v = f.fn((x + xmin - center + 0.5) * ss);
      w[x] = v;
      ww += v;
    }
    const base = i * ksize;
    for (let x = 0; x < xmax; x++) {
      let v = w[x] as number;
      if (ww !== 0.0) v /= ww;
      // normalize_coeffs_8bpc: round half away from zero, then truncate as C's (int) does.
      k[base + x] = v < 0 ? Math.trunc(-0.5 + v * ONE) : Math.trunc(0.5 + v * ONE);
    }
    start[i] = xmin;
    count[i] = xmax;
  }
  return { ksize, start, count, k };
}

/** Interleaved 8-bit pixels. */
export interface Pixels8 {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** A rectangle of the resized image to compute (the crop), in output pixels. */
export interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface ResizeOptions {
  /** Pillow filter number; default BICUBIC. */
  filter?: number;
  /** Keep only the first N channels (3 drops alpha without computing it). Default: all. */
  channels?: number;
  /**
   * Compute only this part of the `width` x `height` result. Each output pixel depends only on
   * its own coefficients, so this equals resizing fully and cropping, without the waste.
   */
  region?: Region;
  /** 'js' skips the WebAssembly SIMD passes (tests and benchmarks compare the two). */
  engine?: 'auto' | 'js';
}

const clip8 = (ss: number): number => {
  const v = ss >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
};

/**
 * Resizes `src` to `width` x `height` exactly as Pillow's `Image.resize` does for 8-bit modes
 * (L, RGB, RGBX; for RGBA Pillow premultiplies first, so give this RGB or drop alpha via
 * `channels: 3`). Returns the pixels of `region` (default: the whole result).
 */
export function resize(
  src: Pixels8,
  width: number,
  height: number,
  options: ResizeOptions = {},
): Pixels8 {
  const filter = options.filter ?? RESAMPLE.BICUBIC;
  if (!isSupportedResample(filter)) throw new RangeError(`unsupported resampling filter ${filter}`);
  const inC = src.channels;
  const outC = options.channels ?? inC;
  const region = options.region ?? { left: 0, top: 0, width, height };
  checkArgs(src, width, height, outC, region);
  if (filter === NEAREST) return resizeNearest(src, width, height, outC, region);
  // One element type in the hot loops (a clamped view costs nothing), so they stay monomorphic.
  const data = src.data instanceof Uint8Array ? src.data : bytesOf(src.data);

  const needH = width !== src.width;
  const needV = height !== src.height;

  // Vertical coefficients first: they say which input rows the horizontal pass must produce.
  let vert: Coefficients | null = null;
  let rowFirst = region.top;
  let rowEnd = region.top + region.height;
  if (needV) {
    vert = computeCoefficients(src.height, height, filter, region.top, region.height);
    if (region.height > 0) {
      const { start, count } = vert;
      const last = region.height - 1;
      rowFirst = start[0] as number;
      rowEnd = (start[last] as number) + (count[last] as number);
      for (let i = 0; i < region.height; i++) start[i] = (start[i] as number) - rowFirst;
    } else {
      rowFirst = rowEnd = 0;
    }
  }

  // Horizontal pass over the needed rows only; its result is 8-bit, as Pillow's imTemp is.
  const rows = rowEnd - rowFirst;
  let mid: Uint8Array;
  if (needH) {
    const horiz = computeCoefficients(src.width, width, filter, region.left, region.width);
    const kernels = options.engine === 'js' ? null : resizeKernels();
    if (vert && kernels && outC === 3 && (inC === 3 || inC === 4) && region.width > 0) {
      try {
        const out = resizeRgbWasm(kernels, data, src.width, inC, rowFirst, rows, horiz, vert);
        return { width: region.width, height: region.height, channels: 3, data: out };
      } catch {
        // The module's memory could not grow (a huge output): the JS passes below.
      }
    }
    mid = new Uint8Array(region.width * rows * outC);
    horizontalPass(data, src.width, inC, rowFirst, rows, horiz, outC, mid);
  } else {
    mid = copyBlock(data, src.width, inC, region.left, rowFirst, region.width, rows, outC);
  }
  if (!vert) return { width: region.width, height: rows, channels: outC, data: mid };
  const out = new Uint8Array(region.width * region.height * outC);
  verticalPass(mid, region.width * outC, vert, region.height, out);
  return { width: region.width, height: region.height, channels: outC, data: out };
}

const bytesOf = (a: Uint8ClampedArray): Uint8Array =>
  new Uint8Array(a.buffer, a.byteOffset, a.length);

function checkArgs(src: Pixels8, width: number, height: number, outC: number, r: Region): void {
  const ints = [width, height, outC, r.left, r.top, r.width, r.height];
  if (!ints.every((v) => Number.isInteger(v) && v >= 0) || width < 1 || height < 1) {
    throw new RangeError('resize: sizes must be positive integers');
  }
  if (outC < 1 || outC > src.channels) throw new RangeError('resize: bad channel count');
  if (r.left + r.width > width || r.top + r.height > height) {
    throw new RangeError('resize: region outside the output');
  }
  if (src.data.length < src.width * src.height * src.channels || src.width < 1 || src.height < 1) {
    throw new RangeError('resize: pixel buffer smaller than width * height * channels');
  }
}

function copyBlock(
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

function horizontalPass(
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

function verticalPass(
  d: Uint8Array,
  rowLen: number,
  co: Coefficients,
  outH: number,
  out: Uint8Array,
): void {
  const { ksize, start, count, k } = co;
  for (let yy = 0, kb = 0; yy < outH; yy++, kb += ksize) {
    const n = count[yy] as number;
    const base = (start[yy] as number) * rowLen;
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
      for (let y = 0, q = base + i; y < n; y++, q += rowLen) {
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
      for (let y = 0, q = base + i; y < n; y++, q += rowLen) {
        s = (s + (d[q] as number) * (k[kb + y] as number)) | 0;
      }
      out[o + i] = clip8(s);
    }
  }
}
