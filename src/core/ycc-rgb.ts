/**
 * The last two steps of libjpeg-turbo's decoder, as PIL runs them: "fancy" upsampling of 4:2:0
 * chroma (`h2v2_fancy_upsample`, jdsample.c: a triangle filter, 3/4 of the nearer sample and 1/4
 * of the further one on each axis, with libjpeg's rounding biases 8 and 7) and YCbCr to RGB
 * (`ycc_rgb_convert`, jdcolor.c: 16-bit fixed point, clamped). Given the planes a decoder leaves
 * before those steps (the browser's WebCodecs `ImageDecoder` gives them for 4:2:0 and 4:4:4
 * JPEGs), they give libjpeg-turbo's RGB bytes exactly: the IDCT, the costly part, runs natively.
 *
 * `yccToRgbJs` is the plain reference; `YccKernels` runs the same integer arithmetic in
 * WebAssembly SIMD (built at run time with wasm-emit.ts), 16 pixels at a time.
 */
import { buildModule, I32, op, V128, v, type FunctionDef } from './wasm-emit.ts';

export type YccFormat = 'I420' | 'I444';

export interface PlaneLayout {
  offset: number;
  stride: number;
}

/** Three 8-bit planes (Y, Cb, Cr) of a `width` x `height` image in one buffer. */
export interface YccPlanes {
  format: YccFormat;
  width: number;
  height: number;
  data: Uint8Array;
  layout: readonly [PlaneLayout, PlaneLayout, PlaneLayout];
}

/** jdcolor.c's FIX(): a C cast of a positive double, i.e. floor. */
const fix = (x: number): number => Math.floor(x * 65536 + 0.5);
const CR_R = fix(1.402);
const CB_B = fix(1.772);
const CB_G = -fix(0.34414);
const CR_G = -fix(0.71414);
const HALF = 1 << 15;

/** The chroma planes' size: libjpeg's downsampled width and height (rounded up). */
export function chromaSize(p: Pick<YccPlanes, 'format' | 'width' | 'height'>): [number, number] {
  return p.format === 'I420' ? [(p.width + 1) >> 1, (p.height + 1) >> 1] : [p.width, p.height];
}

/**
 * The chroma row libjpeg reads beside row `iy` for output row `oy` (4:2:0): the one above for an
 * even row, below for an odd one; at the image's edges the edge row itself (libjpeg's context
 * pointers repeat the first and the last real rows).
 */
export function farChromaRow(oy: number, chromaHeight: number): number {
  const iy = oy >> 1;
  const far = oy & 1 ? iy + 1 : iy - 1;
  return far < 0 ? 0 : far > chromaHeight - 1 ? chromaHeight - 1 : far;
}

const clamp8 = (x: number): number => (x < 0 ? 0 : x > 255 ? 255 : x);

/**
 * libjpeg filters only chroma rows of 3 samples or more (jdsample.c: `downsampled_width > 2`);
 * narrower ones (an image of 4 pixels or fewer across) are copied 2 x 2 (`h2v2_upsample`).
 */
const FANCY_MIN = 3;

/** One chroma row upsampled 2x: from the vertical sums `3 * near + far`, or copied (narrow). */
function upsampleRowJs(src: Uint8Array, near: number, far: number, n: number, out: Uint8Array) {
  if (n < FANCY_MIN) {
    for (let i = 0; i < n; i++) out[2 * i] = out[2 * i + 1] = src[near + i] as number;
    return;
  }
  const sum = (i: number): number => (src[near + i] as number) * 3 + (src[far + i] as number);
  for (let i = 0; i < n; i++) {
    const c = sum(i) * 3;
    out[2 * i] = i === 0 ? (sum(0) * 4 + 8) >> 4 : (c + sum(i - 1) + 8) >> 4;
    out[2 * i + 1] = i === n - 1 ? (sum(i) * 4 + 7) >> 4 : (c + sum(i + 1) + 7) >> 4;
  }
}

