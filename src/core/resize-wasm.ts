/**
 * Pillow's two resampling passes (resize.ts) as WebAssembly SIMD kernels, for the case that costs
 * the most: an RGB or RGBA photo resized (both axes) to RGB. Same int32 fixed-point arithmetic,
 * so the same bytes: each product `pixel * coefficient` and each sum is an exact int32 (wrapping
 * as Pillow's C `int` accumulators would), the horizontal pass's result is clipped to 8 bits
 * before the vertical pass reads it, and clip8 is `>> 22` then a saturating narrow to 0..255.
 *
 * Horizontal pass: 4 taps at a time; one 16-byte load holds 4 pixels, a swizzle per channel
 * spreads them into 4 int32 lanes, multiplied by the 4 taps' coefficients. Vertical pass: 16
 * bytes of a row at a time, all sharing one coefficient per tap.
 */
import type { Coefficients } from './resize.ts';
import { buildModule, I32, op, V128, v, type FunctionDef } from './wasm-emit.ts';

const SHIFT = 22; // PRECISION_BITS
const HALF = 1 << (SHIFT - 1);

/** Int32 lanes as shuffle byte indices (0-3 from the first operand, 4-7 from the second). */
const lanes = (l: readonly number[]): number[] =>
  l.flatMap((i) => [0, 1, 2, 3].map((b) => 4 * i + b));
const half4 = [HALF & 0xff, (HALF >> 8) & 0xff, (HALF >> 16) & 0xff, HALF >>> 24];

/** Swizzle indices taking channel c of 4 pixels into 4 int32 lanes (0x80: a zero byte). */
const spread = (inC: number, c: number): number[] =>
  Array.from({ length: 16 }, (_, b) => (b % 4 === 0 ? (b / 4) * inC + c : 0x80));

