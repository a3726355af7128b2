/**
 * What a JPEG's markers say before its scan data, for choosing a decoder: the frame (coding
 * process, precision, components, size) and the EXIF orientation.
 * Pure and bounds-checked: a file that ends or breaks first gives undefined (the caller then
 * keeps the browser's decoder, which reports the error as before).
 */
import { Bytes, Corrupt } from './image-bytes.ts';

export interface JpegInfo {
  width: number;
  height: number;
  /** The SOF marker's low nibble: 0 baseline, 1 extended, 2 progressive, 3 lossless, 9+ arithmetic. */
  process: number;
  precision: number;
  components: number;
  /**
   * Each component's sampling factors as in the frame header (horizontal << 4 | vertical); empty
   * where the header ends before them.
   */
  sampling: number[];
  /** EXIF orientation (1-8) from the first APP1 "Exif" segment; 1 when absent or out of range. */
  orientation: number;
}

const EXIF = [0x45, 0x78, 0x69, 0x66, 0, 0]; // "Exif\0\0"

type JpegFrame = Omit<JpegInfo, 'orientation'>;

/**
 * Walks the markers from SOI to the first scan (SOS): the first frame header, and the full
 * `info` when the walk reached the scan cleanly (undefined when it ended or broke after the
 * frame, or the EXIF block is broken). Before the frame, a broken structure throws `Corrupt` and
 * bytes that end throw `OutOfBytes` (the header check's `jpeg()` names them; image-header.ts).
 */
export function walkJpeg(r: Bytes): { frame: JpegFrame; info: JpegInfo | undefined } {
  let frame: JpegFrame | undefined;
  let orientation: number | undefined;
  let exifBroken = false;
  const stop = (error: Error): { frame: JpegFrame; info: undefined } => {
    if (!frame) throw error;
    return { frame, info: undefined };
  };
  try {
    for (let p = 2; ;) {
      if (r.u8(p) !== 0xff) return stop(new Corrupt(`no JPEG marker at byte ${p}`));
      while (r.u8(p) === 0xff) p++; // fill bytes
      const m = r.u8(p++);
      // Markers without a length: TEM, RST0-7, SOI.
      if (m === 0x01 || (m >= 0xd0 && m <= 0xd8)) continue;
      if (m === 0xd9 || m === 0xda) {
        if (!frame) throw new Corrupt('JPEG has no frame header before its data');
        const info =
          m === 0xda && !exifBroken ? { ...frame, orientation: orientation ?? 1 } : undefined;
        return { frame, info };
      }
      const len = r.u16be(p);
      if (len < 2) return stop(new Corrupt('JPEG segment length < 2'));
      const body = p + 2;
      // SOF0-15 except DHT (C4), JPG (C8), DAC (CC).
      if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
        frame ??= {
          process: m & 0x0f,
          precision: r.u8(body),
          height: r.u16be(body + 1),
          width: r.u16be(body + 3),
          components: r.u8(body + 5),
          sampling: samplingFactors(r, body + 6, r.u8(body + 5)),
        };
      } else if (m === 0xe1 && orientation === undefined && r.startsWith(EXIF, body)) {
        try {
          orientation = exifOrientation(r, body + 6, body + len - 2);
        } catch {
          exifBroken = true;
          orientation = 1;
        }
      }
      p += len;
    }
  } catch (error) {
    return stop(error as Error); // ran off the end: the frame, if seen, without the rest
  }
}

function samplingFactors(r: Bytes, at: number, components: number): number[] {
  try {
    return Array.from({ length: components }, (_, i) => r.u8(at + 3 * i + 1));
  } catch {
    return []; // the header ends inside its component list: the decoders report it
  }
}

/** Reads the markers from SOI up to the first scan (SOS); undefined where they break or end. */
export function readJpegInfo(bytes: Uint8Array): JpegInfo | undefined {
  const r = new Bytes(bytes);
  if (!r.startsWith([0xff, 0xd8])) return undefined;
  try {
    return walkJpeg(r).info;
  } catch {
    return undefined;
  }
}

/** Orientation tag (0x0112) of IFD0 in the TIFF block at `tiff`; 1 where absent or invalid. */
function exifOrientation(r: Bytes, tiff: number, end: number): number {
  const le = r.u8(tiff) === 0x49;
  const u16 = (i: number): number => (le ? r.u16le(i) : r.u16be(i));
  const u32 = (i: number): number => (le ? r.u32le(i) : r.u32be(i));
  const ifd = tiff + u32(tiff + 4);
  if (ifd + 2 > end) return 1;
  const count = u16(ifd);
  for (let k = 0; k < count; k++) {
    const e = ifd + 2 + k * 12;
    if (e + 12 > end) break;
    if (u16(e) !== 0x0112) continue;
    const v = u16(e + 8);
    return v >= 1 && v <= 8 ? v : 1;
  }
  return 1;
}

/**
 * The files the WASM libjpeg-turbo decodes to exactly PIL's pixels: 8-bit Huffman-coded
 * (baseline, extended or progressive), gray or three components (YCbCr, or RGB under an Adobe
 * marker: libjpeg-turbo converts both as PIL's libjpeg-turbo does). Everything else (four-component
 * CMYK/YCCK, 12-bit, lossless, arithmetic coding) stays with the browser's decoder.
 */
export function wasmDecodable(info: JpegInfo): boolean {
  return (
    info.precision === 8 &&
    (info.process === 0 || info.process === 1 || info.process === 2) &&
    (info.components === 1 || info.components === 3)
  );
}

/**
 * The planes the browser's decoder gives for this JPEG before upsampling and colour conversion
 * (ycc-rgb.ts): 'I420' for 4:2:0 (luma 2x2, both chroma 1x1), 'I422' for 4:2:2 (luma 2x1), 'I444'
 * for 4:4:4 (all 1x1); undefined for every other layout (4:4:0, gray, unusual factors), which the
 * WASM decoder keeps.
 */
export function planeFormat(info: JpegInfo): 'I420' | 'I422' | 'I444' | undefined {
  if (!wasmDecodable(info) || info.components !== 3) return undefined;
  const [y, cb, cr] = info.sampling;
  if (cb !== 0x11 || cr !== 0x11) return undefined;
  return y === 0x22 ? 'I420' : y === 0x21 ? 'I422' : y === 0x11 ? 'I444' : undefined;
}