/** The reference: libjpeg-turbo's RGB for these planes, in plain JavaScript. */
export function yccToRgbJs(p: YccPlanes): Uint8Array {
  const { width: w, height: h, data } = p;
  const [Y, Cb, Cr] = p.layout;
  const [cw, ch] = chromaSize(p);
  const rgb = new Uint8Array(w * h * 3);
  const cbRow = new Uint8Array(cw * 2);
  const crRow = new Uint8Array(cw * 2);
  for (let oy = 0; oy < h; oy++) {
    // 4:2:0: this row's chroma, upsampled; 4:4:4: the planes' own rows, read in place.
    let [cb, cbAt, cr, crAt] = [data, Cb.offset + oy * Cb.stride, data, Cr.offset + oy * Cr.stride];
    if (p.format === 'I420') {
      const near = oy >> 1;
      const far = farChromaRow(oy, ch);
      upsampleRowJs(data, Cb.offset + near * Cb.stride, Cb.offset + far * Cb.stride, cw, cbRow);
      upsampleRowJs(data, Cr.offset + near * Cr.stride, Cr.offset + far * Cr.stride, cw, crRow);
      [cb, cbAt, cr, crAt] = [cbRow, 0, crRow, 0];
    }
    for (let x = 0; x < w; x++) {
      const y = data[Y.offset + oy * Y.stride + x] as number;
      const b = (cb[cbAt + x] as number) - 128;
      const r = (cr[crAt + x] as number) - 128;
      const o = (oy * w + x) * 3;
      rgb[o] = clamp8(y + ((CR_R * r + HALF) >> 16));
      rgb[o + 1] = clamp8(y + ((CB_G * b + HALF + CR_G * r) >> 16));
      rgb[o + 2] = clamp8(y + ((CB_B * b + HALF) >> 16));
    }
  }
  return rgb;
}

const i16x8 = (n: number): number[] =>
  v.const(Array.from({ length: 8 }, () => [n & 0xff, (n >> 8) & 0xff]).flat());
const i32x4 = (n: number): number[] =>
  v.const(
    Array.from({ length: 4 }, () => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24]).flat(),
  );

/**
 * upsample(near, far, n, out): a chroma row 2x wider, 8 samples per step, from the vertical
 * sums `3 * near + far` at i - 1, i and i + 1. Its two edge outputs read past the row and are
 * rewritten by the caller (libjpeg's special first and last columns).
 */
function upsampleKernel(): FunctionDef {
  const [near, far, n, out, i, p, q] = [0, 1, 2, 3, 4, 5, 6];
  const [prev, cur, next] = [7, 8, 9];
  const sum = (offset: number) => [
    ...op.get(p),
    ...v.load8x8U(offset),
    ...i16x8(3),
    ...v.mul16,
    ...op.get(q),
    ...v.load8x8U(offset),
    ...v.add16,
  ];
  const interleave = Array.from({ length: 16 }, (_, b) => (b % 2 === 0 ? b / 2 : 8 + (b - 1) / 2));
  return {
    name: 'upsample',
    params: 4,
    locals: [
      [3, I32],
      [3, V128],
    ],
    body: [
      [...op.i32(0), ...op.set(i), ...op.loop],
      [...op.get(near), ...op.get(i), ...op.add, ...op.i32(1), ...op.sub, ...op.set(p)],
      [...op.get(far), ...op.get(i), ...op.add, ...op.i32(1), ...op.sub, ...op.set(q)],
      [...sum(0), ...op.set(prev), ...sum(1), ...i16x8(3), ...v.mul16, ...op.set(cur)],
      [...sum(2), ...op.set(next)],
      // out + 2i <- interleave((3 cur + prev + 8) >> 4, (3 cur + next + 7) >> 4)
      [...op.get(out), ...op.get(i), ...op.get(i), ...op.add, ...op.add],
      [...op.get(cur), ...op.get(prev), ...v.add16, ...i16x8(8), ...v.add16, ...op.i32(4)],
      [...v.shrU16, ...op.get(cur), ...op.get(next), ...v.add16, ...i16x8(7), ...v.add16],
      [...op.i32(4), ...v.shrU16, ...v.narrowU8, ...op.tee(prev), ...op.get(prev)],
      [...v.shuffle(interleave), ...v.store()],
      [...op.get(i), ...op.i32(8), ...op.add, ...op.tee(i), ...op.get(n), ...op.ltU],
      [...op.brIf(0), ...op.end],
    ],
  };
}

/** Byte pattern of RGB output vector `c` (0-2) from planes: [source 0/1/2, lane] per byte. */
const rgbBytes = (c: number) =>
  Array.from({ length: 16 }, (_, j) => [(16 * c + j) % 3, Math.floor((16 * c + j) / 3)] as const);

/**
 * convert(y, cb, cr, n, out): `n` pixels of one row to RGB, 16 at a time (writes up to 47 bytes
 * past the row). Each quarter of 4 pixels in int32 lanes: the same products and shifts as
 * jdcolor.c's tables, then saturating narrows clamp to 0..255 as its range limit does.
 */