function horizontal(inC: number): FunctionDef {
  // params: 0 src, 1 stride, 2 step4 (bytes per 4 taps), 3 rows, 4 outW, 5 first, 6 groups,
  // 7 k, 8 kstride, 9 out
  const [src, stride, step4, rows, outW, first, groups, k, kstride, out] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
  ];
  const [y, xx, p, kp, n, rowp, o, kcol] = [10, 11, 12, 13, 14, 15, 16, 17];
  const [aR, aG, aB, vin, kv, s1, s2] = [18, 19, 20, 21, 22, 23, 24];
  const acc = (a: number, c: number) => [
    ...op.get(a),
    ...op.get(vin),
    ...v.const(spread(inC, c)),
    ...v.swizzle,
    ...op.get(kv),
    ...v.mul,
    ...v.add,
    ...op.set(a),
  ];
  const init = v.const([...half4, ...Array<number>(12).fill(0)]);
  return {
    name: `horizontal${inC}`,
    params: 10,
    locals: [
      [8, I32],
      [7, V128],
    ],
    body: [
      [...op.get(out), ...op.set(o), ...op.i32(0), ...op.set(y)],
      [...op.block, ...op.get(rows), ...op.eqz, ...op.brIf(0), ...op.loop],
      // rowp = src + y * stride; per row, columns from 0 with their coefficients from k.
      [...op.get(src), ...op.get(y), ...op.get(stride), ...op.mul, ...op.add, ...op.set(rowp)],
      [...op.i32(0), ...op.set(xx), ...op.get(k), ...op.set(kcol)],
      [...op.block, ...op.get(outW), ...op.eqz, ...op.brIf(0), ...op.loop],
      [...op.get(rowp), ...op.get(first), ...op.get(xx), ...op.i32(4), ...op.mul, ...op.add],
      [...op.load(), ...op.add, ...op.set(p)],
      [...op.get(groups), ...op.get(xx), ...op.i32(4), ...op.mul, ...op.add, ...op.load()],
      [...op.set(n), ...op.get(kcol), ...op.set(kp)],
      [...init, ...op.set(aR), ...init, ...op.set(aG), ...init, ...op.set(aB)],
      [...op.block, ...op.get(n), ...op.eqz, ...op.brIf(0), ...op.loop],
      [...op.get(p), ...v.load(), ...op.set(vin), ...op.get(kp), ...v.load(), ...op.set(kv)],
      acc(aR, 0),
      acc(aG, 1),
      acc(aB, 2),
      [...op.get(p), ...op.get(step4), ...op.add, ...op.set(p)],
      [...op.get(kp), ...op.i32(16), ...op.add, ...op.set(kp)],
      [...op.get(n), ...op.i32(1), ...op.sub, ...op.tee(n), ...op.brIf(0), ...op.end, ...op.end],
      // Lane sums: [R, G, B, junk], then clip8 and store 4 bytes (the junk byte is overwritten
      // by the next pixel, or lands in the buffer's padding).
      [...op.get(aR), ...op.get(aG), ...v.shuffle(lanes([0, 1, 4, 5]))],
      [...op.get(aR), ...op.get(aG), ...v.shuffle(lanes([2, 3, 6, 7])), ...v.add, ...op.set(s1)],
      [...op.get(aB), ...op.get(aB), ...v.shuffle(lanes([0, 1, 0, 1]))],
      [...op.get(aB), ...op.get(aB), ...v.shuffle(lanes([2, 3, 2, 3])), ...v.add, ...op.set(s2)],
      [...op.get(o), ...op.get(s1), ...op.get(s2), ...v.shuffle(lanes([0, 2, 4, 6]))],
      [...op.get(s1), ...op.get(s2), ...v.shuffle(lanes([1, 3, 5, 7])), ...v.add],
      [...op.i32(SHIFT), ...v.shrS, ...op.tee(s1), ...op.get(s1), ...v.narrowS16],
      [...op.tee(s1), ...op.get(s1), ...v.narrowU8, ...v.store32Lane(0)],
      [...op.get(o), ...op.i32(3), ...op.add, ...op.set(o)],
      [...op.get(kcol), ...op.get(kstride), ...op.add, ...op.set(kcol)],
      [...op.get(xx), ...op.i32(1), ...op.add, ...op.tee(xx), ...op.get(outW), ...op.ltU],
      [...op.brIf(0), ...op.end, ...op.end],
      [...op.get(y), ...op.i32(1), ...op.add, ...op.tee(y), ...op.get(rows), ...op.ltU],
      [...op.brIf(0), ...op.end, ...op.end],
    ],
  };
}

