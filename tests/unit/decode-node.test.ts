import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { decodeImage } from '../../src/cli/decode-node.ts';
import { fixtureImage } from '../fixture.ts';
import { bmp, png16 } from '../image-makers.ts';

const rejectsWith = async (p: Promise<unknown>, name: string, message?: RegExp) => {
  const e = await p.then(
    () => null,
    (err: unknown) => err as Error,
  );
  expect(e, `expected ${name}`).not.toBeNull();
  expect(e?.name).toBe(name);
  if (message) expect(e?.message).toMatch(message);
};

const solid = (width: number, height: number, r: number, g: number, b: number, alpha = 1) =>
  sharp({
    create: { width, height, channels: alpha === 1 ? 3 : 4, background: { r, g, b, alpha } },
  });

describe('decodeImage (sharp) error names', () => {
  test('empty file', async () => {
    await rejectsWith(decodeImage(new Uint8Array(0)), 'EmptyFile');
  });

  test('a JPEG cut in half fails instead of returning a gray half', async () => {
    const jpg = readFileSync(fixtureImage('chelsea.jpg'));
    await rejectsWith(
      decodeImage(jpg.subarray(0, jpg.length >> 1)),
      'ImageDecodeFailed',
      /premature end/i,
    );
  });

  test('a PNG cut inside its pixel data fails', async () => {
    const png = readFileSync(fixtureImage('astronaut.png'));
    await rejectsWith(decodeImage(png.subarray(0, png.length >> 1)), 'ImageDecodeFailed');
  });

  test('a text file renamed .jpg', async () => {
    await rejectsWith(
      decodeImage(new TextEncoder().encode('name,tag\ncat.jpg,cat\n')),
      'UnsupportedImageFormat',
    );
  });

  test('a (fake) HEIC is refused by name', async () => {
    const ftyp = Buffer.alloc(24);
    ftyp.writeUInt32BE(24, 0);
    ftyp.write('ftypheic\0\0\0\0mif1heic', 4, 'latin1');
    await rejectsWith(
      decodeImage(Buffer.concat([ftyp, Buffer.alloc(100)])),
      'UnsupportedImageFormat',
      /HEIC/,
    );
  });

  test('too many pixels for the configured limit', async () => {
    const png = await solid(300, 200, 1, 2, 3).png().toBuffer();
    await rejectsWith(decodeImage(png, { limits: { maxPixels: 50_000 } }), 'ImageTooLarge');
  });

  test('damaged entropy-coded data is tolerated (a warning, as in PIL), not truncation', async () => {
    const jpg = Buffer.from(readFileSync(fixtureImage('chelsea.jpg')));
    for (let i = jpg.length - 2000; i < jpg.length - 1990; i++) jpg[i] = 0x55;
    const img = await decodeImage(jpg);
    expect([img.width, img.height]).toEqual([451, 300]);
  });
});

