import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { decodeImage } from '../../src/cli/decode-node.ts';
import { parseImageProcessorConfig } from '../../src/core/preprocess-config.ts';
import type { ImageProcessorConfig } from '../../src/core/preprocess-config.ts';
import { preprocess, preprocessOutputSize, resizeOutputSize } from '../../src/core/preprocess.ts';
import type { DecodedImage } from '../../src/core/types.ts';
import { FIXTURE_DIR, fixtureImage, referencePixels } from '../fixture.ts';

const config = parseImageProcessorConfig(
  JSON.parse(readFileSync(join(FIXTURE_DIR, 'preprocessor_config.json'), 'utf8')),
);
const images = readdirSync(join(FIXTURE_DIR, 'images')).sort();

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] ?? 0) - (b[i] ?? NaN)));
  return max;
}

describe('preprocess matches the reference pixels', () => {
  test('there are fixture images', () => {
    expect(images.length).toBeGreaterThanOrEqual(7);
  });

  test.each(images)('%s', async (name) => {
    const image = await decodeImage(readFileSync(fixtureImage(name)));
    const ref = referencePixels(name);
    const out = preprocess(image, config);
    expect(out.length).toBe(ref.length);
    const diff = maxAbsDiff(out, ref);
    console.log(`${name}: ${image.width}x${image.height}x${image.channels}, max abs diff ${diff}`);
    // Exact in practice; the documented tolerance is 1e-5.
    expect(diff).toBeLessThanOrEqual(1e-5);
    expect(diff).toBe(0);
  });

  test.each(['astronaut-rgba.png', 'chelsea-exif6.jpg', 'camera-gray.png'])(
    '%s as RGBA (what the browser decoder gives) gives the same tensor',
    async (name) => {
      const { data, info } = await sharp(readFileSync(fixtureImage(name)), { ignoreIcc: true })
        .rotate()
        .toColourspace('srgb')
        .ensureAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      expect(info.channels).toBe(4);
      const image: DecodedImage = {
        width: info.width,
        height: info.height,
        channels: 4,
        data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength),
      };
      expect(maxAbsDiff(preprocess(image, config), referencePixels(name))).toBe(0);
    },
  );

  test('writes into a batch at an offset without touching the rest', async () => {
    const a = await decodeImage(readFileSync(fixtureImage('chelsea.jpg')));
    const b = await decodeImage(readFileSync(fixtureImage('tiny.png')));
    const n = 3 * 224 * 224;
    const batch = new Float32Array(2 * n + 1).fill(7);
    expect(preprocess(a, config, batch, 0)).toBe(batch);
    preprocess(b, config, batch, n);
    expect(maxAbsDiff(batch.subarray(0, n), referencePixels('chelsea.jpg'))).toBe(0);
    expect(maxAbsDiff(batch.subarray(n, 2 * n), referencePixels('tiny.png'))).toBe(0);
    expect(batch[2 * n]).toBe(7);
    expect(() => preprocess(a, config, batch, n + 2)).toThrow(/needs/);
  });
});

describe('sizes and padding follow transformers', () => {
  test('shortest edge with int(size * long / short)', () => {
    expect(resizeOutputSize(451, 300, config)).toEqual({ width: 336, height: 224 });
    expect(resizeOutputSize(120, 400, config)).toEqual({ width: 224, height: 746 });
    expect(resizeOutputSize(17, 9, config)).toEqual({ width: 423, height: 224 });
    expect(resizeOutputSize(300, 300, config)).toEqual({ width: 224, height: 224 });
    expect(preprocessOutputSize(451, 300, config)).toEqual({ width: 224, height: 224 });
  });

  const gray = (width: number, height: number, v: number): DecodedImage => ({
    width,
    height,
    channels: 1,
    data: new Uint8Array(width * height).fill(v),
  });

  test('a crop larger than the image pads with zeros, placed at ceil(pad / 2)', () => {
    const cfg: ImageProcessorConfig = { ...config, doResize: false, cropWidth: 6, cropHeight: 3 };
    const out = preprocess(gray(3, 2, 255), cfg);
    const zero = (0 - Math.fround(config.mean[0])) / Math.fround(config.std[0]);
    const one = (1 - Math.fround(config.mean[0])) / Math.fround(config.std[0]);
    const plane = Array.from(out.subarray(0, 18), (x) => (Math.abs(x - one) < 1e-5 ? 1 : 0));
    // Rows: pad top = ceil(1/2) = 1; columns: pad left = ceil(3/2) = 2.
    expect(plane).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0]);
    expect(out[0]).toBeCloseTo(zero, 5);
  });

  test('no crop keeps the resized size; fixed-size resize', () => {
    const cfg: ImageProcessorConfig = { ...config, doCenterCrop: false };
    expect(preprocess(gray(40, 20, 9), cfg).length).toBe(3 * 224 * 448);
    const fixed: ImageProcessorConfig = { ...cfg, resizeTo: { height: 8, width: 5 } };
    expect(preprocessOutputSize(40, 20, fixed)).toEqual({ width: 5, height: 8 });
    expect(preprocess(gray(40, 20, 9), fixed).length).toBe(3 * 40);
  });

  test('rejects malformed images', () => {
    expect(() =>
      preprocess({ width: 2, height: 2, channels: 3, data: new Uint8Array(5) }, config),
    ).toThrow(expect.objectContaining({ name: 'InvalidArgument' }));
  });
});

describe('parseImageProcessorConfig', () => {
  test('reads the fixture', () => {
    expect(config).toMatchObject({
      shortestEdge: 224,
      resizeTo: null,
      cropHeight: 224,
      cropWidth: 224,
      resample: 3,
      doConvertRgb: true,
      rescaleFactor: 1 / 255,
    });
  });

  test('accepts the HF variants', () => {
    expect(parseImageProcessorConfig({ size: 256, crop_size: 224 })).toMatchObject({
      shortestEdge: 256,
      cropHeight: 224,
      cropWidth: 224,
    });
    expect(
      parseImageProcessorConfig({
        size: { height: 384, width: 384 },
        do_center_crop: false,
        resample: 2,
      }),
    ).toMatchObject({ resizeTo: { height: 384, width: 384 }, doCenterCrop: false, resample: 2 });
    expect(parseImageProcessorConfig({ image_mean: 0.5, image_std: [0.5, 0.5, 0.5] }).mean).toEqual(
      [0.5, 0.5, 0.5],
    );
  });

  test.each([
    [[], /expected a JSON object/],
    [{ size: { longest_edge: 3 } }, /"size"/],
    [{ size: { shortest_edge: 0 } }, /"size.shortest_edge"/],
    [{ crop_size: { height: 224 } }, /"crop_size.width"/],
    [{ resample: 6 }, /"resample" is 6/],
    [{ image_std: [1, 0, 1] }, /"image_std"/],
    [{ image_mean: [1, 2] }, /"image_mean"/],
    [{ do_resize: 'yes' }, /"do_resize"/],
    [{ rescale_factor: -1 }, /"rescale_factor"/],
  ])('rejects %j', (json, message) => {
    expect(() => parseImageProcessorConfig(json, 'x/preprocessor_config.json')).toThrow(
      expect.objectContaining({
        name: 'ModelFileInvalid',
        message: expect.stringMatching(message),
      }),
    );
    expect(() => parseImageProcessorConfig(json, 'x/preprocessor_config.json')).toThrow(
      /x\/preprocessor_config.json/,
    );
  });
});