function vertical(): FunctionDef {
  // params: 0 mid, 1 rowLen, 2 outH, 3 starts (byte offsets), 4 counts, 5 k, 6 kstride, 7 out,
  // 8 stride (bytes between input rows; rowLen unless the input is wider than the output)
  const [mid, rowLen, outH, starts, counts, k, kstride, out, stride] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [yy, i, q, kq, n, base, kcol, o] = [9, 10, 11, 12, 13, 14, 15, 16];
  const [a0, a1, a2, a3, vin, kv, lo, hi] = [17, 18, 19, 20, 21, 22, 23, 24];
  const acc = (a: number, bytes: number, ext: number[]) => [
    ...op.get(a),
    ...op.get(bytes),
    ...ext,
    ...op.get(kv),
    ...v.mul,
    ...v.add,
    ...op.set(a),
  ];
  const shr = (a: number) => [...op.get(a), ...op.i32(SHIFT), ...v.shrS];
  return {
    name: 'vertical',
    params: 9,
    locals: [
      [8, I32],
      [8, V128],
    ],
    body: [
      [...op.i32(0), ...op.set(yy), ...op.get(k), ...op.set(kcol), ...op.get(out), ...op.set(o)],
      [...op.block, ...op.get(outH), ...op.eqz, ...op.brIf(0), ...op.loop],
      [...op.get(mid), ...op.get(starts), ...op.get(yy), ...op.i32(4), ...op.mul, ...op.add],
      [...op.load(), ...op.add, ...op.set(base), ...op.i32(0), ...op.set(i)],
      [...op.block, ...op.get(rowLen), ...op.eqz, ...op.brIf(0), ...op.loop],
      [...op.i32(HALF), ...v.i32Splat, ...op.tee(a0), ...op.tee(a1), ...op.tee(a2), ...op.set(a3)],
      [...op.get(base), ...op.get(i), ...op.add, ...op.set(q), ...op.get(kcol), ...op.set(kq)],
      [...op.get(counts), ...op.get(yy), ...op.i32(4), ...op.mul, ...op.add, ...op.load()],
      [...op.set(n), ...op.block, ...op.get(n), ...op.eqz, ...op.brIf(0), ...op.loop],
      [...op.get(q), ...v.load(), ...op.tee(vin), ...v.extLowU8, ...op.set(lo)],
      [...op.get(vin), ...v.extHighU8, ...op.set(hi)],
      [...op.get(kq), ...v.load32Splat(), ...op.set(kv)],
      acc(a0, lo, v.extLowU16),
      acc(a1, lo, v.extHighU16),
      acc(a2, hi, v.extLowU16),
      acc(a3, hi, v.extHighU16),
      [...op.get(q), ...op.get(stride), ...op.add, ...op.set(q)],
      [...op.get(kq), ...op.i32(4), ...op.add, ...op.set(kq)],
      [...op.get(n), ...op.i32(1), ...op.sub, ...op.tee(n), ...op.brIf(0), ...op.end, ...op.end],
      [...op.get(o), ...op.get(i), ...op.add],
      [...shr(a0), ...shr(a1), ...v.narrowS16, ...shr(a2), ...shr(a3), ...v.narrowS16],
      [...v.narrowU8, ...v.store()],
      [...op.get(i), ...op.i32(16), ...op.add, ...op.tee(i), ...op.get(rowLen), ...op.ltU],
      [...op.brIf(0), ...op.end, ...op.end],
      [...op.get(o), ...op.get(rowLen), ...op.add, ...op.set(o)],
      [...op.get(kcol), ...op.get(kstride), ...op.add, ...op.set(kcol)],
      [...op.get(yy), ...op.i32(1), ...op.add, ...op.tee(yy), ...op.get(outH), ...op.ltU],
      [...op.brIf(0), ...op.end, ...op.end],
    ],
  };
}

export interface Kernels {
  memory: WebAssembly.Memory;
  horizontal3: (...args: number[]) => void;
  horizontal4: (...args: number[]) => void;
  vertical: (...args: number[]) => void;
}

let kernels: Kernels | null | undefined;

/** The compiled kernels, or null where WebAssembly SIMD is not available (then JS is used). */
export function resizeKernels(): Kernels | null {
  if (kernels !== undefined) return kernels;
  kernels = null;
  try {
    if (typeof WebAssembly === 'undefined') return null;
    const module = new WebAssembly.Module(buildModule([horizontal(3), horizontal(4), vertical()]));
    const e = new WebAssembly.Instance(module).exports as unknown as Kernels;
    kernels = {
      memory: e.memory,
      horizontal3: e.horizontal3,
      horizontal4: e.horizontal4,
      vertical: e.vertical,
    };
  } catch {
    // No SIMD (very old engines) or a CSP without 'wasm-unsafe-eval': the JS passes.
  }
  return kernels;
}

/** Rows of the source copied into the module's memory at a time (about 256 KB: stays cached). */
const STRIPE_BYTES = 256 * 1024;
/**
 * Columns first, each group of output rows needs all the source rows under its windows at once;
 * a larger stripe copies the rows shared by two groups fewer times.
 */
const COLUMN_STRIPE_BYTES = 4 * 1024 * 1024;
const PAD = 64;

