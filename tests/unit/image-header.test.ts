import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import {
  BROWSER_IMAGE_FORMATS,
  checkImageBytes,
  sniffImage,
  type ImageLimits,
} from '../../src/core/image-header.ts';
import { fixtureImage } from '../fixture.ts';

const bytes = (...parts: (number[] | string | Uint8Array)[]): Uint8Array =>
  Uint8Array.from(
    parts.flatMap((p) => (typeof p === 'string' ? [...p].map((ch) => ch.charCodeAt(0)) : [...p])),
  );
const be16 = (v: number): number[] => [v >> 8, v & 255];
const be32 = (v: number): number[] => [v >>> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255];
const le16 = (v: number): number[] => [v & 255, v >> 8];
const le32 = (v: number): number[] => [v & 255, (v >> 8) & 255, (v >> 16) & 255, v >>> 24];

const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const pngHeader = (w: number, h: number): Uint8Array =>
  bytes(PNG_SIG, be32(13), 'IHDR', be32(w), be32(h), [8, 2, 0, 0, 0], [0, 0, 0, 0]);
/** SOI, an APP0 segment, fill bytes, a restart marker, then SOFn. */
const jpegHeader = (w: number, h: number, sof = 0xc0): Uint8Array =>
  bytes(
    [0xff, 0xd8, 0xff, 0xe0],
    be16(16),
    'JFIF\0',
    [1, 1, 0, 0, 1, 0, 1, 0, 0],
    [0xff, 0xff, 0xd0],
    [0xff, sof],
    be16(17),
    [8],
    be16(h),
    be16(w),
    [3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1],
  );
const bmpHeader = (w: number, h: number): Uint8Array =>
  bytes(
    'BM',
    le32(54 + w * h * 3),
    [0, 0, 0, 0],
    le32(54),
    le32(40),
    le32(w),
    le32(h),
    le16(1),
    le16(24),
    le32(0),
    le32(0),
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  );
const box = (type: string, ...content: (number[] | string | Uint8Array)[]): Uint8Array => {
  const body = bytes(...content);
  return bytes(be32(8 + body.length), type, body);
};
/** ftyp + meta/iprp/ipco with a thumbnail ispe and the main ispe: what iPhones write. */
const isoHeader = (brand: string, w: number, h: number): Uint8Array =>
  bytes(
    box('ftyp', brand, [0, 0, 0, 0], 'mif1', brand),
    box(
      'meta',
      [0, 0, 0, 0],
      box('hdlr', [0, 0, 0, 0, 0, 0, 0, 0], 'pict', new Uint8Array(13)),
      box(
        'iprp',
        box(
          'ipco',
          box('ispe', [0, 0, 0, 0], be32(320), be32(240)),
          box('ispe', [0, 0, 0, 0], be32(w), be32(h)),
        ),
      ),
    ),
    box('mdat', new Uint8Array(16)),
  );

const errorName = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).name;
  }
  return 'no error';
};

