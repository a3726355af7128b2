/**
 * The order and extent of the two resampling passes on the pixels as they are stored, for a
 * result that must equal PIL's `exif_transpose` then `resize`. An EXIF orientation only permutes
 * pixels, so each of PIL's passes on the upright image is a pass on the stored one along the
 * matching axis: with the upright axis's own coefficients (taps in reverse order, window mirrored,
 * where that axis runs backwards in storage: PIL rounds window bounds asymmetrically, so the
 * windows of the stored geometry would differ), and in PIL's order (upright rows first, i.e.
 * stored columns first when the orientation swaps the axes, since the 8-bit clip between the
 * passes makes the order matter). Integer sums do not depend on the order of their terms, so the
 * bytes are PIL's by construction; only the small result is turned upright afterwards.
 */
import type { Coefficients } from './resize.ts';
import { copyBlock, horizontalPass, verticalPass } from './resize-passes.ts';
import { resizeKernels, resizeRgbWasm, resizeRgbWasmColumnsFirst } from './resize-wasm.ts';

/**
 * One stored axis's work: resample with `co` (starts are stored indices, outputs in stored
 * order), or, where the size is kept, take `n` indices from `lo`.
 */
export interface AxisPlan {
  co: Coefficients | null;
  lo: number;
  n: number;
}

/**
 * The plan for one upright axis of `size` pixels resampled to `outSize` (outputs `first ..
 * first + n - 1`), laid on storage backwards when `reversed`. `coefficients` are the upright
 * axis's, for those outputs.
 */
export function axisPlan(
  size: number,
  outSize: number,
  first: number,
  n: number,
  reversed: boolean,
  coefficients: () => Coefficients,
): AxisPlan {
  if (outSize === size) return { co: null, lo: reversed ? size - first - n : first, n };
  const co = coefficients();
  return { co: reversed ? mirrored(co, size) : co, lo: 0, n };
}

/** Stored output i is upright output n-1-i: its window seen from the other end, taps reversed. */
function mirrored(co: Coefficients, size: number): Coefficients {
  const { ksize, start, count, k } = co;
  const n = start.length;
  const m = {
    ksize,
    start: new Int32Array(n),
    count: new Int32Array(n),
    k: new Int32Array(k.length),
  };
  for (let i = 0; i < n; i++) {
    const j = n - 1 - i;
    const c = count[j] as number;
    m.start[i] = size - (start[j] as number) - c;
    m.count[i] = c;
    for (let t = 0; t < c; t++) m.k[i * ksize + t] = k[j * ksize + c - 1 - t] as number;
  }
  return m;
}

/** The stored indices an axis reads, [lo, hi). */
function span(p: AxisPlan): [number, number] {
  if (!p.co) return [p.lo, p.lo + p.n];
  if (p.n === 0) return [0, 0];
  let lo = Infinity;
  let hi = 0;
  for (let i = 0; i < p.n; i++) {
    const s = p.co.start[i] as number;
    lo = Math.min(lo, s);
    hi = Math.max(hi, s + (p.co.count[i] as number));
  }
  return [lo, hi];
}

/** Makes the starts relative to the first index read (the passes see only that span). */
function shift(co: Coefficients, by: number): void {
  for (let i = 0; i < co.start.length; i++) co.start[i] = (co.start[i] as number) - by;
}

export interface PassInput {
  data: Uint8Array;
  width: number;
  channels: number;
}

/**
 * Both passes on stored pixels: `px` along the stored x, `py` along the stored y; columns first
 * when `columnsFirst` (PIL's first pass then runs along stored columns). Returns `py.n` rows of
 * `px.n` pixels of `outC` channels, in stored order.
 */
export function runPasses(
  src: PassInput,
  outC: number,
  px: AxisPlan,
  py: AxisPlan,
  columnsFirst: boolean,
  engine: 'auto' | 'js',
): Uint8Array {
  const { data, width, channels: inC } = src;
  const kernels = engine === 'js' ? null : resizeKernels();
  const wasm = kernels && outC === 3 && (inC === 3 || inC === 4) && px.n > 0 && py.n > 0;
  if (columnsFirst && px.co && py.co) {
    const [c0, c1] = span(px);
    const cols = c1 - c0;
    shift(px.co, c0);
    if (wasm) {
      try {
        return resizeRgbWasmColumnsFirst(kernels, data, width, inC, c0, cols, px.co, py.co);
      } catch {
        // The module's memory could not grow (a huge output): the JS passes below.
      }
    }
    // All channels go through the first pass (bytes of a row share their taps); the second drops.
    const mid = new Uint8Array(py.n * cols * inC);
    verticalPass(data, width * inC, c0 * inC, cols * inC, py.co, py.n, mid);
    const out = new Uint8Array(px.n * py.n * outC);
    horizontalPass(mid, cols, inC, 0, py.n, px.co, outC, out);
    return out;
  }
  // Rows first (Pillow's order on upright pixels): only the rows the vertical pass reads.
  const [r0, r1] = span(py);
  const rows = r1 - r0;
  if (py.co) shift(py.co, r0);
  let mid: Uint8Array;
  if (px.co) {
    if (wasm && py.co) {
      try {
        return resizeRgbWasm(kernels, data, width, inC, r0, rows, px.co, py.co);
      } catch {
        // As above.
      }
    }
    mid = new Uint8Array(px.n * rows * outC);
    horizontalPass(data, width, inC, r0, rows, px.co, outC, mid);
  } else {
    mid = copyBlock(data, width, inC, px.lo, r0, px.n, rows, outC);
  }
  if (!py.co) return mid;
  const rowLen = px.n * outC;
  const out = new Uint8Array(rowLen * py.n);
  verticalPass(mid, rowLen, 0, rowLen, py.co, py.n, out);
  return out;
}