/** Offsets in the module's memory, allocated in order, each 16-byte aligned and padded. */
class Layout {
  end = 0;
  alloc(bytes: number): number {
    const at = this.end;
    this.end = (this.end + bytes + PAD + 15) & ~15;
    return at;
  }
  /** The memory, grown to hold everything allocated. */
  memory(kernels: Kernels): { bytes: Uint8Array; ints: Int32Array } {
    const { memory } = kernels;
    if (memory.buffer.byteLength < this.end) {
      memory.grow(Math.ceil((this.end - memory.buffer.byteLength) / 65536));
    }
    return { bytes: new Uint8Array(memory.buffer), ints: new Int32Array(memory.buffer) };
  }
}

/** The horizontal kernel's tables for `horiz` on `channels`-byte pixels. */
/** The vertical pass's tables in the module: window starts (set per use), counts and taps. */
class VerticalTables {
  readonly starts: number;
  readonly counts: number;
  readonly k: number;
  constructor(
    layout: Layout,
    private readonly vert: Coefficients,
  ) {
    const outH = vert.start.length;
    this.starts = layout.alloc(outH * 4);
    this.counts = layout.alloc(outH * 4);
    this.k = layout.alloc(outH * vert.ksize * 4);
  }
  write(ints: Int32Array): void {
    ints.set(this.vert.count, this.counts / 4);
    ints.set(this.vert.k, this.k / 4);
  }
}

class HorizontalTables {
  readonly hk: number;
  readonly first: number;
  readonly groups: number;
  readonly k: number;
  constructor(
    layout: Layout,
    private readonly horiz: Coefficients,
  ) {
    const outW = horiz.start.length;
    this.hk = Math.ceil(horiz.ksize / 4) * 4;
    this.first = layout.alloc(outW * 4);
    this.groups = layout.alloc(outW * 4);
    this.k = layout.alloc(outW * this.hk * 4);
  }
  write(ints: Int32Array, channels: number): void {
    const { horiz, hk } = this;
    for (let i = 0; i < horiz.start.length; i++) {
      const n = horiz.count[i] as number;
      ints[this.first / 4 + i] = (horiz.start[i] as number) * channels;
      ints[this.groups / 4 + i] = Math.ceil(n / 4);
      const to = this.k / 4 + i * hk;
      ints.set(horiz.k.subarray(i * horiz.ksize, i * horiz.ksize + n), to);
      ints.fill(0, to + n, to + hk); // taps past the count read neighbours, times zero
    }
  }
  /** Runs the pass over `rows` rows of `stride` bytes at `src`, into RGB rows at `out`. */
  run(kernels: Kernels, channels: number, src: number, stride: number, rows: number, out: number) {
    const pass = channels === 3 ? kernels.horizontal3 : kernels.horizontal4;
    const { horiz, first, groups, k, hk } = this;
    pass(src, stride, 4 * channels, rows, horiz.start.length, first, groups, k, hk * 4, out);
  }
}

/**
 * Both passes' tables, the intermediate (`sizes.mid` bytes), the RGB output and a stripe of
 * source rows (`sizes.stripe` bytes) placed in the module's memory, the tables written.
 */
function placed(
  kernels: Kernels,
  horiz: Coefficients,
  vert: Coefficients,
  channels: number,
  sizes: { mid: number; stripe: number },
) {
  const layout = new Layout();
  const h = new HorizontalTables(layout, horiz);
  const v = new VerticalTables(layout, vert);
  const mid = layout.alloc(sizes.mid);
  const out = layout.alloc(vert.start.length * horiz.start.length * 3);
  const stripe = layout.alloc(sizes.stripe);
  const { bytes, ints } = layout.memory(kernels);
  h.write(ints, channels);
  v.write(ints);
  return { h, v, mid, out, stripe, bytes, ints };
}

