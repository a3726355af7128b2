import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { decodeImage } from '../../src/cli/decode-node.ts';
import { exifTranspose } from '../../src/core/exif-transpose.ts';
import { parseImageProcessorConfig } from '../../src/core/preprocess-config.ts';
import { preprocess } from '../../src/core/preprocess.ts';
import { RESAMPLE, resize, type Pixels8, type Region } from '../../src/core/resize.ts';
import { NEAREST } from '../../src/core/resize-nearest.ts';
import { resizedWhole, shrinksBoth } from '../../src/worker/prepare-protocol.ts';
import { upright, uprightSize } from '../../src/core/exif-transpose.ts';
import { fixtureImage } from '../fixture.ts';
import { noise } from '../noise.ts';

const FILTERS = [NEAREST, ...Object.values(RESAMPLE)];
const ORIENTATIONS = [1, 2, 3, 4, 5, 6, 7, 8];

const same = (a: Pixels8, b: Pixels8): boolean =>
  a.width === b.width &&
  a.height === b.height &&
  a.channels === b.channels &&
  Buffer.from(a.data).equals(Buffer.from(b.data));

/** The reference order of work: turn the full image (PIL's exif_transpose), then resize it. */
function turnedThenResized(
  src: Pixels8,
  orientation: number,
  w: number,
  h: number,
  opts: { filter: number; channels?: number; region?: Region; engine?: 'js' },
): Pixels8 {
  return resize(exifTranspose(src, orientation), w, h, opts);
}

/** Stored sizes and upright target sizes: down, up, mixed, tiny, one axis kept, odd and even. */
const CASES = [
  [17, 9, 5, 3],
  [17, 9, 40, 23],
  [9, 17, 4, 11],
  [31, 17, 13, 7],
  [50, 40, 7, 91],
  [40, 50, 40, 13],
  [40, 50, 17, 50],
  [3, 2, 1, 1],
  [1, 1, 3, 2],
  [100, 3, 5, 2],
  [5, 100, 3, 40],
  [64, 48, 48, 64],
  [451, 299, 224, 337],
] as const;

describe('resize with an EXIF orientation: the stored pixels resized, then only the result turned', () => {
  test('equals turning the full image first, all 8 orientations, every filter, regions', () => {
    let seed = 11;
    for (const [sw, sh, w, h] of CASES) {
      const src = noise(sw, sh, 3, seed++);
      const crop: Region = {
        left: Math.floor(w / 5),
        top: Math.floor(h / 4),
        width: Math.ceil(w / 2),
        height: Math.ceil(h / 3),
      };
      for (const orientation of ORIENTATIONS) {
        for (const filter of FILTERS) {
          for (const region of [undefined, crop]) {
            for (const engine of ['js', undefined] as const) {
              const opts = { filter, region, engine };
              const want = turnedThenResized(src, orientation, w, h, opts);
              const got = resize(src, w, h, { ...opts, orientation });
              if (!same(got, want)) {
                throw new Error(`${sw}x${sh} -> ${w}x${h} o${orientation} f${filter} ${engine}`);
              }
            }
          }
        }
      }
    }
  });

  test('gray, RGBA and dropped alpha, both engines', () => {
    let seed = 101;
    for (const [sw, sh, w, h] of [
      [37, 23, 11, 19],
      [23, 37, 50, 29],
      [80, 60, 24, 32],
    ] as const) {
      for (const [channels, outC] of [
        [1, 1],
        [4, 4],
        [4, 3],
        [3, 1],
      ] as const) {
        const src = noise(sw, sh, channels, seed++);
        for (const orientation of ORIENTATIONS) {
          for (const filter of [NEAREST, RESAMPLE.BICUBIC, RESAMPLE.LANCZOS]) {
            for (const engine of ['js', undefined] as const) {
              const opts = { filter, channels: outC, engine };
              const want = turnedThenResized(src, orientation, w, h, opts);
              expect(same(resize(src, w, h, { ...opts, orientation }), want)).toBe(true);
            }
          }
        }
      }
    }
  });

  test('a 12 MP photo stored sideways to 224 px, cropped: same bytes as turning it first', () => {
    const src = noise(4032, 3024, 3, 7);
    for (const orientation of [6, 3]) {
      // Upright 3024 x 4032 (or 4032 x 3024): the processor's shortest edge 224, center crop.
      const [w, h] = orientation >= 5 ? [224, 298] : [298, 224];
      const region = orientation >= 5 ? { left: 0, top: 37, width: 224, height: 224 } : undefined;
      const opts = { filter: RESAMPLE.BICUBIC, region };
      const got = resize(src, w, h, { ...opts, orientation });
      expect(same(got, turnedThenResized(src, orientation, w, h, opts))).toBe(true);
    }
  });

  test('orientation 1 or out of range: the image as stored', () => {
    const src = noise(23, 17, 3, 5);
    for (const orientation of [1, 0, 9, -3]) {
      expect(same(resize(src, 9, 13, { orientation }), resize(src, 9, 13))).toBe(true);
    }
  });
});

