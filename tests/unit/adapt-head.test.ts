import { describe, expect, it } from 'vitest';
import type { ErrorName } from '../../src/core/errors.ts';
import { scoreImages } from '../../src/core/score.ts';
import {
  adapt,
  applyAdapted,
  applyHead,
  buildHead,
  evaluateAdaptation,
  parseHead,
  serializeHead,
  validateHead,
  type HeadExpectation,
  type MumicHead,
} from '../../src/core/adapt/index.ts';
import { makeSynthetic, syntheticFeedback } from '../../src/core/adapt/synthetic.ts';
import { errorOf } from '../errors.ts';

const data = makeSynthetic({ numPhotos: 200, seed: 3 });
const feedback = syntheticFeedback(
  data,
  Array.from({ length: 100 }, (_, i) => i),
  0.5,
  3,
);
const input = {
  images: data.images,
  dim: data.dim,
  labelEmbeddings: data.labelEmbeddings,
  labelIds: data.labelIds,
  feedback,
};
const texts = data.labelIds.map((id) => `a photo of ${id}`);
const TEMPLATES = 'tpl1:["a photo of a {}."]';
const model = { id: 'openai/clip-vit-base-patch32', dtype: 'q8' as const, projectionDim: data.dim };
const expected: HeadExpectation = {
  modelId: model.id,
  dtype: model.dtype,
  projectionDim: model.projectionDim,
  labelIds: data.labelIds,
  labelTexts: texts,
  templates: TEMPLATES,
};

const result = adapt(input);
const head = buildHead(result, {
  model,
  templates: TEMPLATES,
  labelTexts: texts,
  evaluation: evaluateAdaptation(input, { residual: false }),
  trainedAt: new Date('2026-01-02T03:04:05Z'),
});
const file = serializeHead(head);

/** The head file with one change made to its parsed JSON. */
function edited(change: (head: Record<string, unknown>) => void): string {
  const value = JSON.parse(file) as Record<string, unknown>;
  change(value);
  return JSON.stringify(value);
}

function refused(json: string, name: ErrorName, text: string, expect_ = expected): void {
  const error = errorOf(() => parseHead(json, expect_));
  expect(error.name).toBe(name);
  expect(error.message).toContain(text);
}

