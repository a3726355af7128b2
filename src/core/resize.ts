/**
 * A port of Pillow's `ImagingResample` for 8-bit images (src/libImaging/Resample.c), so that
 * resizing gives PIL's bytes exactly: same filters, same support widening when downscaling
 * (antialias), same fixed-point coefficients and rounding, horizontal pass first, and an
 * intermediate image clipped to 8 bits as Pillow's is. The passes: resize-passes.ts (JS),
 * resize-wasm.ts (SIMD); their order and extent: resize-plan.ts.
 */

import { exifTranspose } from './exif-transpose.ts';
import { NEAREST, resizeNearest } from './resize-nearest.ts';
import { PRECISION_BITS } from './resize-passes.ts';
import { orientationAxes } from './exif-transpose.ts';
import { axisPlan, runPasses } from './resize-plan.ts';

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
  /**
   * EXIF orientation (2-8) still to apply to `src`: the result is PIL's for the upright image
   * (see resize-plan.ts). Default 1: `src` is upright.
   */
  orientation?: number;
}

/**
 * Resizes `src` to `width` x `height` exactly as Pillow's `Image.resize` does for 8-bit modes
 * (L, RGB, RGBX; for RGBA Pillow premultiplies first, so give this RGB or drop alpha via
 * `channels: 3`). Returns the pixels of `region` (default: the whole result). With an
 * `orientation`, `src` is as stored and the result is that of PIL's `exif_transpose` then
 * `resize` (sizes and region upright), computed without turning the full-size pixels.
 */
export function resize(
  src: Pixels8,
  width: number,
  height: number,
  options: ResizeOptions = {},
): Pixels8 {
  const filter = options.filter ?? RESAMPLE.BICUBIC;
  if (!isSupportedResample(filter)) throw new RangeError(`unsupported resampling filter ${filter}`);
  const orientation = options.orientation ?? 1;
  const axes = orientationAxes(orientation);
  const inC = src.channels;
  const outC = options.channels ?? inC;
  const region = options.region ?? { left: 0, top: 0, width, height };
  checkArgs(src, width, height, outC, region);
  if (filter === NEAREST) return resizeNearest(src, width, height, outC, region, axes);
  // One element type in the hot loops (a clamped view costs nothing), so they stay monomorphic.
  const data = src.data instanceof Uint8Array ? src.data : bytesOf(src.data);

  const uw = axes.swap ? src.height : src.width;
  const uh = axes.swap ? src.width : src.height;
  const { left, top } = region;
  const ux = axisPlan(uw, width, left, region.width, axes.revX, () =>
    computeCoefficients(uw, width, filter, left, region.width),
  );
  const uy = axisPlan(uh, height, top, region.height, axes.revY, () =>
    computeCoefficients(uh, height, filter, top, region.height),
  );
  const [px, py] = axes.swap ? [uy, ux] : [ux, uy];
  const engine = options.engine ?? 'auto';
  const out = runPasses({ data, width: src.width, channels: inC }, outC, px, py, axes.swap, engine);
  const stored = { width: px.n, height: py.n, channels: outC, data: out };
  return exifTranspose(stored, orientation);
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
