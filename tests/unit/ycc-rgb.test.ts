import { describe, expect, test } from 'vitest';
import {
  YccKernels,
  chromaSize,
  farChromaRow,
  yccToRgbJs,
  type YccFormat,
  type YccPlanes,
} from '../../src/core/ycc-rgb.ts';
import { noise } from '../noise.ts';

/** Planes of seeded noise with padded strides and a gap before each, as a decoder may lay them. */
function planes(format: YccFormat, width: number, height: number, seed: number): YccPlanes {
  const [cw, ch] = chromaSize({ format, width, height });
  const [ys, cs] = [width + 5, cw + 3];
  const y = 3;
  const cb = y + ys * height + 1;
  const cr = cb + cs * ch + 2;
  const data = Uint8Array.from(noise(cr + cs * ch, 1, 1, seed).data);
  const layout = [
    { offset: y, stride: ys },
    { offset: cb, stride: cs },
    { offset: cr, stride: cs },
  ] as const;
  return { format, width, height, data, layout };
}

async function viaKernels(p: YccPlanes): Promise<Uint8Array> {
  const rgb = await YccKernels.inTurn(1 << 30, async (k) => {
    k.planes(p.data.length).set(p.data);
    return k.toRgbView(p).slice();
  });
  if (!rgb) throw new Error('no WebAssembly SIMD');
  return rgb;
}

describe('YCbCr planes to RGB (libjpeg-turbo upsampling and colour conversion)', () => {
  test('the reference: known values of jdcolor.c and the 4:2:0 filter', () => {
    // Grey stays grey; pure chroma offsets give jdcolor.c's table values (FIX(1.402) * 127 ...).
    const flat = (y: number, cb: number, cr: number): YccPlanes => ({
      format: 'I444',
      width: 1,
      height: 1,
      data: Uint8Array.of(y, cb, cr),
      layout: [
        { offset: 0, stride: 1 },
        { offset: 1, stride: 1 },
        { offset: 2, stride: 1 },
      ],
    });
    expect([...yccToRgbJs(flat(128, 128, 128))]).toEqual([128, 128, 128]);
    expect([...yccToRgbJs(flat(100, 128, 255))]).toEqual([255, 9, 100]);
    expect([...yccToRgbJs(flat(100, 0, 128))]).toEqual([100, 144, 0]);
    expect([...yccToRgbJs(flat(16, 90, 200))]).toEqual([117, 0, 0]);
    // 4:2:0 from one chroma row (both output rows repeat it as the edge): Cb only varies.
    const blueOf = (cb: number[]): number[] => {
      const w = cb.length * 2;
      const data = Uint8Array.of(...Array<number>(w * 2).fill(128), ...cb, ...cb.map(() => 128));
      const layout = [
        { offset: 0, stride: w },
        { offset: w * 2, stride: cb.length },
        { offset: w * 2 + cb.length, stride: cb.length },
      ] as const;
      const rgb = yccToRgbJs({ format: 'I420', width: w, height: 2, data, layout });
      return [...rgb].filter((_, i) => i % 3 === 2);
    };
    const blue = (c: number) =>
      Math.min(255, Math.max(0, 128 + ((116130 * (c - 128) + 32768) >> 16)));
    // Three samples or more: the triangle filter on the sums 3 * near + far = 400, 800, 200.
    const fancy = [
      (400 * 4 + 8) >> 4,
      (400 * 3 + 800 + 7) >> 4,
      (800 * 3 + 400 + 8) >> 4,
      (800 * 3 + 200 + 7) >> 4,
      (200 * 3 + 800 + 8) >> 4,
      (200 * 4 + 7) >> 4,
    ].map(blue);
    expect(blueOf([100, 200, 50])).toEqual([...fancy, ...fancy]);
    // Two or fewer (an image at most 4 pixels wide): each sample copied, as h2v2_upsample does.
    const copied = [100, 100, 200, 200].map(blue);
    expect(blueOf([100, 200])).toEqual([...copied, ...copied]);
    // 4:2:2, one row: h2v1_fancy_upsample, the edge samples as they are, biases 1 and 2.
    const data = Uint8Array.of(...Array<number>(6).fill(128), 100, 200, 50, 128, 128, 128);
    const layout = [
      { offset: 0, stride: 6 },
      { offset: 6, stride: 3 },
      { offset: 9, stride: 3 },
    ] as const;
    const rgb = yccToRgbJs({ format: 'I422', width: 6, height: 1, data, layout });
    const h2v1 = [
      100,
      (100 * 3 + 200 + 2) >> 2,
      (200 * 3 + 100 + 1) >> 2,
      (200 * 3 + 50 + 2) >> 2,
      (50 * 3 + 200 + 1) >> 2,
      50,
    ].map(blue);
    expect([...rgb].filter((_, i) => i % 3 === 2)).toEqual(h2v1);
    expect([
      farChromaRow(0, 5),
      farChromaRow(1, 5),
      farChromaRow(9, 5),
      farChromaRow(8, 5),
    ]).toEqual([0, 1, 4, 3]);
  });

  test('the WebAssembly SIMD kernels give the reference bytes: all three formats, odd and tiny sizes', async () => {
    let seed = 7;
    const sizes = [
      [16, 16],
      [17, 9],
      [5, 4],
      [6, 5],
      [11, 3],
      [1, 1],
      [2, 3],
      [3, 2],
      [31, 33],
      [100, 7],
      [257, 129],
      [640, 427],
    ] as const;
    for (const format of ['I420', 'I422', 'I444'] as const) {
      for (const [w, h] of sizes) {
        const p = planes(format, w, h, seed++);
        const fast = await viaKernels(p);
        const ref = yccToRgbJs(p);
        expect(fast.length).toBe(w * h * 3);
        expect(Buffer.from(fast).equals(Buffer.from(ref)), `${format} ${w}x${h}`).toBe(true);
      }
    }
  });

  test('an instance is reused for the next image and gives the same bytes', async () => {
    const p = planes('I420', 333, 77, 99);
    const first = await viaKernels(p);
    await viaKernels(planes('I444', 1000, 40, 5)); // grows the memory in between
    expect(Buffer.from(await viaKernels(p)).equals(Buffer.from(first))).toBe(true);
  });

  test('calls in flight take turns with one instance, even when one fails', async () => {
    const lent: YccKernels[] = [];
    let inside = 0;
    let most = 0;
    const call = (fail: boolean) =>
      YccKernels.inTurn(1 << 30, async (k) => {
        most = Math.max(most, ++inside);
        lent.push(k);
        await new Promise((r) => setTimeout(r, 5)); // a frame's copy into its planes
        inside--;
        if (fail) throw new Error('boom');
        return lent.length;
      });
    const outcomes = await Promise.allSettled([call(false), call(true), call(false)]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(most).toBe(1);
    expect(new Set(lent).size).toBe(1);
  });

  test('an instance whose memory grew past the limit is not kept', async () => {
    const used: YccKernels[] = [];
    for (const keep of [0, 1 << 30, 1 << 30]) {
      await YccKernels.inTurn(keep, async (k) => used.push(k));
    }
    expect(used[1]).not.toBe(used[0]);
    expect(used[2]).toBe(used[1]);
  });
});
