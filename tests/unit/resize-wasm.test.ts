import { describe, expect, test } from 'vitest';
import { RESAMPLE, resize, type Region } from '../../src/core/resize.ts';
import { resizeKernels } from '../../src/core/resize-wasm.ts';
import { noise } from '../noise.ts';

describe('resize: WebAssembly SIMD passes', () => {
  test('compile here (Node has WebAssembly SIMD)', () => {
    expect(resizeKernels()).not.toBeNull();
  });

  test('give the same bytes as the JS passes: RGB and RGBA, every filter, down and up, regions', () => {
    const sizes = [
      [31, 17, 13, 7],
      [50, 40, 7, 91],
      [17, 23, 224, 224],
      [100, 3, 5, 2],
      [5, 100, 3, 40],
      [640, 427, 336, 224],
    ] as const;
    let seed = 1;
    for (const channels of [3, 4]) {
      for (const filter of Object.values(RESAMPLE)) {
        for (const [sw, sh, w, h] of sizes) {
          const src = noise(sw, sh, channels, seed++);
          const crop: Region = {
            left: Math.floor(w / 4),
            top: Math.floor(h / 5),
            width: Math.ceil(w / 2),
            height: Math.ceil(h / 2),
          };
          for (const region of [undefined, crop]) {
            const opts = { filter, channels: 3, region };
            const fast = resize(src, w, h, opts);
            const js = resize(src, w, h, { ...opts, engine: 'js' });
            expect(fast.width).toBe(js.width);
            expect(fast.height).toBe(js.height);
            expect(Buffer.from(fast.data).equals(Buffer.from(js.data))).toBe(true);
          }
        }
      }
    }
  });

  test('a 12 MP photo to 224 px, cropped: same bytes as the JS passes', () => {
    const src = noise(4032, 3024, 3, 7);
    const region = { left: 37, top: 0, width: 224, height: 224 };
    const fast = resize(src, 298, 224, { region });
    const js = resize(src, 298, 224, { region, engine: 'js' });
    expect(Buffer.from(fast.data).equals(Buffer.from(js.data))).toBe(true);
  });
});