describe('head files', () => {
  it('round-trip: the parsed file scores photos exactly as the adaptation result does', () => {
    const parsed = parseHead(file, expected);
    expect(parsed.labels.map((l) => l.id)).toEqual(result.labels.map((l) => l.id));
    expect(parsed.trainedAt).toBe('2026-01-02T03:04:05.000Z');
    expect(parsed.metrics?.scheme).toBe('k-fold');
    expect(parsed.training?.mode).toBe('per-label');
    const fromHead = applyHead(parsed, data.labelIds, data.labelEmbeddings, data.dim);
    const fromResult = applyAdapted(result.labels, data.labelIds, data.labelEmbeddings, data.dim);
    const score = (a: typeof fromHead) =>
      scoreImages(data.images, a.labelEmbeddings, data.dim, data.labelIds, a.scoring).logits;
    const a = score(fromHead);
    const b = score(fromResult);
    let worst = 0;
    a.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - (b[i] ?? 0)))));
    // Residuals are stored with 7 significant digits: logits agree to well under 0.01.
    expect(worst).toBeLessThan(1e-3);
    expect(fromHead.adapted).toEqual(result.labels.map((l) => l.id));
  });

  it('is one JSON object in the documented shape', () => {
    const value = JSON.parse(file) as MumicHead;
    expect(Object.keys(value).sort()).toEqual(
      [
        'format',
        'labels',
        'metrics',
        'model',
        'templates',
        'trainedAt',
        'training',
        'version',
      ].sort(),
    );
    expect(value.format).toBe('mumic-head');
    expect(value.version).toBe(1);
    expect(value.model).toEqual(model);
    expect(value.templates).toBe(TEMPLATES);
    expect(value.labels[0]?.residual).toHaveLength(data.dim);
    expect(validateHead(value, expected)).toEqual(parseHead(file, expected));
  });

  it('refuses a corrupt or malformed file with InvalidHead, naming what is wrong', () => {
    refused(file.slice(0, file.length / 2), 'InvalidHead', 'not valid JSON');
    refused('[]', 'InvalidHead', 'expected a JSON object');
    refused(
      edited((h) => (h['format'] = 'mumic-labels')),
      'InvalidHead',
      'not a head file',
    );
    refused(
      edited((h) => (h['version'] = 2)),
      'InvalidHead',
      'unsupported head version 2',
    );
    refused(
      edited((h) => (h['extra'] = 1)),
      'InvalidHead',
      'unknown field "extra"',
    );
    refused(
      edited((h) => (h['labels'] = {})),
      'InvalidHead',
      '"labels" must be an array',
    );
    refused(
      edited((h) => (h['trainedAt'] = 'yesterday')),
      'InvalidHead',
      'trainedAt',
    );
    refused(
      edited((h) => ((h['model'] as Record<string, unknown>)['dtype'] = 'fp64')),
      'InvalidHead',
      'model.dtype must be one of',
    );
    const label = (change: (l: Record<string, unknown>) => void) =>
      edited((h) => change((h['labels'] as Record<string, unknown>[])[0] ?? {}));
    refused(
      label((l) => (l['temperature'] = 0)),
      'InvalidHead',
      'labels[0].temperature must be > 0',
    );
    refused(
      label((l) => (l['bias'] = 'high')),
      'InvalidHead',
      'labels[0].bias must be a finite number',
    );
    refused(
      label((l) => (l['residual'] = [1, 2])),
      'InvalidHead',
      `labels[0].residual must be an array of ${data.dim} numbers`,
    );
    refused(
      label((l) => ((l['residual'] as unknown[])[5] = null)),
      'InvalidHead',
      'labels[0].residual[5]',
    );
    refused(
      label((l) => (l['colour'] = 'red')),
      'InvalidHead',
      'unknown field "colour" in labels[0]',
    );
    refused(
      edited((h) => {
        const labels = h['labels'] as unknown[];
        labels.push(labels[0]);
      }),
      'InvalidHead',
      'duplicate label id',
    );
  });

  it('refuses a head made for another model, dtype, dimension, templates or label set with HeadMismatch', () => {
    refused(
      file,
      'HeadMismatch',
      'made for model "openai/clip-vit-base-patch32", the loaded model is "other"',
      {
        ...expected,
        modelId: 'other',
      },
    );
    refused(file, 'HeadMismatch', 'made with q8 embeddings, the loaded model uses fp32', {
      ...expected,
      dtype: 'fp32',
    });
    refused(file, 'HeadMismatch', '64-d label vectors, the model embeds in 512-d', {
      ...expected,
      projectionDim: 512,
    });
    refused(file, 'HeadMismatch', 'prompt templates', { ...expected, templates: 'tpl1:["{}"]' });
    const fewer = data.labelIds.slice(2);
    const missing = result.labels.map((l) => l.id).filter((id) => !fewer.includes(id));
    refused(file, 'HeadMismatch', `made for other labels: "${missing[0]}"`, {
      ...expected,
      labelIds: fewer,
      labelTexts: texts.slice(2),
    });
    const first = result.labels[0]?.id ?? '';
    const renamed = texts.map((t, j) => (data.labelIds[j] === first ? 'a photo of a pool' : t));
    refused(file, 'HeadMismatch', `label "${first}" was adapted for the text`, {
      ...expected,
      labelTexts: renamed,
    });
    // Labels added since the head was made are fine: they keep zero-shot scoring.
    const more = {
      ...expected,
      labelIds: [...data.labelIds, 'new'],
      labelTexts: [...texts, 'new'],
    };
    expect(parseHead(file, more).labels).toHaveLength(result.labels.length);
  });

  it('applies per-label overrides on top of the base scoring, leaving other labels alone', () => {
    const applied = applyHead(
      head,
      [...data.labelIds, 'new'],
      new Float32Array([...data.labelEmbeddings, ...new Float32Array(data.dim).fill(1)]),
      data.dim,
      {
        temperature: 0.02,
        overrides: { new: { bias: 0.3 } },
      },
    );
    expect(applied.scoring.temperature).toBe(0.02);
    expect(applied.scoring.overrides?.['new']).toEqual({ bias: 0.3 });
    const l0 = head.labels[0];
    expect(applied.scoring.overrides?.[l0?.id ?? '']).toEqual({
      temperature: l0?.temperature,
      bias: l0?.bias,
    });
    const error = errorOf(() => applyHead(head, ['other'], new Float32Array(data.dim), data.dim));
    expect(error.name).toBe('HeadMismatch');
  });
});
