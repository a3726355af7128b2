/**
 * A tiny WebAssembly binary writer: enough to build the resampling kernels (resize-wasm.ts) at
 * run time from readable code, with no toolchain and no binary checked in. Functions take i32
 * parameters, return nothing, and share one exported memory.
 */

export const I32 = 0x7f;
export const V128 = 0x7b;

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (i32 range). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

/** Core opcodes used by the kernels. */
export const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (v: number) => [0x41, ...sleb(v)],
  /** i32.load with 4-byte alignment. */
  load: (offset = 0) => [0x28, 2, ...uleb(offset)],
  add: [0x6a],
  sub: [0x6b],
  mul: [0x6c],
  geU: [0x4f],
  ltU: [0x49],
  eqz: [0x45],
};

const simd = (code: number, ...imm: number[]): number[] => [0xfd, ...uleb(code), ...imm];

/** SIMD opcodes (final numbering of the SIMD proposal), alignment hints of 1 byte. */
export const v = {
  load: (offset = 0) => simd(0x00, 0, ...uleb(offset)),
  /** v128.load8x8_u: 8 bytes widened to 8 unsigned 16-bit lanes. */
  load8x8U: (offset = 0) => simd(0x02, 0, ...uleb(offset)),
  load32Splat: (offset = 0) => simd(0x09, 0, ...uleb(offset)),
  store: (offset = 0) => simd(0x0b, 0, ...uleb(offset)),
  const: (bytes: readonly number[]) => simd(0x0c, ...bytes),
  shuffle: (lanes: readonly number[]) => simd(0x0d, ...lanes),
  swizzle: simd(0x0e),
  i32Splat: simd(0x11),
  store32Lane: (lane: number) => simd(0x5a, 0, 0, lane),
  narrowU8: simd(0x66),
  narrowS16: simd(0x85),
  extLowU8: simd(0x89),
  extHighU8: simd(0x8a),
  extLowU16: simd(0xa9),
  extHighU16: simd(0xaa),
  add16: simd(0x8e),
  mul16: simd(0x95),
  shrU16: simd(0x8d),
  shrS: simd(0xac),
  add: simd(0xae),
  mul: simd(0xb5),
};

export interface FunctionDef {
  name: string;
  params: number;
  /** Extra locals by type, after the params: [count, type] pairs. */
  locals: [number, number][];
  body: number[][];
}

/** A module with one memory (exported as `memory`) and the given exported functions. */
export function buildModule(functions: readonly FunctionDef[]): Uint8Array<ArrayBuffer> {
  const types = functions.map((f) => [
    0x60,
    ...vec(Array.from({ length: f.params }, () => [I32])),
    0,
  ]);
  const code = functions.map((f) => {
    const body = [...vec(f.locals.map(([n, t]) => [...uleb(n), t])), ...f.body.flat(), 0x0b];
    return [...uleb(body.length), ...body];
  });
  const name = (text: string): number[] => {
    const utf8 = new TextEncoder().encode(text);
    return [...uleb(utf8.length), ...utf8];
  };
  const exports = [
    [...name('memory'), 0x02, 0],
    ...functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]),
  ];
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(3, vec(functions.map((_, i) => uleb(i)))),
    ...section(5, vec([[0x00, ...uleb(1)]])),
    ...section(7, vec(exports)),
    ...section(10, vec(code)),
  ];
  return new Uint8Array(bytes);
}
