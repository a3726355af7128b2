import { describe, expect, it } from 'vitest';
import { averagePrecision, evaluate } from '../../src/core/metrics.ts';
import {
  evaluateAdaptation,
  evaluateKnownCells,
  KFOLD_BELOW_PHOTOS,
} from '../../src/core/adapt/index.ts';
import { makeSynthetic, syntheticFeedback } from '../../src/core/adapt/synthetic.ts';

describe('metrics over known cells only', () => {
  // 3 photos × 3 labels; − marks an unknown cell. Scores:      truth:
  //   photo 0:  0.9  0.8  (0.95 −)                            1 0 −
  //   photo 1:  0.2  (0.99 −)  0.7                            0 − 1
  //   photo 2:  0.6  0.1  0.3                                 1 0 0
  const photo = [0, 0, 1, 1, 2, 2, 2];
  const label = [0, 1, 0, 2, 0, 1, 2];
  const y = [1, -1, -1, 1, 1, -1, -1];
  const scores = [0.9, 0.8, 0.2, 0.7, 0.6, 0.1, 0.3];
  const report = evaluateKnownCells(3, photo, label, y, scores, 1);

  it('per-label AP and GAP ignore unknown cells instead of counting them as negatives', () => {
    expect(report.perLabelAP[0]).toBeCloseTo(averagePrecision([0.9, 0.2, 0.6], [1, 0, 1]) ?? 0, 12);
    expect(report.perLabelAP[1]).toBeNull();
    expect(report.perLabelAP[2]).toBeCloseTo(averagePrecision([0.7, 0.3], [1, 0]) ?? 0, 12);
    const pooled = averagePrecision(
      scores,
      y.map((v) => (v === 1 ? 1 : 0)),
    );
    expect(report.gap).toBeCloseTo(pooled ?? 0, 12);
    // Had the unknown cells been negatives with their scores, both would be lower.
    const dense = evaluate(
      [0.9, 0.8, 0.95, 0.2, 0.99, 0.7, 0.6, 0.1, 0.3],
      [1, 0, 0, 0, 0, 1, 1, 0, 0],
      3,
    );
    expect(dense.gap ?? 1).toBeLessThan(report.gap ?? 0);
  });

  it("GAP@k takes each photo's top k among its known cells, over all known positives", () => {
    // Top-1 per photo: 0.9 (+), 0.7 (+), 0.6 (+); ranked 0.9, 0.7, 0.6 → AP = 3/3 over 3 positives.
    expect(report.gapAtK).toBeCloseTo(1, 12);
    expect(report.numPositives).toBe(3);
  });
});

describe('evaluateAdaptation: held-out feedback', () => {
  const data = makeSynthetic({ numPhotos: 700, seed: 5 });
  const input = (photos: number, coverage: number) => ({
    images: data.images,
    dim: data.dim,
    labelEmbeddings: data.labelEmbeddings,
    labelIds: data.labelIds,
    feedback: syntheticFeedback(
      data,
      Array.from({ length: photos }, (_, i) => i),
      coverage,
      5,
    ),
  });

  it(`holds out every photo once (5-fold) below ${KFOLD_BELOW_PHOTOS} photos with feedback`, () => {
    const small = input(120, 0.5);
    const evaluation = evaluateAdaptation(small, { residual: false });
    expect(evaluation?.scheme).toBe('k-fold');
    expect(evaluation?.folds).toBe(5);
    expect(evaluation?.heldOutEntries).toBe(small.feedback.length);
    expect(evaluation?.heldOutPhotos).toBe(120);
  });

  it('holds out one fifth of the photos once feedback is large', () => {
    const large = input(600, 0.25);
    const evaluation = evaluateAdaptation(large, { residual: false });
    const photos = new Set(large.feedback.map((f) => f.photo)).size;
    expect(photos).toBeGreaterThanOrEqual(KFOLD_BELOW_PHOTOS);
    expect(evaluation?.scheme).toBe('holdout');
    expect(evaluation?.heldOutPhotos).toBe(Math.ceil(photos / 5));
    // A fixed number of folds overrides the rule.
    expect(evaluateAdaptation(large, { residual: false }, { folds: 3 })?.scheme).toBe('k-fold');
  });

  it('has nothing to hold out with feedback on a single photo', () => {
    expect(evaluateAdaptation(input(1, 1))).toBeNull();
  });
});
