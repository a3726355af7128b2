// The WASM libjpeg-turbo decoder of the browser path (src/worker/jpeg-wasm.ts), run in Node: its
// pixels against sharp's libjpeg-turbo (which gives PIL's pixels: decode-node.test.ts, the
// fixture parity tests) on the fixture JPEGs and on every subsampling and coding it accepts.
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, test, vi } from 'vitest';
import { decodeJpegWasm } from '../../src/worker/jpeg-wasm.ts';
import { fixtureImage } from '../fixture.ts';
import { serveJpegWasmFromNodeModules } from '../jpeg-wasm-fetch.ts';

serveJpegWasmFromNodeModules();

async function sameAsSharp(jpg: Uint8Array, gray = false): Promise<void> {
  // Gray as one channel, as decode-node reads it (sharp would otherwise give sRGB).
  const { data, info } = await (gray ? sharp(jpg).toColourspace('b-w') : sharp(jpg))
    .raw()
    .toBuffer({ resolveWithObject: true });
  const image = await decodeJpegWasm(jpg);
  expect([image.width, image.height, image.channels]).toEqual([
    info.width,
    info.height,
    info.channels,
  ]);
  expect(
    Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength).equals(data),
  ).toBe(true);
}

/** A photo-like test card: the fixture photo cropped to an odd size, with fine detail kept. */
const card = () =>
  sharp(readFileSync(fixtureImage('chelsea.jpg'))).extract({
    left: 3,
    top: 5,
    width: 333,
    height: 201,
  });

describe('decodeJpegWasm', () => {
  test('the fixture JPEGs: the same bytes as sharp', async () => {
    for (const name of ['chelsea.jpg', 'chelsea-exif6.jpg', 'tall-chelsea.jpg']) {
      await sameAsSharp(readFileSync(fixtureImage(name)));
    }
  });

  test('4:4:4, 4:2:0, progressive, mozjpeg, gray, tiny: the same bytes as sharp', async () => {
    const variants = [
      card().jpeg({ chromaSubsampling: '4:4:4' }),
      card().jpeg({ chromaSubsampling: '4:2:0', quality: 60 }),
      card().jpeg({ progressive: true }),
      card().jpeg({ mozjpeg: true }),
      card().resize(17, 9).jpeg(),
    ];
    for (const v of variants) await sameAsSharp(await v.toBuffer());
    await sameAsSharp(await card().toColourspace('b-w').jpeg().toBuffer(), true);
  });

  test('corrupt or truncated data rejects, and the next file still decodes', async () => {
    const jpg = readFileSync(fixtureImage('chelsea.jpg'));
    await expect(decodeJpegWasm(jpg.subarray(0, jpg.length >> 1))).rejects.toThrow();
    await expect(decodeJpegWasm(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]))).rejects.toThrow();
    await sameAsSharp(jpg);
  });

  test('an instantiate that fails is reported, not a hang; the next attempt starts afresh', async () => {
    vi.resetModules(); // a module without an instance yet
    const fresh = await import('../../src/worker/jpeg-wasm.ts');
    const failing = vi.spyOn(WebAssembly, 'instantiate');
    failing.mockRejectedValueOnce(new RangeError('WebAssembly.Memory(): could not allocate'));
    expect(await fresh.warmJpegWasm()).toBe(false);
    failing.mockRestore();
    expect(await fresh.warmJpegWasm()).toBe(true);
  });
});