describe('decodeImage pixels', () => {
  test('EXIF orientation is applied', async () => {
    const img = await decodeImage(readFileSync(fixtureImage('chelsea-exif6.jpg')));
    expect([img.width, img.height, img.channels]).toEqual([451, 300, 3]);
  });

  test('8-bit gray stays one channel; alpha is dropped, not composited', async () => {
    const gray = await decodeImage(readFileSync(fixtureImage('camera-gray.png')));
    expect(gray.channels).toBe(1);
    const rgba = await solid(3, 2, 200, 100, 50, 0).png().toBuffer();
    const img = await decodeImage(rgba);
    expect(img.channels).toBe(3);
    expect([...img.data.subarray(0, 3)]).toEqual([200, 100, 50]);
  });

  test('16-bit PNG keeps the high byte, as PIL does for RGB', async () => {
    const samples = [0, 255, 256, 32767, 32768, 65535];
    const rgb = await decodeImage(png16(2, 3, samples));
    expect(rgb).toMatchObject({ width: 2, height: 1, channels: 3 });
    expect([...rgb.data]).toEqual(samples.map((v) => v >> 8));
    const gray = await decodeImage(png16(6, 1, samples));
    expect(gray.width).toBe(6);
    // RGB channels of gray are equal; 16 bits are reduced by the high byte.
    const first = [...gray.data].filter((_, i) => i % gray.channels === 0);
    expect(first).toEqual(samples.map((v) => v >> 8));
  });

  test('a CMYK JPEG converts with PIL formula (not an ICC profile) to RGB', async () => {
    const cmyk = await solid(16, 16, 255, 0, 0)
      .toColourspace('cmyk')
      .jpeg({ quality: 100 })
      .toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const img = await decodeImage(cmyk);
    expect(img).toMatchObject({ width: 16, height: 16, channels: 3 });
    const [r = 0, g = 0, b = 0] = img.data.subarray(8 * 16 * 3, 8 * 16 * 3 + 3);
    // sharp's CMYK profile would give about (232, 0, 21) here.
    expect(r).toBeGreaterThan(248);
    expect(g).toBeLessThan(8);
    expect(b).toBeLessThan(8);
  });

  test('an animated GIF gives its first frame', async () => {
    const frames = await Promise.all([10, 200].map((r) => solid(8, 6, r, 0, 0).png().toBuffer()));
    const gif = await sharp(frames, { join: { animated: true } })
      .gif()
      .toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(2);
    const img = await decodeImage(gif);
    expect(img).toMatchObject({ width: 8, height: 6, channels: 3 });
    expect([...img.data.subarray(0, 3)]).toEqual([10, 0, 0]);
  });

  test('lossless WebP and TIFF decode exactly', async () => {
    const raw = Buffer.from(Array.from({ length: 5 * 4 * 3 }, (_, i) => (i * 41) % 256));
    const src = () => sharp(raw, { raw: { width: 5, height: 4, channels: 3 } });
    for (const file of [
      await src().webp({ lossless: true }).toBuffer(),
      await src().tiff({ compression: 'lzw' }).toBuffer(),
    ]) {
      const img = await decodeImage(file);
      expect(img).toMatchObject({ width: 5, height: 4, channels: 3 });
      expect(Buffer.from(img.data).equals(raw)).toBe(true);
    }
  });

  test('BMP: 24-bit, top-down 32-bit, 8-bit palette, 16-bit 5-5-5', async () => {
    // 24-bit, 2x2, bottom-up: the first stored row is the bottom one; BGR order.
    const b24 = await decodeImage(
      bmp(2, 2, 24, [
        [1, 2, 3, 4, 5, 6],
        [7, 8, 9, 10, 11, 12],
      ]),
    );
    expect([...b24.data]).toEqual([9, 8, 7, 12, 11, 10, 3, 2, 1, 6, 5, 4]);
    const b32 = await decodeImage(
      bmp(1, -2, 32, [
        [1, 2, 3, 0],
        [4, 5, 6, 0],
      ]),
    );
    expect([...b32.data]).toEqual([3, 2, 1, 6, 5, 4]);
    const palette = [0, 0, 0, 0, 30, 20, 10, 0];
    const b8 = await decodeImage(bmp(3, 1, 8, [[1, 0, 1]], palette));
    expect([...b8.data]).toEqual([10, 20, 30, 0, 0, 0, 10, 20, 30]);
    // 0x7fff = white; 0x0001 = blue 1 -> 1 * 255 / 31 = 8 (truncated, as PIL).
    const b16 = await decodeImage(bmp(2, 1, 16, [[0xff, 0x7f, 0x01, 0x00]]));
    expect([...b16.data]).toEqual([255, 255, 255, 0, 0, 8]);
    await rejectsWith(decodeImage(bmp(4, 4, 24, []).subarray(0, 80)), 'ImageDecodeFailed');
    await rejectsWith(decodeImage(bmp(2, 2, 8, [], [], 1)), 'UnsupportedImageFormat', /RLE8/);
  });
});