describe('preprocess of a photo whose EXIF orientation is left to it', () => {
  const clip = parseImageProcessorConfig({ image_processor_type: 'CLIPImageProcessor' });
  const configs = [
    clip,
    { ...clip, shortestEdge: 40, cropWidth: 32, cropHeight: 32 }, // a crop larger than some images: padding
    {
      ...clip,
      resizeTo: { width: 24, height: 30 },
      doCenterCrop: false,
      resample: RESAMPLE.BILINEAR,
    },
    { ...clip, doResize: false, cropWidth: 12, cropHeight: 20 },
    { ...clip, resample: RESAMPLE.LANCZOS },
  ];
  test('equals preprocess of the turned pixels: every orientation, gray, RGB, RGBA', () => {
    let seed = 3;
    for (const [w, h, channels] of [
      [37, 23, 3],
      [23, 37, 1],
      [301, 200, 4],
      [40, 28, 3],
    ] as const) {
      const stored = { ...noise(w, h, channels, seed++), channels };
      for (const config of configs) {
        for (const orientation of ORIENTATIONS) {
          const want = preprocess(exifTranspose(stored, orientation), config);
          const got = preprocess({ ...stored, orientation }, config);
          expect(Buffer.from(got.buffer).equals(Buffer.from(want.buffer))).toBe(true);
        }
      }
    }
  });
});

describe('decoders that leave the orientation to preprocess', () => {
  test("Node (sharp): the stored pixels and orientation, turned, are rotate()'s", async () => {
    const { data } = noise(9, 6, 3, 17);
    const base = sharp(data, { raw: { width: 9, height: 6, channels: 3 } });
    for (const orientation of ORIENTATIONS) {
      const jpg = await base
        .clone()
        .jpeg({ quality: 100 })
        .withMetadata({ orientation })
        .toBuffer();
      const kept = await decodeImage(jpg, { keepOrientation: true });
      expect(kept.orientation).toBe(orientation === 1 ? undefined : orientation);
      expect(same(upright(kept), await decodeImage(jpg))).toBe(true);
      // The fast decode resizes in libvips, after its rotate: nothing is left to turn.
      const reduced = await decodeImage(jpg, { keepOrientation: true, reduceTo: 2 });
      expect(reduced.orientation).toBeUndefined();
    }
  });

  test('the prepare workers: the whole resize of chelsea-exif6.jpg as stored, and its tensor', async () => {
    const clip = parseImageProcessorConfig({ image_processor_type: 'CLIPImageProcessor' });
    const bytes = readFileSync(fixtureImage('chelsea-exif6.jpg'));
    const kept = await decodeImage(bytes, { keepOrientation: true });
    const turned = await decodeImage(bytes);
    expect(kept.orientation).toBe(6);
    expect(uprightSize(kept)).toEqual({ width: turned.width, height: turned.height });
    expect(shrinksBoth(uprightSize(kept), clip)).toBe(true);
    expect(same(resizedWhole(kept, clip), resizedWhole(turned, clip))).toBe(true);
    const want = preprocess(turned, clip);
    expect(Buffer.from(preprocess(kept, clip).buffer).equals(Buffer.from(want.buffer))).toBe(true);
  });
});
