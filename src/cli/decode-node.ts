/**
 * Image decoding for Node (CLI, scripts, tests) with sharp, giving the pixels PIL gives the
 * reference: EXIF orientation applied, first frame only, ICC profiles ignored (PIL ignores them,
 * and the browser path asks for colorSpaceConversion 'none'), alpha dropped without compositing,
 * CMYK converted with PIL's formula, 16 bits reduced to the high byte (as PIL does for RGB).
 *
 * Truncated files fail (failOn 'truncated', like PIL without LOAD_TRUNCATED_IMAGES) instead of
 * yielding a silently gray lower half; mere decoder warnings (extraneous bytes, odd markers) are
 * tolerated, as PIL tolerates them.
 */
import sharp from 'sharp';
import { MumicError } from '../core/errors.ts';
import { DEFAULT_IMAGE_LIMITS, checkImageBytes, type ImageLimits } from '../core/image-header.ts';
import type { DecodedImage } from '../core/types.ts';

export interface DecodeOptions {
  limits?: Partial<ImageLimits>;
  /**
   * The fast path (`--fast-decode`), NOT PIL-exact: a JPEG whose shorter side is at least three
   * times this is decoded at a reduced DCT scale (libvips' shrink-on-load: 1/2, 1/4 or 1/8) and
   * brought to a shorter side of this (Lanczos 3); the exact resize then starts from there.
   */
  reduceTo?: number | undefined;
  /**
   * True: a photo stored sideways (EXIF orientation 2-8) keeps its pixels as stored and gives its
   * orientation (`DecodedImage.orientation`), for preprocess to turn only its small result
   * (libvips' rotate of a 12 MP photo costs about a third of its decode). Not with `reduceTo`.
   */
  keepOrientation?: boolean;
}

export async function decodeImage(
  bytes: Uint8Array,
  options: DecodeOptions = {},
): Promise<DecodedImage> {
  const limits = { ...DEFAULT_IMAGE_LIMITS, ...options.limits };
  const sniff = checkImageBytes(bytes, limits);
  // libvips has no BMP loader of its own (only through ImageMagick, absent from sharp's build).
  if (sniff.format === 'bmp') return decodeBmp(bytes);
  try {
    return await decodeWithSharp(bytes, limits.maxPixels, options);
  } catch (e) {
    throw toMumicError(e);
  }
}

async function decodeWithSharp(
  bytes: Uint8Array,
  maxPixels: number,
  { reduceTo, keepOrientation }: DecodeOptions,
): Promise<DecodedImage> {
  const open = () =>
    sharp(bytes, {
      limitInputPixels: maxPixels, // second guard, for headers sniffImage could not read
      failOn: 'truncated',
      pages: 1,
      ignoreIcc: true,
    });
  const meta = await open().metadata();
  const cmyk = meta.space === 'cmyk';
  const short = Math.min(meta.width ?? 0, meta.height ?? 0);
  const reduce = reduceTo && !cmyk && meta.format === 'jpeg' && short >= 3 * reduceTo;
  const orientation = meta.orientation ?? 1;
  const turnLater = keepOrientation === true && !reduce && orientation >= 2 && orientation <= 8;
  // Auto-orientation only where EXIF asks for it: libvips' rotate step is not free even at 1.
  let img = orientation > 1 && !turnLater ? open().rotate().removeAlpha() : open().removeAlpha();
  if (cmyk) {
    // Keep the ink values and convert as PIL does, not through sharp's CMYK profile.
    img = img.pipelineColourspace('cmyk').toColourspace('cmyk');
  } else if (meta.space === 'b-w') {
    img = img.toColourspace('b-w'); // 8-bit gray stays one channel: a third of the memory
  }
  if (reduce) {
    // sharp picks the DCT scale itself (the largest that leaves the image at least this size).
    img = img.resize({ width: reduceTo, height: reduceTo, fit: 'outside', kernel: 'lanczos3' });
  }
  const { data, info } = await img.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  const pixels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const { width, height, channels } = info;
  const turn = turnLater ? { orientation } : {};
  if (cmyk) {
    if (channels !== 4) throw new Error(`CMYK image decoded with ${channels} channels`);
    return { width, height, channels: 3, data: cmykToRgb(pixels), ...turn };
  }
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new Error(`decoded image has ${channels} channels`);
  }
  return { width, height, channels, data: pixels, ...turn };
}

/** Pillow's cmyk2rgb: `nk - MULDIV255(c, nk)` with `nk = 255 - k`. */
function cmykToRgb(cmyk: Uint8Array): Uint8Array {
  const n = cmyk.length >> 2;
  const out = new Uint8Array(n * 3);
  for (let i = 0, p = 0, o = 0; i < n; i++, p += 4, o += 3) {
    const nk = 255 - (cmyk[p + 3] ?? 0);
    for (let c = 0; c < 3; c++) {
      const t = (cmyk[p + c] ?? 0) * nk + 128;
      out[o + c] = nk - (((t >> 8) + t) >> 8);
    }
  }
  return out;
}

