import { describe, expect, test } from 'vitest';
import { RESAMPLE, computeCoefficients, resize, type Pixels8 } from '../../src/core/resize.ts';

const img = (
  width: number,
  height: number,
  channels: number,
  fill: (i: number) => number,
): Pixels8 => ({
  width,
  height,
  channels,
  data: Uint8Array.from({ length: width * height * channels }, (_, i) => fill(i)),
});

/** Pillow's bicubic kernel (a = -0.5), written out independently of the module. */
function cubic(x: number): number {
  x = Math.abs(x);
  if (x < 1) return 1.5 * x ** 3 - 2.5 * x ** 2 + 1;
  if (x < 2) return -0.5 * x ** 3 + 2.5 * x ** 2 - 4 * x + 2;
  return 0;
}

describe('resize (Pillow ImagingResample)', () => {
  test('same size is the identity, for 1, 3 and 4 channels', () => {
    for (const c of [1, 3, 4]) {
      const src = img(7, 5, c, (i) => (i * 37) % 256);
      expect(resize(src, 7, 5).data).toEqual(src.data);
    }
  });

  test('a constant image stays constant, down and up, every filter', () => {
    for (const filter of Object.values(RESAMPLE)) {
      for (const [w, h] of [
        [13, 7],
        [50, 91],
        [3, 3],
      ] as const) {
        const out = resize(
          img(31, 17, 3, () => 201),
          w,
          h,
          { filter },
        );
        expect(out.data.every((v) => v === 201)).toBe(true);
      }
    }
  });

  test('bilinear 2 -> 4 pixels, by hand: [0, 25, 75, 100]', () => {
    // centres 0.25, 0.75, 1.25, 1.75; edge outputs see one input; weights 0.75/0.25 inside;
    // 25.0 + 0.5 rounds down after the fixed-point shift, as in Pillow.
    expect([
      ...resize(
        img(2, 1, 1, (i) => [0, 100][i] ?? 0),
        4,
        1,
        { filter: 2 },
      ).data,
    ]).toEqual([0, 25, 75, 100]);
  });

  test('bicubic 4 -> 2 pixels: Pillow coefficients and output [60, 221]', () => {
    // Downscaling by 2 widens the support to 4: output 0 (centre 1.0) reads inputs 0..3 with
    // kernel(0.5 * (x - 1 + 0.5)), normalised, then rounded to 22-bit fixed point.
    const raw = [0, 1, 2, 3].map((x) => cubic((x - 1 + 0.5) * 0.5));
    const sum = raw.reduce((a, b) => a + b, 0);
    const fixed = raw.map((w) => Math.trunc((w / sum) * 2 ** 22 + (w < 0 ? -0.5 : 0.5)));
    expect(fixed).toEqual([1923834, 1923834, 502623, -155987]);
    const co = computeCoefficients(4, 2, RESAMPLE.BICUBIC);
    expect(co.ksize).toBe(9);
    expect([...co.start]).toEqual([0, 0]);
    expect([...co.count]).toEqual([4, 4]);
    expect([...co.k.subarray(0, 4)]).toEqual(fixed);
    expect([...co.k.subarray(9, 13)]).toEqual([...fixed].reverse());
    // 100*k1 + 200*k2 + 255*k3 = 60.85 * 2^22 -> 60; the mirror gives 221.18 -> 221.
    const src = img(4, 1, 1, (i) => [0, 100, 200, 255][i] ?? 0);
    expect([...resize(src, 2, 1).data]).toEqual([60, 221]);
  });

  test('an overshooting kernel is clipped to 0..255 in both passes', () => {
    const src = img(6, 6, 1, (i) => (((i % 6) + Math.floor(i / 6)) % 2 === 0 ? 0 : 255));
    const out = resize(src, 11, 11);
    expect(out.data.some((v) => v === 0) && out.data.some((v) => v === 255)).toBe(true);
  });

  test('channels are independent; gray replicated equals RGB', () => {
    const gray = img(9, 6, 1, (i) => (i * 29) % 256);
    const rgb = img(9, 6, 3, (i) => gray.data[Math.floor(i / 3)] ?? 0);
    const g = resize(gray, 4, 13).data;
    const r = resize(rgb, 4, 13).data;
    expect([...r]).toEqual([...g].flatMap((v) => [v, v, v]));
  });

  test('dropping alpha gives the RGB of the RGBA resize', () => {
    const rgba = img(10, 8, 4, (i) => (i * 53) % 256);
    const full = resize(rgba, 5, 3).data;
    const rgb = resize(rgba, 5, 3, { channels: 3 }).data;
    expect([...rgb]).toEqual([...full].filter((_, i) => i % 4 !== 3));
  });

  test('a region equals the crop of the full result', () => {
    const src = img(23, 17, 3, (i) => (i * 7919) % 256);
    const full = resize(src, 15, 29);
    const region = { left: 3, top: 5, width: 9, height: 20 };
    const part = resize(src, 15, 29, { region });
    for (let y = 0; y < region.height; y++) {
      const a = part.data.subarray(y * 27, (y + 1) * 27);
      const start = ((y + 5) * 15 + 3) * 3;
      expect([...a]).toEqual([...full.data.subarray(start, start + 27)]);
    }
  });

  test('rejects bad arguments', () => {
    const src = img(4, 4, 3, () => 0);
    expect(() => resize(src, 0, 4)).toThrow(RangeError);
    expect(() => resize(src, 4, 4, { filter: 6 })).toThrow(/filter/);
    expect(() => resize(src, 4, 4, { channels: 4 })).toThrow(/channel/);
    expect(() => resize(src, 4, 4, { region: { left: 1, top: 0, width: 4, height: 1 } })).toThrow(
      /region/,
    );
  });
});
