/**
 * Header parsers for the formats that can hold several frames (GIF, PNG/APNG, WebP): every frame
 * is walked, not only the first header, because a decoder allocates for the largest of them (a
 * GIF with a 1x1 screen and a 20000x20000 first frame decodes at 20000x20000).
 */
import { Corrupt, Extent, OutOfBytes, dims, type Bytes, type Dims } from './image-bytes.ts';

/** Runs `walk`; if the bytes end inside it, what was seen so far, marked `framesUnseen`. */
function walkFrames(extent: Extent, walk: () => boolean | undefined): Dims {
  try {
    const animated = walk();
    const out: Dims = { width: extent.width, height: extent.height };
    if (animated !== undefined) out.animated = animated;
    return out;
  } catch (e) {
    if (e instanceof OutOfBytes) {
      return { width: extent.width, height: extent.height, framesUnseen: true };
    }
    throw e;
  }
}

export function gif(r: Bytes): Dims {
  const screen = dims(r.u16le(6), r.u16le(8));
  const extent = new Extent(screen.width, screen.height);
  const skipSubBlocks = (q: number): number => {
    for (let n = r.u8(q); n !== 0; n = r.u8(q)) q += n + 1;
    return q + 1;
  };
  return walkFrames(extent, () => {
    const flags = r.u8(10);
    let p = 13 + (flags & 0x80 ? 3 << ((flags & 7) + 1) : 0);
    let frames = 0;
    for (;;) {
      const b = r.u8(p);
      if (b === 0x3b) return frames > 1; // trailer
      if (b === 0x21) {
        p = skipSubBlocks(p + 2);
      } else if (b === 0x2c) {
        frames++;
        extent.add(r.u16le(p + 1), r.u16le(p + 3), r.u16le(p + 5), r.u16le(p + 7));
        const f = r.u8(p + 9);
        p += 10 + (f & 0x80 ? 3 << ((f & 7) + 1) : 0);
        p = skipSubBlocks(p + 1); // after the LZW minimum code size
      } else {
        return frames > 1; // garbage after the frames: decoders stop there
      }
    }
  });
}

export function png(r: Bytes): Dims {
  if (r.u32be(8) !== 13 || r.ascii(12, 4) !== 'IHDR')
    throw new Corrupt('PNG does not start with IHDR');
  const d = dims(r.u32be(16), r.u32be(20));
  if (d.width > 0x7fffffff || d.height > 0x7fffffff) throw new Corrupt('PNG size out of range');
  const extent = new Extent(d.width, d.height);
  // APNG: an acTL chunk before the first IDAT makes it animated; then every fcTL (frame control)
  // up to IEND is a frame. Without acTL, decoders show IDAT alone and ignore later fcTL.
  return walkFrames(extent, () => {
    let frames: number | undefined; // acTL's frame count, once seen
    for (let p = 33; ;) {
      const len = r.u32be(p);
      const type = r.ascii(p + 4, 4);
      if (type === 'acTL') frames = r.u32be(p + 8);
      if (type === 'fcTL') {
        extent.add(r.u32be(p + 20), r.u32be(p + 24), r.u32be(p + 12), r.u32be(p + 16));
      }
      if (type === 'IEND' || (type === 'IDAT' && frames === undefined)) return (frames ?? 1) > 1;
      p += 12 + len;
    }
  });
}

/** Width and height of a VP8 or VP8L bitstream whose chunk header starts at `p`. */
function webpBitstream(r: Bytes, p: number, chunk: string): { width: number; height: number } {
  const at = p + 8;
  if (chunk === 'VP8 ') {
    if (!r.startsWith([0x9d, 0x01, 0x2a], at + 3)) throw new Corrupt('WebP VP8 start code missing');
    return dims(r.u16le(at + 6) & 0x3fff, r.u16le(at + 8) & 0x3fff);
  }
  if (r.u8(at) !== 0x2f) throw new Corrupt('WebP VP8L signature missing');
  const bits = r.u32le(at + 1);
  return dims((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
}

const isBitstream = (chunk: string): boolean => chunk === 'VP8 ' || chunk === 'VP8L';
const chunkEnd = (r: Bytes, p: number): number => p + 8 + r.u32le(p + 4) + (r.u32le(p + 4) & 1);

export function webp(r: Bytes): Dims {
  const chunk = r.ascii(12, 4);
  if (isBitstream(chunk)) return { ...webpBitstream(r, 12, chunk), animated: false };
  if (chunk !== 'VP8X') throw new Corrupt(`WebP starts with an unknown chunk "${chunk}"`);
  const canvas = dims(r.u24le(24) + 1, r.u24le(27) + 1);
  const animated = (r.u8(20) & 0x02) !== 0;
  const extent = new Extent(canvas.width, canvas.height);
  // Every image the decoder may meet: a still's bitstream, or each ANMF frame's, at its offset.
  const riffEnd = 8 + r.u32le(4);
  return walkFrames(extent, () => {
    for (let p = chunkEnd(r, 12); p < riffEnd; p = chunkEnd(r, p)) {
      const type = r.ascii(p, 4);
      if (isBitstream(type)) {
        const b = webpBitstream(r, p, type);
        extent.add(0, 0, b.width, b.height);
        if (!animated) return false; // a still has one bitstream; metadata may follow
      } else if (type === 'ANMF') {
        const q = p + 8;
        const [x, y] = [r.u24le(q) * 2, r.u24le(q + 3) * 2];
        extent.add(x, y, r.u24le(q + 6) + 1, r.u24le(q + 9) + 1);
        // The frame's own bitstream (after an optional ALPH chunk) states its real size.
        for (let s = q + 16; s < chunkEnd(r, p); s = chunkEnd(r, s)) {
          const sub = r.ascii(s, 4);
          if (isBitstream(sub)) {
            const b = webpBitstream(r, s, sub);
            extent.add(x, y, b.width, b.height);
          }
        }
      }
    }
    return animated;
  });
}
