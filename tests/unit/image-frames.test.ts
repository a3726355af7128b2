import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { checkImageBytes, sniffImage } from '../../src/core/image-header.ts';
import { apngFrameBomb, avifWithoutIspe, gifFrameBomb, webpFrameBomb } from '../image-makers.ts';

const errorOf = (f: () => unknown): { name: string; message: string } | undefined => {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  return undefined;
};

describe('every frame is bounded before decoding (issue 10, item 4)', () => {
  test('a GIF with a 1x1 screen and a 20000x20000 frame is too large', () => {
    const bomb = gifFrameBomb();
    expect(sniffImage(bomb)).toMatchObject({ format: 'gif', width: 20000, height: 20000 });
    expect(errorOf(() => checkImageBytes(bomb))).toMatchObject({
      name: 'ImageTooLarge',
      message: expect.stringMatching(/20000x20000/),
    });
    // A frame just inside the screen's corner still grows the canvas.
    expect(sniffImage(gifFrameBomb(300))).toMatchObject({ width: 300, height: 300 });
  });

  test('APNG and animated WebP frames larger than the canvas are too large', () => {
    expect(errorOf(() => checkImageBytes(apngFrameBomb()))?.name).toBe('ImageTooLarge');
    expect(errorOf(() => checkImageBytes(webpFrameBomb()))?.name).toBe('ImageTooLarge');
    expect(sniffImage(apngFrameBomb(50))).toMatchObject({
      format: 'png',
      width: 50,
      animated: true,
    });
    expect(sniffImage(webpFrameBomb(50))).toMatchObject({ format: 'webp', width: 50, height: 50 });
  });

  test('an AVIF without an ispe property does not state its size', async () => {
    const avif = await avifWithoutIspe();
    expect(sniffImage(avif)).toMatchObject({ format: 'avif', sizeUnknown: expect.any(String) });
    expect(errorOf(() => checkImageBytes(avif))).toMatchObject({
      name: 'ImageSizeUnknown',
      message: expect.stringMatching(/AVIF.*ispe/),
    });
  });

  test('an AVIF sequence is bounded by its tracks, with or without ispe', () => {
    const box = (type: string, ...body: Buffer[]): Buffer => {
      const head = Buffer.alloc(8);
      head.write(type, 4, 'latin1');
      const out = Buffer.concat([head, ...body]);
      out.writeUInt32BE(out.length, 0);
      return out;
    };
    const sequence = (side: number): Buffer => {
      const tkhd = Buffer.alloc(84); // version 0: 4 + 76 bytes, then width and height
      tkhd.writeUInt32BE(side * 65536, 76);
      tkhd.writeUInt32BE(side * 65536, 80);
      const entry = Buffer.alloc(70);
      entry.writeUInt16BE(side, 24);
      entry.writeUInt16BE(side, 26);
      const stsd = box('stsd', Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]), box('av01', entry));
      const stbl = box('stbl', stsd);
      const trak = box('trak', box('tkhd', tkhd), box('mdia', box('minf', stbl)));
      return Buffer.concat([
        box('ftyp', Buffer.from('avis\0\0\0\0avismsf1miaf', 'latin1')),
        box('mdat', Buffer.alloc(32)),
        box('moov', trak),
      ]);
    };
    expect(sniffImage(sequence(640))).toMatchObject({ format: 'avif', width: 640, height: 640 });
    expect(errorOf(() => checkImageBytes(sequence(20000)))?.name).toBe('ImageTooLarge');
  });

  test('frames past the given start of a file: read on, unless the file ends there', () => {
    const bomb = gifFrameBomb();
    const head = bomb.subarray(0, 16); // the screen, not the frame
    expect(checkImageBytes(head, {}, bomb.length)).toMatchObject({ truncated: true });
    // A whole GIF cut inside a frame: the frames seen bound what can be decoded.
    const cut = gifFrameBomb(40).subarray(0, 25);
    expect(checkImageBytes(cut)).toMatchObject({ width: 40, framesUnseen: true });
  });

  test('ordinary animations and stills pass with their own size', async () => {
    const frames = await Promise.all(
      ['#f00', '#00f'].map((background) =>
        sharp({ create: { width: 30, height: 20, channels: 3, background } })
          .png()
          .toBuffer(),
      ),
    );
    const animated = sharp(frames, { join: { animated: true } });
    for (const file of [
      await animated.clone().gif().toBuffer(),
      await animated.clone().webp().toBuffer(),
    ]) {
      expect(checkImageBytes(file)).toMatchObject({ width: 30, height: 20, animated: true });
    }
    const still = sharp({ create: { width: 30, height: 20, channels: 4, background: '#0f08' } });
    for (const file of [
      await still.clone().webp().toBuffer(),
      await still.clone().png().toBuffer(),
      await still.clone().avif().toBuffer(),
    ]) {
      expect(checkImageBytes(file)).toMatchObject({ width: 30, height: 20 });
    }
  });
});
