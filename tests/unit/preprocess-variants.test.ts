// Issue 12: image processors as Hugging Face defines them, on the preprocess-variants folders
// (PIL + PyTorch references), and Pillow's nearest filter.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, test } from 'vitest';
import { NodeModelSource } from '../../src/cli/model-source-node.ts';
import { decodeImage } from '../../src/cli/decode-node.ts';
import { loadModelFolder } from '../../src/core/model-folder.ts';
import {
  parseImageProcessorConfig,
  type ImageProcessorConfig,
} from '../../src/core/preprocess-config.ts';
import { preprocess } from '../../src/core/preprocess.ts';
import { resize } from '../../src/core/resize.ts';
import { VARIANTS, VARIANTS_DIR, pixelsIn } from '../family-fixtures.ts';
import { fixtureImage, FIXTURE_DIR } from '../fixture.ts';

const images = readdirSync(join(FIXTURE_DIR, 'images')).sort();

/** The 8-bit value each float of a [3, H, W] tensor was made from (undoes rescale and normalize). */
function bytesOf(t: Float32Array, p: ImageProcessorConfig): Uint8Array {
  const plane = t.length / 3;
  return Uint8Array.from(t, (x, i) => {
    const c = Math.floor(i / plane);
    const u = p.doNormalize ? x * (p.std[c] ?? 1) + (p.mean[c] ?? 0) : x;
    return Math.round(u / p.rescaleFactor);
  });
}

/**
 * These references rescale in float32 (`v * float32(1/255)`), where transformers' `rescale` (and
 * the clip-tiny reference) multiply in float64 and round once: the same 8-bit pixels then give
 * floats one float32 step apart in some cases. So: resized and cropped pixels identical (difference
 * 0), floats within that last step.
 */
describe.each([...VARIANTS, '../siglip-tiny'])('%s', (variant) => {
  const dir = join(VARIANTS_DIR, variant);
  test.each(images)('%s: pixels equal the reference', async (name) => {
    const { processor } = await loadModelFolder(new NodeModelSource(dir));
    const out = preprocess(await decodeImage(readFileSync(fixtureImage(name))), processor);
    const ref = pixelsIn(dir, name);
    expect(out.length).toBe(ref.length);
    const ours = bytesOf(out, processor);
    const theirs = bytesOf(ref, processor);
    let pixelDiff = 0;
    let floatDiff = 0;
    for (let i = 0; i < ref.length; i++) {
      pixelDiff = Math.max(pixelDiff, Math.abs((ours[i] ?? 0) - (theirs[i] ?? 0)));
      floatDiff = Math.max(floatDiff, Math.abs((out[i] ?? 0) - (ref[i] ?? NaN)));
    }
    expect(pixelDiff).toBe(0);
    expect(floatDiff).toBeLessThanOrEqual(2 ** -21); // one float32 step at |x| < 4
  });
});

describe('image processor defaults per image_processor_type', () => {
  it('SiglipImageProcessor: squash to 224 x 224, bicubic, mean = std = 0.5, no crop', () => {
    const p = parseImageProcessorConfig({ image_processor_type: 'SiglipImageProcessor' });
    expect(p).toMatchObject({
      resizeTo: { height: 224, width: 224 },
      doCenterCrop: false,
      resample: 3,
    });
    expect([p.mean, p.std]).toEqual([
      [0.5, 0.5, 0.5],
      [0.5, 0.5, 0.5],
    ]);
  });

  it('SigLIP at 256 with no do_center_crop is not cropped to CLIP’s 224', () => {
    const p = parseImageProcessorConfig({
      image_processor_type: 'SiglipImageProcessor',
      size: { height: 256, width: 256 },
      do_center_crop: true, // not a SiglipImageProcessor setting: ignored, as transformers does
      crop_size: 224,
    });
    expect(p).toMatchObject({ doCenterCrop: false, cropHeight: 256, cropWidth: 256 });
  });

  it('CLIPImageProcessor (or an old CLIPFeatureExtractor, or none) keeps CLIP’s defaults', () => {
    for (const json of [{}, { feature_extractor_type: 'CLIPFeatureExtractor' }]) {
      const p = parseImageProcessorConfig(json);
      expect(p).toMatchObject({
        shortestEdge: 224,
        resizeTo: null,
        doCenterCrop: true,
        cropHeight: 224,
      });
      expect(p.mean[0]).toBeCloseTo(0.48145466, 8);
    }
  });

  it('the model family decides when the file names no processor', () => {
    expect(parseImageProcessorConfig({}, 'x', 'SiglipImageProcessor').doCenterCrop).toBe(false);
  });

  it('non-square sizes and crops', () => {
    const p = parseImageProcessorConfig({
      size: { shortest_edge: 200 },
      crop_size: { height: 180, width: 240 },
    });
    const out = preprocess(
      { width: 400, height: 300, channels: 3, data: new Uint8Array(400 * 300 * 3).fill(255) },
      p,
    );
    expect(out.length).toBe(3 * 180 * 240);
    const squash = parseImageProcessorConfig({
      image_processor_type: 'SiglipImageProcessor',
      size: { height: 64, width: 96 },
    });
    expect(
      preprocess({ width: 10, height: 10, channels: 1, data: new Uint8Array(100) }, squash).length,
    ).toBe(3 * 64 * 96);
  });

  it('accepts resample 0 (nearest)', () => {
    expect(parseImageProcessorConfig({ resample: 0 }).resample).toBe(0);
  });
});

describe("Pillow's nearest filter (ImagingScaleAffine)", () => {
  const ramp = (w: number, h: number) => ({
    width: w,
    height: h,
    channels: 1,
    data: Uint8Array.from({ length: w * h }, (_, i) => i % 256),
  });

  it('picks source index int((i + 0.5) * in / out)', () => {
    // 5 -> 3: centres 0.833, 2.5, 4.17 -> 0, 2, 4; 3 -> 7: centres 0.21, 0.64, 1.07, 1.5, 1.93, 2.36, 2.79.
    expect([...resize(ramp(5, 1), 3, 1, { filter: 0 }).data]).toEqual([0, 2, 4]);
    expect([...resize(ramp(3, 1), 7, 1, { filter: 0 }).data]).toEqual([0, 0, 1, 1, 1, 2, 2]);
    const v = resize(ramp(1, 4), 1, 2, { filter: 0 });
    expect([...v.data]).toEqual([1, 3]);
  });

  it('a region equals the same part of the full result, and channels can be dropped', () => {
    const src = {
      width: 7,
      height: 5,
      channels: 4,
      data: Uint8Array.from({ length: 140 }, (_, i) => (i * 37) % 256),
    };
    const full = resize(src, 11, 3, { filter: 0, channels: 3 });
    const part = resize(src, 11, 3, {
      filter: 0,
      channels: 3,
      region: { left: 2, top: 1, width: 5, height: 2 },
    });
    for (let y = 0; y < 2; y++) {
      expect([...part.data.subarray(y * 15, y * 15 + 15)]).toEqual([
        ...full.data.subarray(((y + 1) * 11 + 2) * 3, ((y + 1) * 11 + 7) * 3),
      ]);
    }
  });
});