function convertKernel(): FunctionDef {
  const [y, cb, cr, n, out, x] = [0, 1, 2, 3, 4, 5];
  const [vy, vb, vr, R, G, B] = [6, 7, 8, 9, 10, 11];
  const quarter = (local: number, q: number) => [
    ...op.get(local),
    ...(q < 2 ? v.extLowU8 : v.extHighU8),
    ...(q % 2 === 0 ? v.extLowU16 : v.extHighU16),
  ];
  const centred = (local: number, q: number) => [...quarter(local, q), ...i32x4(-128), ...v.add];
  const shifted = [...i32x4(HALF), ...v.add, ...op.i32(16), ...v.shrS];
  const red = (q: number) => [
    ...quarter(vy, q),
    ...centred(vr, q),
    ...i32x4(CR_R),
    ...v.mul,
    ...shifted,
    ...v.add,
  ];
  const blue = (q: number) => [
    ...quarter(vy, q),
    ...centred(vb, q),
    ...i32x4(CB_B),
    ...v.mul,
    ...shifted,
    ...v.add,
  ];
  const green = (q: number) => [
    ...quarter(vy, q),
    ...centred(vb, q),
    ...i32x4(CB_G),
    ...v.mul,
    ...centred(vr, q),
    ...i32x4(CR_G),
    ...v.mul,
    ...v.add,
    ...shifted,
    ...v.add,
  ];
  const bytes8 = (f: (q: number) => number[]) => [
    ...f(0),
    ...f(1),
    ...v.narrowS16,
    ...f(2),
    ...f(3),
    ...v.narrowS16,
    ...v.narrowU8,
  ];
  const store = (c: number) => {
    const pattern = rgbBytes(c);
    const rg = pattern.map(([s, lane]) => (s === 0 ? lane : s === 1 ? 16 + lane : 0));
    const rgb = pattern.map(([s, lane], j) => (s === 2 ? 16 + lane : j));
    return [
      ...op.get(out),
      ...op.get(R),
      ...op.get(G),
      ...v.shuffle(rg),
      ...op.get(B),
      ...v.shuffle(rgb),
      ...v.store(16 * c),
    ];
  };
  return {
    name: 'convert',
    params: 5,
    locals: [
      [1, I32],
      [6, V128],
    ],
    body: [
      [...op.i32(0), ...op.set(x), ...op.loop],
      [...op.get(y), ...op.get(x), ...op.add, ...v.load(), ...op.set(vy)],
      [...op.get(cb), ...op.get(x), ...op.add, ...v.load(), ...op.set(vb)],
      [...op.get(cr), ...op.get(x), ...op.add, ...v.load(), ...op.set(vr)],
      [...bytes8(red), ...op.set(R), ...bytes8(green), ...op.set(G), ...bytes8(blue), ...op.set(B)],
      [...store(0), ...store(1), ...store(2)],
      [...op.get(out), ...op.i32(48), ...op.add, ...op.set(out)],
      [...op.get(x), ...op.i32(16), ...op.add, ...op.tee(x), ...op.get(n), ...op.ltU],
      [...op.brIf(0), ...op.end],
    ],
  };
}

let compiled: WebAssembly.Module | null | undefined;

function kernelModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    compiled = new WebAssembly.Module(buildModule([upsampleKernel(), convertKernel()]));
  } catch {
    compiled = null; // no SIMD, or a CSP without 'wasm-unsafe-eval'
  }
  return compiled;
}

const PAD = 64;
/** An upsampled chroma row's room: 2n bytes, the kernel's last 16-byte store past them, a pad. */
const chromaRowBytes = (n: number): number => ((n * 2 + 16 + 15) & ~15) + PAD;

/**
 * One instance of the kernels with its own memory: the caller writes the planes into
 * `planes(size)` (a view of that memory, e.g. with `VideoFrame.copyTo`), then `toRgbView` converts
 * them. Not shared between calls in flight; see `YccKernels.take` / `give`.
 */
export class YccKernels {
  private readonly memory: WebAssembly.Memory;
  private readonly upsample: (near: number, far: number, n: number, out: number) => void;
  private readonly convert: (y: number, cb: number, cr: number, n: number, out: number) => void;
  private static idle: YccKernels[] = [];

  private constructor(module: WebAssembly.Module) {
    const e = new WebAssembly.Instance(module).exports as Record<string, unknown>;
    this.memory = e.memory as WebAssembly.Memory;
    this.upsample = e.upsample as YccKernels['upsample'];
    this.convert = e.convert as YccKernels['convert'];
  }