describe('sniffImage reads dimensions from headers', () => {
  test.each([
    ['astronaut.png', 'png', 512, 512],
    ['astronaut-rgba.png', 'png', 512, 512],
    ['camera-gray.png', 'png', 512, 512],
    ['tiny.png', 'png', 17, 9],
    ['chelsea.jpg', 'jpeg', 451, 300],
    ['tall-chelsea.jpg', 'jpeg', 120, 400],
    // Stored sideways; the header gives the stored size (the EXIF rotation is applied later).
    ['chelsea-exif6.jpg', 'jpeg', 300, 451],
  ])('fixture %s', (name, format, width, height) => {
    const file = readFileSync(fixtureImage(name));
    expect(sniffImage(file)).toMatchObject({ format, width, height, animated: false });
    expect(checkImageBytes(file)).toMatchObject({ format, width, height });
  });

  test('crafted JPEG: fill bytes, restart markers, progressive SOF2', () => {
    expect(sniffImage(jpegHeader(640, 480))).toMatchObject({
      format: 'jpeg',
      width: 640,
      height: 480,
    });
    expect(sniffImage(jpegHeader(3, 70000 & 0xffff, 0xc2))).toMatchObject({
      width: 3,
      height: 4464,
    });
    // DHT (C4) is not a frame header.
    expect(sniffImage(jpegHeader(5, 5, 0xc4)).width).toBeUndefined();
  });

  test('crafted BMP (bottom-up and top-down), big-endian TIFF', () => {
    expect(sniffImage(bmpHeader(31, 7))).toMatchObject({ format: 'bmp', width: 31, height: 7 });
    expect(sniffImage(bmpHeader(31, -7))).toMatchObject({ format: 'bmp', width: 31, height: 7 });
    const tiffMM = bytes(
      'MM',
      be16(42),
      be32(8),
      be16(2),
      be16(256),
      be16(3),
      be32(1),
      be16(1234),
      [0, 0],
      be16(257),
      be16(4),
      be32(1),
      be32(567),
    );
    expect(sniffImage(tiffMM)).toMatchObject({ format: 'tiff', width: 1234, height: 567 });
  });

  test('ISO-BMFF: HEIC and AVIF brands, largest ispe', () => {
    expect(sniffImage(isoHeader('heic', 4032, 3024))).toMatchObject({
      format: 'heic',
      width: 4032,
      height: 3024,
      animated: false,
    });
    expect(sniffImage(isoHeader('avif', 800, 600))).toMatchObject({
      format: 'avif',
      width: 800,
      height: 600,
    });
    expect(sniffImage(isoHeader('avis', 800, 600))).toMatchObject({
      format: 'avif',
      animated: true,
    });
    expect(sniffImage(bytes(box('ftyp', 'isom', [0, 0, 0, 0], 'mp41'))).format).toBe('unknown');
  });

  test('formats written by sharp', async () => {
    const base = () =>
      sharp({
        create: {
          width: 40,
          height: 30,
          channels: 4,
          background: { r: 9, g: 99, b: 199, alpha: 0.5 },
        },
      });
    const frames = await Promise.all(
      [10, 200].map((r) =>
        sharp({ create: { width: 8, height: 6, channels: 3, background: { r, g: 0, b: 0 } } })
          .png()
          .toBuffer(),
      ),
    );
    const cases: [Buffer, object][] = [
      [
        await base().removeAlpha().webp({ lossless: false }).toBuffer(),
        { format: 'webp', width: 40, height: 30, animated: false },
      ],
      [
        await base().removeAlpha().webp({ lossless: true }).toBuffer(),
        { format: 'webp', width: 40, height: 30 },
      ],
      [await base().webp().toBuffer(), { format: 'webp', width: 40, height: 30, animated: false }],
      [
        await sharp(frames, { join: { animated: true } })
          .webp()
          .toBuffer(),
        { format: 'webp', width: 8, height: 6, animated: true },
      ],
      [
        await sharp(frames, { join: { animated: true } })
          .gif()
          .toBuffer(),
        { format: 'gif', width: 8, height: 6, animated: true },
      ],
      [await base().gif().toBuffer(), { format: 'gif', width: 40, height: 30, animated: false }],
      [await base().tiff().toBuffer(), { format: 'tiff', width: 40, height: 30 }],
      [await base().avif().toBuffer(), { format: 'avif', width: 40, height: 30 }],
      [await base().png().toBuffer(), { format: 'png', width: 40, height: 30, animated: false }],
    ];
    for (const [file, want] of cases) expect(sniffImage(file)).toMatchObject(want);
  });
});

