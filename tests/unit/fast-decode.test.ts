import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/cli/decode-node.ts';

const jpeg = (width: number, height: number): Promise<Buffer> =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 90, b: 30 } } })
    .jpeg({ quality: 90 })
    .toBuffer();

describe('--fast-decode (decodeImage reduceTo)', () => {
  it('brings a large JPEG to the asked shorter side, keeping its aspect', async () => {
    const img = await decodeImage(await jpeg(800, 600), { reduceTo: 100 });
    expect([img.width, img.height]).toEqual([133, 100]);
    expect(img.channels).toBe(3);
    expect(Math.abs((img.data[0] ?? 0) - 200)).toBeLessThanOrEqual(2);
  });

  it('leaves a JPEG under three times that size, and other formats, exact', async () => {
    const small = await jpeg(280, 210);
    const [fast, exact] = [await decodeImage(small, { reduceTo: 100 }), await decodeImage(small)];
    expect([fast.width, fast.height]).toEqual([exact.width, exact.height]);
    expect(Buffer.from(fast.data).equals(Buffer.from(exact.data))).toBe(true);
    const png = await sharp(await jpeg(800, 600))
      .png()
      .toBuffer();
    const img = await decodeImage(png, { reduceTo: 100 });
    expect([img.width, img.height]).toEqual([800, 600]);
  });
});