function toMumicError(e: unknown): MumicError {
  if (e instanceof MumicError) return e;
  const message = e instanceof Error ? e.message : String(e);
  if (/pixel limit/i.test(message)) {
    return new MumicError('ImageTooLarge', message, { cause: e });
  }
  if (/unsupported image format/i.test(message)) {
    return new MumicError('UnsupportedImageFormat', message, { cause: e });
  }
  return new MumicError('ImageDecodeFailed', message, { cause: e });
}

/**
 * Uncompressed BMP (1/4/8-bit palette, 16/24/32-bit, bit fields), the kinds PIL and browsers
 * read; channels scale as PIL's unpackers do (`v * 255 / max`, truncated).
 */
function decodeBmp(b: Uint8Array): DecodedImage {
  const fail = (why: string): MumicError => new MumicError('ImageDecodeFailed', `BMP: ${why}`);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < 26) throw fail('header truncated');
  const dataOffset = v.getUint32(10, true);
  const hsize = v.getUint32(14, true);
  const core = hsize === 12;
  if (!core && (hsize < 40 || b.length < 14 + hsize)) throw fail('header truncated');
  const width = core ? v.getUint16(18, true) : v.getInt32(18, true);
  const rawHeight = core ? v.getUint16(20, true) : v.getInt32(22, true);
  const height = Math.abs(rawHeight);
  const bpp = v.getUint16(core ? 24 : 28, true);
  const compression = core ? 0 : v.getUint32(30, true);
  if (width < 1 || height < 1) throw fail(`size ${width}x${height}`);

  let masks: [number, number, number] | null = null;
  if (compression === 3 || compression === 6) {
    // Bit fields follow the 40-byte header, or are its continuation in V2+ headers: offset 54.
    if (b.length < 66) throw fail('bit fields truncated');
    masks = [v.getUint32(54, true), v.getUint32(58, true), v.getUint32(62, true)];
  } else if (compression !== 0) {
    const kind = ['', 'RLE8', 'RLE4', '', 'JPEG', 'PNG'][compression] || `type ${compression}`;
    throw new MumicError(
      'UnsupportedImageFormat',
      `BMP with ${kind} compression is not supported.`,
    );
  } else if (bpp === 16) {
    masks = [0x7c00, 0x03e0, 0x001f];
  } else if (bpp === 32) {
    masks = [0xff0000, 0xff00, 0xff];
  }
  if (![1, 4, 8, 16, 24, 32].includes(bpp) || (masks && bpp !== 16 && bpp !== 32)) {
    throw fail(`unsupported bit depth ${bpp}`);
  }

  let palette: Uint8Array | null = null;
  const entry = core ? 3 : 4;
  if (bpp <= 8) {
    const used = core ? 0 : v.getUint32(46, true);
    const count = used > 0 && used <= 1 << bpp ? used : 1 << bpp;
    const start = 14 + hsize;
    // A short palette is zero-filled; indices past it read black.
    palette = new Uint8Array(256 * entry);
    palette.set(b.subarray(start, Math.min(start + count * entry, dataOffset, b.length)));
  }

  const rowSize = Math.ceil((bpp * width) / 32) * 4;
  if (dataOffset + rowSize * height > b.length) throw fail('pixel data truncated');
  const fields = masks?.map((m) => {
    const shift = m ? 31 - Math.clz32(m & -m) : 0;
    return { m, shift, max: m ? m >>> shift : 1 };
  });

  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    // Rows are stored bottom-up unless the height is negative.
    const row = dataOffset + (rawHeight < 0 ? y : height - 1 - y) * rowSize;
    for (let x = 0, o = y * width * 3; x < width; x++, o += 3) {
      if (palette) {
        const bit = x * bpp;
        const byte = b[row + (bit >> 3)] ?? 0;
        const idx = (byte >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        out[o] = palette[idx * entry + 2] ?? 0;
        out[o + 1] = palette[idx * entry + 1] ?? 0;
        out[o + 2] = palette[idx * entry] ?? 0;
      } else if (fields) {
        const px = bpp === 16 ? v.getUint16(row + x * 2, true) : v.getUint32(row + x * 4, true);
        for (let c = 0; c < 3; c++) {
          const f = fields[c];
          out[o + c] = f ? Math.trunc(((((px & f.m) >>> 0) >>> f.shift) * 255) / f.max) : 0;
        }
      } else {
        const p = row + x * 3;
        out[o] = b[p + 2] ?? 0;
        out[o + 1] = b[p + 1] ?? 0;
        out[o + 2] = b[p] ?? 0;
      }
    }
  }
  return { width, height, channels: 3, data: out };
}