/**
 * Both passes for `channels`-byte pixels (3 or 4) to RGB: source rows `rowFirst ..
 * rowFirst + rows - 1` through `horiz` into an 8-bit intermediate, then `vert` (whose starts are
 * relative to `rowFirst`). Returns `vert.start.length` rows of `horiz.start.length` RGB pixels.
 */
export function resizeRgbWasm(
  kernels: Kernels,
  data: Uint8Array,
  srcWidth: number,
  channels: number,
  rowFirst: number,
  rows: number,
  horiz: Coefficients,
  vert: Coefficients,
): Uint8Array {
  const outW = horiz.start.length;
  const outH = vert.start.length;
  const rowLen = outW * 3;
  const stride = srcWidth * channels;
  const stripeRows = Math.max(1, Math.floor(STRIPE_BYTES / stride));
  const { h, v, mid, out, stripe, bytes, ints } = placed(kernels, horiz, vert, channels, {
    mid: rows * rowLen,
    stripe: stripeRows * stride,
  });
  for (let i = 0; i < outH; i++) ints[v.starts / 4 + i] = (vert.start[i] as number) * rowLen;
  for (let s = 0; s < rows; s += stripeRows) {
    const r = Math.min(stripeRows, rows - s);
    const from = (rowFirst + s) * stride;
    bytes.set(data.subarray(from, from + r * stride), stripe);
    h.run(kernels, channels, stripe, stride, r, mid + s * rowLen);
  }
  kernels.vertical(mid, rowLen, outH, v.starts, v.counts, v.k, vert.ksize * 4, out, rowLen);
  return bytes.slice(out, out + outH * rowLen);
}

/**
 * The passes in the other order, for an EXIF orientation that swaps the axes (resize-plan.ts):
 * `vert` over source columns `colFirst .. colFirst + cols - 1` (all `channels` bytes) into an
 * 8-bit intermediate, then `horiz` (starts relative to `colFirst`) to RGB. The source rows go
 * into the module a stripe at a time, each holding the windows of a group of output rows.
 */
export function resizeRgbWasmColumnsFirst(
  kernels: Kernels,
  data: Uint8Array,
  srcWidth: number,
  channels: number,
  colFirst: number,
  cols: number,
  horiz: Coefficients,
  vert: Coefficients,
): Uint8Array {
  const outW = horiz.start.length;
  const outH = vert.start.length;
  const rowLen = outW * 3;
  const midLen = cols * channels;
  const stride = srcWidth * channels;
  const { start, count, ksize } = vert;
  let widest = 1;
  for (let i = 0; i < outH; i++) widest = Math.max(widest, count[i] as number);
  const stripeRows = Math.max(widest, Math.floor(COLUMN_STRIPE_BYTES / stride));
  const { h, v, mid, out, stripe, bytes, ints } = placed(kernels, horiz, vert, channels, {
    mid: outH * midLen,
    stripe: stripeRows * stride,
  });
  for (let a = 0; a < outH;) {
    // The group: output rows from `a` while their windows fit in the stripe together.
    const top = start[a] as number;
    let bottom = top + (count[a] as number);
    let b = a + 1;
    for (; b < outH; b++) {
      const s = start[b] as number;
      const end = s + (count[b] as number);
      if (s < top || end - top > stripeRows) break;
      bottom = Math.max(bottom, end);
    }
    bytes.set(data.subarray(top * stride, bottom * stride), stripe);
    for (let i = a; i < b; i++) {
      ints[v.starts / 4 + i] = ((start[i] as number) - top) * stride + colFirst * channels;
    }
    const [starts, counts, k] = [v.starts + a * 4, v.counts + a * 4, v.k + a * ksize * 4];
    kernels.vertical(stripe, midLen, b - a, starts, counts, k, ksize * 4, mid + a * midLen, stride);
    a = b;
  }
  h.run(kernels, channels, mid, midLen, outH, out);
  return bytes.slice(out, out + outH * rowLen);
}