  /** An idle instance or a new one; null where WebAssembly SIMD is unavailable. */
  static take(): YccKernels | null {
    const idle = YccKernels.idle.pop();
    if (idle) return idle;
    const module = kernelModule();
    try {
      return module ? new YccKernels(module) : null;
    } catch {
      return null; // no memory for another instance: the caller decodes otherwise
    }
  }

  /** Back for the next image, unless its memory grew past `keepBytes` (WASM memory only grows). */
  static give(k: YccKernels, keepBytes: number): void {
    if (k.memory.buffer.byteLength <= keepBytes && YccKernels.idle.length < 1) {
      YccKernels.idle.push(k);
    }
  }

  /** Lets the idle instance go (its memory with it), e.g. when no photo came for a while. */
  static dropIdle(): void {
    YccKernels.idle = [];
  }

  /** A view of `size` bytes of this instance's memory for the planes (valid until `toRgbView`). */
  planes(size: number): Uint8Array {
    this.ensure(PAD + size + PAD);
    return new Uint8Array(this.memory.buffer, PAD, size);
  }

  /**
   * RGB of the planes written into `planes()` (layout relative to that view), left in this
   * instance's memory: a view, valid until the instance is used again (its memory may then grow,
   * which detaches the view). No fresh full-size array,
   * whose first writes fault in every page (20-30 ms of CPU at 12 MP).
   */
  toRgbView(p: Omit<YccPlanes, 'data'>): Uint8Array {
    const out = this.scratch(p, p.height);
    const mem = this.rows(p, 0, p.height, out);
    return mem.subarray(out, out + p.width * p.height * 3);
  }

  /** Where the output rows go (after the planes and two upsampled chroma rows), memory grown. */
  private scratch(p: Omit<YccPlanes, 'data'>, rows: number): number {
    const [cw, ch] = chromaSize(p);
    const planesEnd =
      PAD + Math.max(...p.layout.map((l, i) => l.offset + l.stride * (i === 0 ? p.height : ch)));
    const out = ((planesEnd + PAD + 15) & ~15) + 2 * chromaRowBytes(cw);
    this.ensure(out + rows * p.width * 3 + PAD);
    return out;
  }

  /** Rows `top .. top + rows - 1` converted to RGB at `out`; the memory's current bytes. */
  private rows(p: Omit<YccPlanes, 'data'>, top: number, rows: number, out: number): Uint8Array {
    const w = p.width;
    const at = (l: PlaneLayout): PlaneLayout => ({ offset: PAD + l.offset, stride: l.stride });
    const [Y, Cb, Cr] = [at(p.layout[0]), at(p.layout[1]), at(p.layout[2])];
    const [cw, ch] = chromaSize(p);
    const rowBytes = chromaRowBytes(cw);
    const [cbRow, crRow] = [out - 2 * rowBytes, out - rowBytes];
    const mem = new Uint8Array(this.memory.buffer);
    for (let r = 0; r < rows; r++) {
      const oy = top + r;
      const to = out + r * w * 3;
      if (p.format === 'I420') {
        const near = oy >> 1;
        const far = farChromaRow(oy, ch);
        this.chromaRow(mem, Cb.offset + near * Cb.stride, Cb.offset + far * Cb.stride, cw, cbRow);
        this.chromaRow(mem, Cr.offset + near * Cr.stride, Cr.offset + far * Cr.stride, cw, crRow);
        this.convert(Y.offset + oy * Y.stride, cbRow, crRow, w, to);
      } else {
        const [y, cb, cr] = [
          Y.offset + oy * Y.stride,
          Cb.offset + oy * Cb.stride,
          Cr.offset + oy * Cr.stride,
        ];
        this.convert(y, cb, cr, w, to);
      }
    }
    return mem;
  }

  private chromaRow(mem: Uint8Array, near: number, far: number, n: number, out: number): void {
    if (n < FANCY_MIN) {
      for (let i = 0; i < n; i++) mem[out + 2 * i] = mem[out + 2 * i + 1] = mem[near + i] as number;
      return;
    }
    this.upsample(near, far, n, out);
    // libjpeg's first and last columns: the nearer sample alone on the outer side.
    const first = (mem[near] as number) * 3 + (mem[far] as number);
    const last = (mem[near + n - 1] as number) * 3 + (mem[far + n - 1] as number);
    mem[out] = (first * 4 + 8) >> 4;
    mem[out + 2 * n - 1] = (last * 4 + 7) >> 4;
  }

  private ensure(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (have < bytes) this.memory.grow(Math.ceil((bytes - have) / 65536));
  }
}
