/**
 * Format sniffing and dimension reading from the first bytes of a file, without decoding, so
 * that unsupported files, truncated headers and decompression bombs are refused before a decoder
 * allocates anything.
 */
import { MumicError } from './errors.ts';
import { Bytes, Corrupt, OutOfBytes, SizeUnknown, dims, type Dims } from './image-bytes.ts';
import { gif, png, webp } from './image-frames.ts';
import { isoBrands, isoDims } from './image-iso-bmff.ts';
import { walkJpeg, type JpegInfo } from './jpeg-info.ts';

export type ImageFormat =
  'jpeg' | 'png' | 'gif' | 'webp' | 'bmp' | 'tiff' | 'avif' | 'heic' | 'svg' | 'unknown';

export interface ImageSniff {
  format: ImageFormat;
  width?: number;
  height?: number;
  /** True/false when the header says; absent when unknown. */
  animated?: boolean;
  /** The bytes ended before the dimensions: a truncated file, or only its start was given. */
  truncated?: boolean;
  /** The bytes ended before every frame: width x height bounds only the frames seen. */
  framesUnseen?: boolean;
  /** Why the header is invalid, when it is. */
  corrupt?: string;
  /** Why the decoded size cannot be known from the header, when it cannot. */
  sizeUnknown?: string;
  /** A JPEG's frame and EXIF orientation (jpeg-info.ts), when its markers up to the scan were read. */
  jpeg?: JpegInfo;
}

const FORMAT_NAMES: Record<ImageFormat, string> = {
  jpeg: 'JPEG',
  png: 'PNG',
  gif: 'GIF',
  webp: 'WebP',
  bmp: 'BMP',
  tiff: 'TIFF',
  avif: 'AVIF',
  heic: 'HEIC/HEIF',
  svg: 'SVG',
  unknown: 'unknown',
};

export const formatName = (f: ImageFormat): string => FORMAT_NAMES[f];

/** The frame's size, and what the WASM decoder needs (`jpeg`) when the walk reached the scan. */
function jpeg(r: Bytes): Dims & { jpeg?: JpegInfo } {
  const { frame, info } = walkJpeg(r);
  return { ...dims(frame.width, frame.height), animated: false, ...(info ? { jpeg: info } : {}) };
}

function bmp(r: Bytes): Dims {
  const hsize = r.u32le(14);
  if (hsize === 12) return { ...dims(r.u16le(18), r.u16le(20)), animated: false };
  if (hsize < 16) throw new Corrupt(`BMP header size ${hsize}`);
  // A negative height means rows are stored top-down.
  return { ...dims(r.i32le(18), Math.abs(r.i32le(22))), animated: false };
}

function tiff(r: Bytes): Dims {
  const le = r.u8(0) === 0x49;
  const u16 = (i: number): number => (le ? r.u16le(i) : r.u16be(i));
  const u32 = (i: number): number => (le ? r.u32le(i) : r.u32be(i));
  // Offsets beyond 2^53 cannot occur in a file we accept; reading the high word is enough.
  const u64 = (i: number): number =>
    le ? u32(i) + u32(i + 4) * 2 ** 32 : u32(i) * 2 ** 32 + u32(i + 4);
  const big = u16(2) === 43;
  let p = big ? u64(8) : u32(4);
  if (p < 8) throw new Corrupt('TIFF first directory offset is invalid');
  const count = big ? u64(p) : u16(p);
  p += big ? 8 : 2;
  let width = 0;
  let height = 0;
  for (let k = 0; k < count && (!width || !height); k++, p += big ? 20 : 12) {
    const tag = u16(p);
    if (tag !== 256 && tag !== 257) continue;
    const type = u16(p + 2);
    const v = p + (big ? 12 : 8);
    const value = type === 3 ? u16(v) : type === 4 ? u32(v) : type === 16 ? u64(v) : 0;
    if (tag === 256) width = value;
    else height = value;
  }
  return dims(width, height);
}

/** SVG: markup whose first element is <svg> (after an XML declaration, comments, doctype). */
function looksLikeSvg(b: Uint8Array): boolean {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(b.subarray(0, 4096));
  const t = text.replace(/^\uFEFF/, '').trimStart();
  if (!t.startsWith('<')) return false;
  return /^(<\?xml[^>]*>\s*|<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]/i.test(t);
}

