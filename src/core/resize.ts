/**
 * A port of Pillow's `ImagingResample` for 8-bit images (src/libImaging/Resample.c), so that
 * resizing gives PIL's bytes exactly: same filters, same support widening when downscaling
 * (antialias), same fixed-point coefficients and rounding, horizontal pass first, and an
 * intermediate image clipped to 8 bits as Pillow's is.
 */

/** Pillow's filter numbers (`Image.Resampling`). NEAREST (0) uses other code and is not here. */
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
  return Object.hasOwn(FILTERS, filter);
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
      let v = w[x] ?? 0;
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

  const needH = width !== src.width;
  const needV = height !== src.height;

  // Vertical coefficients first: they say which input rows the horizontal pass must produce.
  let vert: Coefficients | null = null;
  let rowFirst = region.top;
  let rowEnd = region.top + region.height;
  if (needV) {
    vert = computeCoefficients(src.height, height, filter, region.top, region.height);
    if (region.height > 0) {
      rowFirst = vert.start[0] ?? 0;
      const last = region.height - 1;
      rowEnd = (vert.start[last] ?? 0) + (vert.count[last] ?? 0);
      for (let i = 0; i < region.height; i++) vert.start[i] = (vert.start[i] ?? 0) - rowFirst;
    } else {
      rowFirst = rowEnd = 0;
    }
  }

  // Horizontal pass over the needed rows only; its result is 8-bit, as Pillow's imTemp is.
  let mid: Pixels8;
  if (needH) {
    const horiz = computeCoefficients(src.width, width, filter, region.left, region.width);
    mid = horizontalPass(src, rowFirst, rowEnd - rowFirst, horiz, outC);
  } else {
    mid = copyBlock(src, region.left, rowFirst, region.width, rowEnd - rowFirst, outC);
  }
  return vert ? verticalPass(mid, vert, region.height) : mid;
}

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
  src: Pixels8,
  left: number,
  top: number,
  w: number,
  h: number,
  outC: number,
): Pixels8 {
  const out = new Uint8Array(w * h * outC);
  const inC = src.channels;
  const d = src.data;
  let o = 0;
  for (let y = 0; y < h; y++) {
    let p = ((top + y) * src.width + left) * inC;
    for (let x = 0; x < w; x++, p += inC) {
      for (let c = 0; c < outC; c++) out[o++] = d[p + c] ?? 0;
    }
  }
  return { width: w, height: h, channels: outC, data: out };
}

/* The passes below are the hot loops: `| 0` keeps V8 on int32 arithmetic (the same wrap-around
   as Pillow's int accumulators), and the common channel counts get their own loops. */

function horizontalPass(
  src: Pixels8,
  row0: number,
  rows: number,
  co: Coefficients,
  outC: number,
): Pixels8 {
  const outW = co.start.length;
  const inC = src.channels;
  const d = src.data;
  const { ksize, start, count, k } = co;
  const out = new Uint8Array(outW * rows * outC);
  const inStride = src.width * inC;
  let o = 0;
  for (let y = 0; y < rows; y++) {
    const rowBase = (row0 + y) * inStride;
    for (let xx = 0; xx < outW; xx++) {
      const n = count[xx] ?? 0;
      const kb = xx * ksize;
      let p = rowBase + (start[xx] ?? 0) * inC;
      if (outC === 3) {
        let s0 = HALF;
        let s1 = HALF;
        let s2 = HALF;
        for (let x = 0; x < n; x++, p += inC) {
          const kv = k[kb + x] ?? 0;
          s0 = (s0 + (d[p] ?? 0) * kv) | 0;
          s1 = (s1 + (d[p + 1] ?? 0) * kv) | 0;
          s2 = (s2 + (d[p + 2] ?? 0) * kv) | 0;
        }
        out[o] = clip8(s0);
        out[o + 1] = clip8(s1);
        out[o + 2] = clip8(s2);
        o += 3;
      } else {
        for (let c = 0; c < outC; c++) {
          let s = HALF;
          for (let x = 0, q = p + c; x < n; x++, q += inC) {
            s = (s + (d[q] ?? 0) * (k[kb + x] ?? 0)) | 0;
          }
          out[o++] = clip8(s);
        }
      }
    }
  }
  return { width: outW, height: rows, channels: outC, data: out };
}

function verticalPass(src: Pixels8, co: Coefficients, outH: number): Pixels8 {
  const w = src.width;
  const c = src.channels;
  const d = src.data;
  const { ksize, start, count, k } = co;
  const rowLen = w * c;
  const out = new Uint8Array(outH * rowLen);
  for (let yy = 0; yy < outH; yy++) {
    const n = count[yy] ?? 0;
    const kb = yy * ksize;
    const base = (start[yy] ?? 0) * rowLen;
    const o = yy * rowLen;
    // Every byte of a row uses the same taps, so channels need no special case here.
    for (let i = 0; i < rowLen; i++) {
      let s = HALF;
      for (let y = 0, q = base + i; y < n; y++, q += rowLen) {
        s = (s + (d[q] ?? 0) * (k[kb + y] ?? 0)) | 0;
      }
      out[o + i] = clip8(s);
    }
  }
  return { width: w, height: outH, channels: c, data: out };
}
