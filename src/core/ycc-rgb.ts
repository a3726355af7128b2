/**
 * The last two steps of libjpeg-turbo's decoder, as PIL runs them: "fancy" upsampling of 4:2:0
 * and 4:2:2 chroma (jdsample.c `h2v2_fancy_upsample`, `h2v1_fancy_upsample`: a triangle filter,
 * 3/4 of the nearer sample and 1/4 of the further one on each subsampled axis, with libjpeg's
 * rounding biases) and YCbCr to RGB (`ycc_rgb_convert`, jdcolor.c: 16-bit fixed point, clamped).
 * Given the planes a decoder leaves before those steps (the browser's WebCodecs `ImageDecoder`
 * gives them for 4:2:0, 4:2:2 and 4:4:4 JPEGs), they give libjpeg-turbo's RGB bytes exactly: the
 * IDCT, the costly part, runs natively.
 *
 * `yccToRgbJs` is the plain reference; `YccKernels` runs the same integer arithmetic in
 * WebAssembly SIMD (ycc-rgb-wasm.ts), 16 pixels at a time.
 */
import { CB_B, CB_G, CR_G, CR_R, HALF, kernelModule } from './ycc-rgb-wasm.ts';

export type YccFormat = 'I420' | 'I422' | 'I444';

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

/** The chroma planes' size: libjpeg's downsampled width and height (rounded up). */
export function chromaSize(p: Pick<YccPlanes, 'format' | 'width' | 'height'>): [number, number] {
  const cw = p.format === 'I444' ? p.width : (p.width + 1) >> 1;
  return [cw, p.format === 'I420' ? (p.height + 1) >> 1 : p.height];
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

/**
 * Where the chroma rows output row `oy` reads start in plane `l`: 4:2:0 the nearer and the
 * further row (the vertical filter), 4:2:2 its own row alone.
 */
function chromaAt(
  format: YccFormat,
  l: PlaneLayout,
  oy: number,
  ch: number,
): [number, number | undefined] {
  if (format !== 'I420') return [l.offset + oy * l.stride, undefined];
  return [l.offset + (oy >> 1) * l.stride, l.offset + farChromaRow(oy, ch) * l.stride];
}

/**
 * One chroma row upsampled 2x: 4:2:0 from the vertical sums `3 * near + far` (biases 8 and 7,
 * >> 4), 4:2:2 from the row alone (biases 1 and 2, >> 2); copied when narrow.
 */
function upsampleRowJs(
  src: Uint8Array,
  near: number,
  far: number | undefined,
  n: number,
  out: Uint8Array,
) {
  if (n < FANCY_MIN) {
    for (let i = 0; i < n; i++) out[2 * i] = out[2 * i + 1] = src[near + i] as number;
    return;
  }
  const v = (i: number): number => src[near + i] as number;
  if (far === undefined) {
    for (let i = 0; i < n; i++) {
      out[2 * i] = i === 0 ? v(0) : (v(i) * 3 + v(i - 1) + 1) >> 2;
      out[2 * i + 1] = i === n - 1 ? v(i) : (v(i) * 3 + v(i + 1) + 2) >> 2;
    }
    return;
  }
  const sum = (i: number): number => v(i) * 3 + (src[far + i] as number);
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
    // 4:2:0 and 4:2:2: this row's chroma, upsampled; 4:4:4: the planes' own rows, in place.
    let [cb, cbAt, cr, crAt] = [data, Cb.offset + oy * Cb.stride, data, Cr.offset + oy * Cr.stride];
    if (p.format !== 'I444') {
      upsampleRowJs(data, ...chromaAt(p.format, Cb, oy, ch), cw, cbRow);
      upsampleRowJs(data, ...chromaAt(p.format, Cr, oy, ch), cw, crRow);
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

const PAD = 64;
/** An upsampled chroma row's room: 2n bytes, the kernel's last 16-byte store past them, a pad. */
const chromaRowBytes = (n: number): number => ((n * 2 + 16 + 15) & ~15) + PAD;

/**
 * One instance of the kernels with its own memory: the caller writes the planes into
 * `planes(size)` (a view of that memory, e.g. with `VideoFrame.copyTo`), then `toRgbView` converts
 * them. Not shared between calls in flight: `YccKernels.inTurn` lends a thread's one instance.
 */
export class YccKernels {
  private readonly memory: WebAssembly.Memory;
  private readonly upsample: (near: number, far: number, n: number, out: number) => void;
  private readonly upsampleRow: (near: number, far: number, n: number, out: number) => void;
  private readonly convert: (y: number, cb: number, cr: number, n: number, out: number) => void;
  /** The thread's instance (none before the first call, or once let go). */
  private static kept: YccKernels | undefined;
  private static turn: Promise<unknown> = Promise.resolve();

  private constructor(module: WebAssembly.Module) {
    const e = new WebAssembly.Instance(module).exports as Record<string, unknown>;
    this.memory = e.memory as WebAssembly.Memory;
    this.upsample = e.upsample as YccKernels['upsample'];
    this.upsampleRow = e.upsampleRow as YccKernels['upsample'];
    this.convert = e.convert as YccKernels['convert'];
  }

  /**
   * Runs `work` with this thread's instance, one call at a time (undefined where WebAssembly SIMD
   * is unavailable). Callers may await inside `work` (a frame's copy into `planes`); the next call
   * waits. Photos decoded side by side thus share one instance whose memory is already faulted
   * in: a second one, made while the first was lent, met fresh memory and was let go again, so
   * each 12 MP photo paid about 150 ms of CPU to fault in its planes and RGB. The instance is
   * kept unless its memory grew past `keepBytes` (WASM memory only grows).
   */
  static inTurn<T>(keepBytes: number, work: (k: YccKernels) => Promise<T>): Promise<T | undefined> {
    const run = YccKernels.turn.then(async () => {
      const k = YccKernels.take();
      if (!k) return undefined;
      try {
        return await work(k);
      } finally {
        YccKernels.kept = k.memory.buffer.byteLength <= keepBytes ? k : undefined;
      }
    });
    // Settled with nothing: the chain must not hold the last call's result (a photo's pixels).
    YccKernels.turn = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** The kept instance or a new one; null where WebAssembly SIMD is unavailable. */
  private static take(): YccKernels | null {
    if (YccKernels.kept) return YccKernels.kept;
    const module = kernelModule();
    try {
      return module ? new YccKernels(module) : null;
    } catch {
      return null; // no memory for another instance: the caller decodes otherwise
    }
  }

  /** Lets the idle instance go (its memory with it), e.g. when no photo came for a while. */
  static dropIdle(): void {
    YccKernels.kept = undefined;
  }

  /** A view of `size` bytes of this instance's memory for the planes (valid until `toRgbView`). */
  planes(size: number): Uint8Array {
    this.ensure(PAD + size + PAD);
    return new Uint8Array(this.memory.buffer, PAD, size);
  }

  /**
   * RGB of the planes written into `planes()` (layout relative to that view), left in this
   * instance's memory: a view, valid until the instance is used again (its memory may then grow,
   * which detaches the view). No fresh full-size array, whose first writes fault in every page
   * (20-30 ms of CPU at 12 MP).
   */
  toRgbView(p: Omit<YccPlanes, 'data'>): Uint8Array {
    const { width: w, height: h } = p;
    const at = (l: PlaneLayout): PlaneLayout => ({ offset: PAD + l.offset, stride: l.stride });
    const [Y, Cb, Cr] = [at(p.layout[0]), at(p.layout[1]), at(p.layout[2])];
    const [cw, ch] = chromaSize(p);
    // After the planes: two upsampled chroma rows, then the RGB.
    const planesEnd = Math.max(...[Y, Cb, Cr].map((l, i) => l.offset + l.stride * (i ? ch : h)));
    const cbRow = (planesEnd + PAD + 15) & ~15;
    const crRow = cbRow + chromaRowBytes(cw);
    const out = crRow + chromaRowBytes(cw);
    this.ensure(out + w * h * 3 + PAD);
    const mem = new Uint8Array(this.memory.buffer);
    for (let oy = 0; oy < h; oy++) {
      const to = out + oy * w * 3;
      const y = Y.offset + oy * Y.stride;
      if (p.format === 'I444') {
        this.convert(y, Cb.offset + oy * Cb.stride, Cr.offset + oy * Cr.stride, w, to);
        continue;
      }
      this.chromaRow(mem, ...chromaAt(p.format, Cb, oy, ch), cw, cbRow);
      this.chromaRow(mem, ...chromaAt(p.format, Cr, oy, ch), cw, crRow);
      this.convert(y, cbRow, crRow, w, to);
    }
    return mem.subarray(out, out + w * h * 3);
  }

  private chromaRow(
    mem: Uint8Array,
    near: number,
    far: number | undefined,
    n: number,
    out: number,
  ): void {
    if (n < FANCY_MIN) {
      for (let i = 0; i < n; i++) mem[out + 2 * i] = mem[out + 2 * i + 1] = mem[near + i] as number;
      return;
    }
    if (far === undefined) {
      this.upsampleRow(near, near, n, out);
      // libjpeg's first and last columns (4:2:2): the edge samples themselves.
      mem[out] = mem[near] as number;
      mem[out + 2 * n - 1] = mem[near + n - 1] as number;
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
