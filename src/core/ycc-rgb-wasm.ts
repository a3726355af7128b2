/**
 * The WebAssembly SIMD kernels of ycc-rgb.ts, built at run time with wasm-emit.ts (no toolchain,
 * no binary in git): libjpeg-turbo's chroma upsampling (4:2:0 and 4:2:2) and YCbCr to RGB, the
 * same integer arithmetic as the reference there, 8 chroma samples or 16 pixels a step.
 */
import { buildModule, I32, op, V128, v, type FunctionDef } from './wasm-emit.ts';

/** jdcolor.c's FIX(): a C cast of a positive double, i.e. floor. */
const fix = (x: number): number => Math.floor(x * 65536 + 0.5);
export const CR_R = fix(1.402);
export const CB_B = fix(1.772);
export const CB_G = -fix(0.34414);
export const CR_G = -fix(0.71414);
export const HALF = 1 << 15;

const i16x8 = (n: number): number[] =>
  v.const(Array.from({ length: 8 }, () => [n & 0xff, (n >> 8) & 0xff]).flat());
const i32x4 = (n: number): number[] =>
  v.const(
    Array.from({ length: 4 }, () => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24]).flat(),
  );

/**
 * upsample(near, far, n, out): a chroma row 2x wider, 8 samples per step, from the vertical sums
 * `3 * near + far` at i - 1, i and i + 1 (4:2:0); upsampleRow(near, _, n, out): from the row's
 * own samples (4:2:2). Their two edge outputs read past the row and are rewritten by the caller
 * (libjpeg's special first and last columns).
 */
function upsampleKernel(vertical: boolean): FunctionDef {
  const [near, far, n, out, i, p, q] = [0, 1, 2, 3, 4, 5, 6];
  const [prev, cur, next] = [7, 8, 9];
  // 4:2:0: the vertical sums 3 * near + far, biases 8 and 7, >> 4; 4:2:2: the row, 1 and 2, >> 2.
  const [evenBias, oddBias, shift] = vertical ? [8, 7, 4] : [1, 2, 2];
  const sum = (offset: number) =>
    vertical
      ? [
          ...op.get(p),
          ...v.load8x8U(offset),
          ...i16x8(3),
          ...v.mul16,
          ...op.get(q),
          ...v.load8x8U(offset),
          ...v.add16,
        ]
      : [...op.get(p), ...v.load8x8U(offset)];
  const interleave = Array.from({ length: 16 }, (_, b) => (b % 2 === 0 ? b / 2 : 8 + (b - 1) / 2));
  return {
    name: vertical ? 'upsample' : 'upsampleRow',
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
      // out + 2i <- interleave((3 cur + prev + even) >> shift, (3 cur + next + odd) >> shift)
      [...op.get(out), ...op.get(i), ...op.get(i), ...op.add, ...op.add],
      [...op.get(cur), ...op.get(prev), ...v.add16, ...i16x8(evenBias), ...v.add16],
      [...op.i32(shift), ...v.shrU16, ...op.get(cur), ...op.get(next), ...v.add16],
      [...i16x8(oddBias), ...v.add16, ...op.i32(shift), ...v.shrU16],
      [...v.narrowU8, ...op.tee(prev), ...op.get(prev), ...v.shuffle(interleave), ...v.store()],
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
  // R and B: one chroma term each, the rounded product shifted (jdcolor.c's Cr_r_tab, Cb_b_tab).
  const single = (chroma: number, k: number) => (q: number) => [
    ...quarter(vy, q),
    ...centred(chroma, q),
    ...i32x4(k),
    ...v.mul,
    ...shifted,
    ...v.add,
  ];
  const [red, blue] = [single(vr, CR_R), single(vb, CB_B)];
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

export function kernelModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    compiled = new WebAssembly.Module(
      buildModule([upsampleKernel(true), upsampleKernel(false), convertKernel()]),
    );
  } catch {
    compiled = null; // no SIMD, or a CSP without 'wasm-unsafe-eval'
  }
  return compiled;
}
