/** Bounds-checked reading of image headers, shared by the per-format parsers of image-header. */

/** Thrown inside the parsers only: the bytes ended first (a truncated file, or only its start). */
export class OutOfBytes extends Error {}
/** Thrown inside the parsers only: the header is invalid, with why. */
export class Corrupt extends Error {}
/** Thrown inside the parsers only: the header does not state the decoded size. */
export class SizeUnknown extends Error {}

/** Bounds-checked reads: running off the end means the header is truncated. */
export class Bytes {
  constructor(readonly b: Uint8Array) {}
  get length(): number {
    return this.b.length;
  }
  u8(i: number): number {
    const v = this.b[i];
    if (v === undefined) throw new OutOfBytes();
    return v;
  }
  u16be(i: number): number {
    return (this.u8(i) << 8) | this.u8(i + 1);
  }
  u16le(i: number): number {
    return this.u8(i) | (this.u8(i + 1) << 8);
  }
  u24le(i: number): number {
    return this.u8(i) | (this.u8(i + 1) << 8) | (this.u8(i + 2) << 16);
  }
  u32be(i: number): number {
    return this.u16be(i) * 0x10000 + this.u16be(i + 2);
  }
  u32le(i: number): number {
    return this.u16le(i) + this.u16le(i + 2) * 0x10000;
  }
  i32le(i: number): number {
    return this.u32le(i) | 0;
  }
  ascii(i: number, n: number): string {
    let s = '';
    for (let k = 0; k < n; k++) s += String.fromCharCode(this.u8(i + k));
    return s;
  }
  startsWith(sig: readonly number[], at = 0): boolean {
    return sig.every((v, k) => this.b[at + k] === v);
  }
}

/** What a parser learns from a header. */
export interface Dims {
  width?: number;
  height?: number;
  /** True/false when the header says; absent when unknown. */
  animated?: boolean;
  /**
   * The bytes ended before every frame was seen, so width x height bounds only the frames seen:
   * a caller holding only the start of the file must read the rest before decoding.
   */
  framesUnseen?: boolean;
}

export const dims = (width: number, height: number): { width: number; height: number } => {
  if (width < 1 || height < 1) throw new Corrupt(`header gives a ${width}x${height} image`);
  return { width, height };
};

/**
 * The size a decoder allocates for a frame placed at (left, top) on a canvas: decoders grow the
 * canvas to a first frame larger than the screen (Chromium's GIF reader does), so the bound is
 * the union of the canvas and every frame.
 */
export class Extent {
  width: number;
  height: number;
  constructor(width: number, height: number) {
    this.width = width;
    this.height = height;
  }
  add(left: number, top: number, width: number, height: number): void {
    this.width = Math.max(this.width, left + width);
    this.height = Math.max(this.height, top + height);
  }
}
