import { describe, expect, it } from 'vitest';
import { fitHeadToLabels, type MumicHead } from '../../src/core/adapt/index.ts';

const head: MumicHead = {
  format: 'mumic-head',
  version: 1,
  model: { id: 'm', dtype: 'fp32', projectionDim: 2 },
  templates: 'T',
  labels: [
    { id: 'pool', text: 'a pool', temperature: 0.02, bias: 0.2 },
    { id: 'sea', text: 'the sea', temperature: 0.02, bias: 0.2 },
    { id: 'gone', text: 'gone', temperature: 0.02, bias: 0.2 },
  ],
  trainedAt: new Date(0).toISOString(),
  metrics: null,
};

describe('fitHeadToLabels', () => {
  it('keeps labels that are still there with the same text and says why the others left', () => {
    const fit = fitHeadToLabels(head, {
      labelIds: ['sea', 'pool', 'other'],
      labelTexts: ['the ocean', 'a pool', 'x'],
      templates: 'T',
      projectionDim: 2,
    });
    expect(fit.labels.map((l) => l.id)).toEqual(['pool']);
    expect(fit.left).toEqual([
      { id: 'sea', reason: 'its text changed' },
      { id: 'gone', reason: 'it is not in the label set' },
    ]);
  });

  it('applies nothing when the prompt templates changed', () => {
    const fit = fitHeadToLabels(head, {
      labelIds: ['pool', 'sea', 'gone'],
      labelTexts: ['a pool', 'the sea', 'gone'],
      templates: 'other',
      projectionDim: 2,
    });
    expect(fit.labels).toEqual([]);
    expect(fit.left).toHaveLength(3);
  });

  it('applies nothing to a model of another embedding size', () => {
    const fit = fitHeadToLabels(head, {
      labelIds: ['pool', 'sea', 'gone'],
      labelTexts: ['a pool', 'the sea', 'gone'],
      templates: 'T',
      projectionDim: 512,
    });
    expect(fit.labels).toEqual([]);
    expect(fit.left[0]?.reason).toContain('2-d');
  });
});
