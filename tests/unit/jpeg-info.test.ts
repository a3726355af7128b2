import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { Bytes } from '../../src/core/image-bytes.ts';
import { exifTranspose } from '../../src/core/exif-transpose.ts';
import { checkImageBytes } from '../../src/core/image-header.ts';
import {
  planeFormat,
  readJpegInfo,
  walkJpeg,
  wasmDecodable,
  type JpegInfo,
} from '../../src/core/jpeg-info.ts';
import type { DecodedImage } from '../../src/core/types.ts';
import { fixtureImage } from '../fixture.ts';

/** A small image of distinct pixels, so any misplaced one shows. */
function noise(width: number, height: number, channels: 1 | 3): Buffer {
  const data = Buffer.alloc(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = (i * 97 + 13) % 256;
  return data;
}

const raw = async (img: sharp.Sharp): Promise<DecodedImage> => {
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels as 1 | 3, data };
};

describe('readJpegInfo', () => {
  test('frames and orientation of the fixture JPEGs', () => {
    expect(readJpegInfo(readFileSync(fixtureImage('chelsea.jpg')))).toMatchObject({
      width: 451,
      height: 300,
      process: 0,
      precision: 8,
      components: 3,
      orientation: 1,
    });
    const exif6 = readJpegInfo(readFileSync(fixtureImage('chelsea-exif6.jpg')));
    expect(exif6).toMatchObject({ width: 300, height: 451, orientation: 6 });
  });

  test("the header check's walk gives the same, so the decoder does not walk again", () => {
    const bytes = readFileSync(fixtureImage('chelsea-exif6.jpg'));
    expect(checkImageBytes(bytes).jpeg).toEqual(readJpegInfo(bytes));
    // Only the start of the file: the frame still bounds the size; the rest is read later.
    const start = bytes.subarray(0, 200);
    expect(checkImageBytes(start, {}, bytes.length)).toMatchObject({ format: 'jpeg' });
  });

  test('progressive, gray and CMYK; truncated and non-JPEG bytes', async () => {
    const decodable = (info: JpegInfo | undefined) => info !== undefined && wasmDecodable(info);
    const base = sharp(noise(16, 8, 3), { raw: { width: 16, height: 8, channels: 3 } });
    const prog = readJpegInfo(await base.clone().jpeg({ progressive: true }).toBuffer());
    expect(prog).toMatchObject({ process: 2, components: 3 });
    expect(decodable(prog)).toBe(true);
    const gray = readJpegInfo(await base.clone().toColourspace('b-w').jpeg().toBuffer());
    expect(gray).toMatchObject({ components: 1 });
    expect(decodable(gray)).toBe(true);
    const cmyk = readJpegInfo(await base.clone().toColourspace('cmyk').jpeg().toBuffer());
    expect(cmyk).toMatchObject({ components: 4 });
    expect(decodable(cmyk)).toBe(false);
    const jpg = readFileSync(fixtureImage('chelsea.jpg'));
    expect(readJpegInfo(jpg.subarray(0, 100))).toBeUndefined();
    expect(readJpegInfo(readFileSync(fixtureImage('tiny.png')))).toBeUndefined();
  });

  test('12-bit, lossless and arithmetic frames are left to the browser', () => {
    const frame = {
      width: 8,
      height: 8,
      components: 3,
      orientation: 1,
      sampling: [0x22, 0x11, 0x11],
    };
    expect(wasmDecodable({ ...frame, process: 1, precision: 12 })).toBe(false);
    expect(wasmDecodable({ ...frame, process: 3, precision: 8 })).toBe(false);
    expect(wasmDecodable({ ...frame, process: 9, precision: 8 })).toBe(false);
  });
});

test("sampling factors choose the browser planes' format: 4:2:0, 4:2:2 and 4:4:4 only", async () => {
  const base = sharp(noise(32, 16, 3), { raw: { width: 32, height: 16, channels: 3 } });
  const of = async (img: sharp.Sharp) => readJpegInfo(await img.toBuffer()) as JpegInfo;
  const s420 = await of(base.clone().jpeg({ chromaSubsampling: '4:2:0' }));
  expect(s420.sampling).toEqual([0x22, 0x11, 0x11]);
  expect(planeFormat(s420)).toBe('I420');
  const s444 = await of(base.clone().jpeg({ chromaSubsampling: '4:4:4' }));
  expect(planeFormat(s444)).toBe('I444');
  expect(planeFormat(await of(base.clone().jpeg({ progressive: true })))).toBe('I420');
  expect(planeFormat(await of(base.clone().toColourspace('b-w').jpeg()))).toBeUndefined();
  expect(planeFormat({ ...s420, sampling: [0x21, 0x11, 0x11] })).toBe('I422');
  expect(planeFormat({ ...s420, sampling: [0x12, 0x11, 0x11] })).toBeUndefined(); // 4:4:0
  expect(planeFormat({ ...s420, sampling: [0x22, 0x11, 0x22] })).toBeUndefined();
  expect(planeFormat({ ...s420, precision: 12 })).toBeUndefined();
  // A frame header cut inside its component list: no factors, no planes.
  const jpg = await base.clone().jpeg().toBuffer();
  const sof = jpg.indexOf(Buffer.from([0xff, 0xc0]));
  const cut = walkJpeg(new Bytes(jpg.subarray(0, sof + 12))).frame;
  expect(cut).toMatchObject({ width: 32, height: 16, components: 3, sampling: [] });
});

describe('exifTranspose', () => {
  for (const channels of [3, 1] as const) {
    test(`orientations 1-8 (${channels} channel${channels > 1 ? 's' : ''}) give sharp's rotate()`, async () => {
      const [width, height] = [7, 5];
      for (let orientation = 1; orientation <= 8; orientation++) {
        // Lossless enough to compare: both sides decode the same JPEG bytes.
        let img = sharp(noise(width, height, channels), { raw: { width, height, channels } });
        if (channels === 1) img = img.toColourspace('b-w');
        const jpg = await img.jpeg({ quality: 100 }).withMetadata({ orientation }).toBuffer();
        const info = readJpegInfo(jpg);
        expect(info?.orientation).toBe(orientation);
        const stored = await raw(sharp(jpg));
        const upright = exifTranspose(stored, info?.orientation ?? 1);
        const expected = await raw(sharp(jpg).rotate());
        expect([upright.width, upright.height], `orientation ${orientation}`).toEqual([
          expected.width,
          expected.height,
        ]);
        expect([...upright.data], `orientation ${orientation}`).toEqual([...expected.data]);
      }
    });
  }

  test('PIL ROTATE_270 for orientation 6: the bottom-left pixel goes to the top-left', () => {
    // 3x2: rows [0 1 2], [3 4 5]; upright (2x3): rows [3 0], [4 1], [5 2].
    const image: DecodedImage = {
      width: 3,
      height: 2,
      channels: 1,
      data: Uint8Array.from([0, 1, 2, 3, 4, 5]),
    };
    const out = exifTranspose(image, 6);
    expect([out.width, out.height, ...out.data]).toEqual([2, 3, 3, 0, 4, 1, 5, 2]);
    expect(exifTranspose(image, 1)).toBe(image);
    // RGBA moves whole pixels the same way.
    const rgba = {
      ...image,
      channels: 4 as const,
      data: Uint8Array.from([...image.data].flatMap((v) => [v, v, v, 9])),
    };
    const four = exifTranspose(rgba, 6);
    expect([...four.data].filter((_, i) => i % 4 === 0)).toEqual([3, 0, 4, 1, 5, 2]);
  });
});