function detect(r: Bytes): { format: ImageFormat; parse?: (r: Bytes) => Dims; animated?: boolean } {
  if (r.startsWith([0xff, 0xd8, 0xff])) return { format: 'jpeg', parse: jpeg };
  if (r.startsWith([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    return { format: 'png', parse: png };
  if (r.length >= 6 && (r.ascii(0, 6) === 'GIF87a' || r.ascii(0, 6) === 'GIF89a')) {
    return { format: 'gif', parse: gif };
  }
  if (r.length >= 12 && r.ascii(0, 4) === 'RIFF' && r.ascii(8, 4) === 'WEBP') {
    return { format: 'webp', parse: webp };
  }
  if (r.length >= 14 && r.ascii(0, 2) === 'BM') return { format: 'bmp', parse: bmp };
  if (r.startsWith([0x49, 0x49, 0x2a, 0x00]) || r.startsWith([0x4d, 0x4d, 0x00, 0x2a])) {
    return { format: 'tiff', parse: tiff };
  }
  if (r.startsWith([0x49, 0x49, 0x2b, 0x00]) || r.startsWith([0x4d, 0x4d, 0x00, 0x2b])) {
    return { format: 'tiff', parse: tiff }; // BigTIFF
  }
  const iso = isoBrands(r);
  if (iso) return { format: iso.format, parse: isoDims, animated: iso.animated };
  if (looksLikeSvg(r.b)) return { format: 'svg' };
  return { format: 'unknown' };
}

/** Sniffs the format and reads the dimensions from the header. Never throws. */
export function sniffImage(bytes: Uint8Array): ImageSniff {
  const r = new Bytes(bytes);
  let d: ReturnType<typeof detect>;
  try {
    d = detect(r);
  } catch {
    return { format: 'unknown' };
  }
  const result: ImageSniff = { format: d.format };
  if (d.animated !== undefined) result.animated = d.animated;
  if (!d.parse) return result;
  try {
    return { ...result, ...d.parse(r) };
  } catch (e) {
    if (e instanceof OutOfBytes) return { ...result, truncated: true };
    if (e instanceof Corrupt) return { ...result, corrupt: e.message };
    if (e instanceof SizeUnknown) return { ...result, sizeUnknown: e.message };
    throw e;
  }
}

export interface ImageLimits {
  /** Largest file accepted. */
  maxBytes: number;
  /** Largest width x height accepted, checked from the header before decoding. */
  maxPixels: number;
  /** Formats the caller's decoder can decode; others are UnsupportedImageFormat. */
  formats: readonly ImageFormat[];
}

/** What sharp (prebuilt libvips) decodes, plus BMP, which decode-node reads itself. */
export const NODE_IMAGE_FORMATS: readonly ImageFormat[] = [
  'jpeg',
  'png',
  'gif',
  'webp',
  'bmp',
  'tiff',
  'avif',
];
/** What every current browser's createImageBitmap decodes (Chromium, Firefox, Safari 16+). */
export const BROWSER_IMAGE_FORMATS: readonly ImageFormat[] = [
  'jpeg',
  'png',
  'gif',
  'webp',
  'bmp',
  'avif',
];

/** Largest file accepted: generous for any camera JPEG/HEIC (a 108 MP JPEG is ~40 MB). */
export const MAX_FILE_BYTES = 100 * 1024 * 1024;

/**
 * 2^27 (134 M) pixels: above the full resolution of 108 MP phone sensors (12000x9000) and large
 * panoramas, below PIL's hard DecompressionBombError (179 M) so we never accept what the
 * reference would refuse, and it bounds a decoded RGBA buffer to 512 MiB.
 */
export const MAX_IMAGE_PIXELS = 2 ** 27;

export const DEFAULT_IMAGE_LIMITS: ImageLimits = {
  maxBytes: MAX_FILE_BYTES,
  maxPixels: MAX_IMAGE_PIXELS,
  formats: NODE_IMAGE_FORMATS,
};

const fmtBytes = (n: number): string =>
  n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${n} bytes`;

/**
 * Refuses what must not reach a decoder. `bytes` may be only the start of the file when
 * `totalBytes` (the file's size) is given: if the dimensions, or frames still to be bounded, lie
 * beyond it, the result has `truncated: true` and the caller must retry with the whole file.
 */
export function checkImageBytes(
  bytes: Uint8Array,
  limits: Partial<ImageLimits> = {},
  totalBytes = bytes.length,
): ImageSniff {
  const { maxBytes, maxPixels, formats } = { ...DEFAULT_IMAGE_LIMITS, ...limits };
  if (totalBytes === 0) throw new MumicError('EmptyFile', 'The file has 0 bytes.');
  if (totalBytes > maxBytes) {
    throw new MumicError(
      'FileTooLarge',
      `The file has ${fmtBytes(totalBytes)}; the limit is ${fmtBytes(maxBytes)}.`,
    );
  }
  const s = sniffImage(bytes);
  if (s.format === 'unknown') {
    throw new MumicError('UnsupportedImageFormat', 'The file is not in a known image format.');
  }
  if (s.format === 'svg') {
    // Rendering SVG runs a second engine on untrusted markup (scripts, external references).
    throw new MumicError('UnsupportedImageFormat', 'SVG images are not read (only raster images).');
  }
  if (!formats.includes(s.format)) {
    throw new MumicError(
      'UnsupportedImageFormat',
      `The file is a ${formatName(s.format)} image, which cannot be decoded here.`,
    );
  }
  if (s.corrupt) {
    throw new MumicError(
      'ImageDecodeFailed',
      `The ${formatName(s.format)} header is invalid: ${s.corrupt}.`,
    );
  }
  if (s.sizeUnknown) {
    throw new MumicError(
      'ImageSizeUnknown',
      `The ${formatName(s.format)} file has ${s.sizeUnknown}, so it is not decoded.`,
    );
  }
  if (s.truncated) {
    if (bytes.length >= totalBytes) {
      throw new MumicError(
        'ImageDecodeFailed',
        `The ${formatName(s.format)} file ends inside its header (${totalBytes} bytes).`,
      );
    }
    return s;
  }
  if (s.width !== undefined && s.height !== undefined && s.width * s.height > maxPixels) {
    const frames = s.animated || s.framesUnseen ? ' (its largest frame)' : '';
    throw new MumicError(
      'ImageTooLarge',
      `The image is ${s.width}x${s.height}${frames}, ${((s.width * s.height) / 1e6).toFixed(0)} megapixels; ` +
        `the limit is ${(maxPixels / 1e6).toFixed(0)} megapixels.`,
    );
  }
  // Frames beyond the given start of the file are still to be bounded: the caller reads on. (In
  // a whole file, frames cut off by its end are never decoded: those seen are the bound.)
  if (s.framesUnseen && bytes.length < totalBytes) return { ...s, truncated: true };
  return s;
}
