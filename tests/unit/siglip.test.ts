// Issue 14 on siglip-tiny: tokenization, towers, calibration and scores against the PyTorch /
// sentencepiece reference, through the modules the CLI and the worker share.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel, type LoadedModel } from '../../src/cli/load-model.ts';
import { readImageFile } from '../../src/cli/read-image.ts';
import { embedImages } from '../../src/core/embed-images.ts';
import { canonicalizeSiglipText } from '../../src/core/families/siglip.ts';
import { readScalarInitializers } from '../../src/core/onnx-initializers.ts';
import { temperedSigmoid } from '../../src/core/score.ts';
import { createTokenizer } from '../../src/core/tokenize.ts';
import { SIGLIP_DIR, sigmoid, siglipReference as ref } from '../family-fixtures.ts';
import { cosine } from '../fixture.ts';

const texts = Object.keys(ref.texts);
const images = readdirSync(join(SIGLIP_DIR, 'images')).sort();
const loaded: LoadedModel[] = [];
afterAll(() => Promise.all(loaded.map((m) => m.encoder.release())));

const open = async (dtype: 'fp32' | 'q8'): Promise<LoadedModel> => {
  const model = await loadModel(SIGLIP_DIR, dtype, { images: false });
  loaded.push(model);
  return model;
};
const tokenizerOf = (m: LoadedModel) =>
  createTokenizer(m.info.tokenizer.json, m.info.tokenizer.config, m.info.contextLength);

describe('the SigLIP family', () => {
  it('is chosen by model_type, with sizes, processor and calibration from the folder', async () => {
    const { info } = await open('fp32');
    expect(info.family).toBe('siglip');
    expect(info).toMatchObject({ projectionDim: 64, imageSize: 224, contextLength: 64 });
    expect(info.processor).toMatchObject({
      doCenterCrop: false,
      resizeTo: { height: 224, width: 224 },
    });
    expect(info.processor.mean).toEqual([0.5, 0.5, 0.5]);
    const scale = Math.exp(ref.model.logit_scale);
    expect(info.calibration.temperature).toBeCloseTo(1 / scale, 6);
    expect(info.calibration.bias).toBeCloseTo(-ref.model.logit_bias / scale, 6);
    expect(info.calibration.source).toMatch(/onnx\/model\.onnx initializers/);
  });

  it('reads logit_scale and logit_bias from the combined graph', () => {
    const bytes = readFileSync(join(SIGLIP_DIR, 'onnx', 'model.onnx'));
    const values = readScalarInitializers(bytes, ['logit_scale', 'logit_bias', 'nope']);
    expect(values.get('logit_scale')).toBeCloseTo(ref.model.logit_scale, 6);
    expect(values.get('logit_bias')).toBeCloseTo(ref.model.logit_bias, 6);
    expect(values.has('nope')).toBe(false);
    expect(() => readScalarInitializers(new Uint8Array([8, 1, 0xff]), ['x'])).toThrow();
  });

  it('canonicalises and tokenizes every reference text exactly', async () => {
    const tokenizer = tokenizerOf(await open('fp32'));
    for (const text of texts) {
      expect(canonicalizeSiglipText(text), JSON.stringify(text)).toBe(ref.texts[text]?.canonical);
      const { inputIds, length } = tokenizer.encode([text]);
      expect(length).toBe(64);
      expect(Array.from(inputIds, Number), JSON.stringify(text)).toEqual(
        ref.texts[text]?.input_ids,
      );
    }
    // Case and punctuation do not change a label.
    expect(tokenizer.encodeOne('BATHROOM!!')).toEqual(tokenizer.encodeOne('bathroom'));
  });
});

describe.each([
  { dtype: 'fp32', min: 0.9999 },
  { dtype: 'q8', min: 0.999 },
] as const)('$dtype SigLIP embeddings and scores', ({ dtype, min }) => {
  it('match the reference for every image and text', async () => {
    const model = await open(dtype);
    const files = images.map((name) => join(SIGLIP_DIR, 'images', name));
    const imageVecs = new Map<string, Float32Array>();
    for await (const outcomes of embedImages(files, {
      decode: readImageFile,
      processor: model.info.processor,
      embedder: model.encoder,
      dim: model.info.projectionDim,
      batchSize: 1,
    })) {
      for (const o of outcomes) {
        if ('error' in o) throw new Error(o.error.message);
        imageVecs.set(images[o.index] ?? '', o.embedding);
      }
    }
    const textVecs = await model.encoder.embedTexts(tokenizerOf(model).encode(texts));
    const report: string[] = [];
    let worstScore = 0;
    for (const name of images) {
      const img = imageVecs.get(name) ?? new Float32Array();
      const c = cosine(img, ref.images[name]?.image_embeds ?? []);
      report.push(`${name} ${c.toFixed(6)}`);
      expect(c, name).toBeGreaterThanOrEqual(min);
      texts.forEach((text, i) => {
        const vec = textVecs.subarray(i * 64, (i + 1) * 64);
        if (name === images[0]) {
          const ct = cosine(vec, ref.texts[text]?.text_embeds ?? []);
          report.push(`text ${JSON.stringify(text).slice(0, 24)} ${ct.toFixed(6)}`);
          expect(ct, text).toBeGreaterThanOrEqual(min);
        }
        const score = temperedSigmoid(cosine(img, vec), model.info.calibration);
        const want = sigmoid(ref.logits_per_image[name]?.[text] ?? NaN);
        worstScore = Math.max(worstScore, Math.abs(score - want));
      });
    }
    console.log(
      `${dtype}: max |score - sigmoid(logits_per_image)| ${worstScore.toExponential(2)}\n  ${report.join('\n  ')}`,
    );
    if (dtype === 'fp32') expect(worstScore).toBeLessThanOrEqual(1e-4);
  });
});