describe('checkImageBytes refuses before decoding', () => {
  test('empty file', () => {
    expect(errorName(() => checkImageBytes(new Uint8Array(0)))).toBe('EmptyFile');
  });

  test('file too large (by the given total size, too)', () => {
    expect(errorName(() => checkImageBytes(pngHeader(2, 2), { maxBytes: 10 }))).toBe(
      'FileTooLarge',
    );
    expect(errorName(() => checkImageBytes(pngHeader(2, 2), {}, 200 * 1024 * 1024))).toBe(
      'FileTooLarge',
    );
  });

  test('text, even named .jpg, is not an image', () => {
    const text = bytes('Hello, this is not a photo.\nJust text.\n');
    expect(sniffImage(text).format).toBe('unknown');
    expect(() => checkImageBytes(text)).toThrow(
      expect.objectContaining({ name: 'UnsupportedImageFormat' }),
    );
  });

  test('SVG is never rendered', () => {
    // UTF-8 with a byte-order mark, an XML declaration and a comment before <svg>.
    const svg = new TextEncoder().encode(
      '\uFEFF<?xml version="1.0"?>\n<!-- x -->\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>',
    );
    expect(sniffImage(svg).format).toBe('svg');
    expect(() => checkImageBytes(svg)).toThrow(
      expect.objectContaining({
        name: 'UnsupportedImageFormat',
        message: expect.stringMatching(/SVG/),
      }),
    );
  });

  test('HEIC is named in the refusal; AVIF only where the decoder can', () => {
    expect(() => checkImageBytes(isoHeader('heic', 4032, 3024))).toThrow(
      expect.objectContaining({
        name: 'UnsupportedImageFormat',
        message: expect.stringMatching(/HEIC/),
      }),
    );
    const tiff = bytes(
      'II',
      le16(42),
      le32(8),
      le16(2),
      le16(256),
      le16(3),
      le32(1),
      le16(10),
      [0, 0],
      le16(257),
      le16(3),
      le32(1),
      le16(10),
      [0, 0],
    );
    expect(checkImageBytes(tiff)).toMatchObject({ format: 'tiff', width: 10, height: 10 });
    const browser: Partial<ImageLimits> = { formats: BROWSER_IMAGE_FORMATS };
    expect(() => checkImageBytes(tiff, browser)).toThrow(
      expect.objectContaining({
        name: 'UnsupportedImageFormat',
        message: expect.stringMatching(/TIFF/),
      }),
    );
  });

  test('a header claiming 100000 x 100000 pixels is a decompression bomb', () => {
    expect(errorName(() => checkImageBytes(pngHeader(100000, 100000)))).toBe('ImageTooLarge');
    expect(errorName(() => checkImageBytes(jpegHeader(65535, 65535)))).toBe('ImageTooLarge');
    expect(errorName(() => checkImageBytes(isoHeader('avif', 50000, 50000)))).toBe('ImageTooLarge');
    expect(errorName(() => checkImageBytes(pngHeader(4000, 3000), { maxPixels: 1e6 }))).toBe(
      'ImageTooLarge',
    );
    expect(checkImageBytes(pngHeader(12000, 9000))).toMatchObject({ width: 12000 }); // 108 MP phone
  });

  test('a truncated or corrupt header fails to decode', () => {
    const png = pngHeader(10, 10);
    expect(sniffImage(png.subarray(0, 20))).toEqual({ format: 'png', truncated: true });
    expect(errorName(() => checkImageBytes(png.subarray(0, 20)))).toBe('ImageDecodeFailed');
    expect(errorName(() => checkImageBytes(jpegHeader(10, 10).subarray(0, 25)))).toBe(
      'ImageDecodeFailed',
    );
    expect(errorName(() => checkImageBytes(bytes('GIF89a', [1])))).toBe('ImageDecodeFailed');
    expect(errorName(() => checkImageBytes(bmpHeader(0, 5)))).toBe('ImageDecodeFailed');
    const notIhdr = png.slice();
    notIhdr[12] = 0x78; // 'xHDR'
    expect(errorName(() => checkImageBytes(notIhdr))).toBe('ImageDecodeFailed');
    // A JPEG whose data starts before any frame header.
    expect(errorName(() => checkImageBytes(bytes([0xff, 0xd8, 0xff, 0xda], be16(2))))).toBe(
      'ImageDecodeFailed',
    );
  });

  test('the start of a longer file: truncated is reported, not thrown', () => {
    const head = jpegHeader(800, 600).subarray(0, 20);
    expect(checkImageBytes(head, {}, 50_000)).toMatchObject({ format: 'jpeg', truncated: true });
  });
});
