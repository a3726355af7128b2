import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  evaluate,
  globalAveragePrecision,
  macroMeanAveragePrecision,
  perLabelAveragePrecision,
  truthMatrix,
} from '../../src/core/metrics.ts';
import { errorOf } from '../errors.ts';

describe('averagePrecision (scikit-learn definition)', () => {
  it("matches scikit-learn's documented example", () => {
    // Ranked: 0.8(+) 0.4(-) 0.35(+) 0.1(-); P = 2.
    // 0.8: recall 1/2, precision 1/1 → 0.5; 0.35: recall +1/2, precision 2/3 → 0.3333.
    // AP = 0.5 + 0.3333 = 0.8333 (sklearn prints 0.83...).
    expect(averagePrecision([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(5 / 6, 12);
  });

  it('is 1 for a perfect ranking and 1/3 for a single positive ranked last of 3', () => {
    expect(averagePrecision([0.9, 0.8, 0.1], [1, 1, 0])).toBe(1);
    // Only hit at rank 3: (1/1 recall gain) × (1/3 precision) = 1/3.
    expect(averagePrecision([0.9, 0.8, 0.1], [0, 0, 1])).toBeCloseTo(1 / 3, 12);
  });

  it('is 1 when every item is positive, whatever the scores', () => {
    // Precision is 1 at every threshold, recall gains sum to 1.
    expect(averagePrecision([0.3, 0.9, 0.1], [1, 1, 1])).toBe(1);
  });

  it('is null (undefined) with no positive', () => {
    expect(averagePrecision([0.3, 0.9], [0, 0])).toBeNull();
    expect(averagePrecision([], [])).toBeNull();
  });

  it('treats tied scores as one threshold (pessimistic within the group, order-free)', () => {
    // All three tie: one threshold, recall 0 → 1, precision there 2/3 → AP = 2/3.
    expect(averagePrecision([0.8, 0.8, 0.8], [1, 0, 1])).toBeCloseTo(2 / 3, 12);
    // 0.9(+) then {0.5(+), 0.5(-)}: 1/2 × 1/1 + 1/2 × 2/3 = 0.5 + 0.3333 = 0.8333,
    // the same whichever of the tied pair comes first in the input.
    expect(averagePrecision([0.9, 0.5, 0.5, 0.1], [1, 1, 0, 0])).toBeCloseTo(5 / 6, 12);
    expect(averagePrecision([0.9, 0.5, 0.5, 0.1], [1, 0, 1, 0])).toBeCloseTo(5 / 6, 12);
  });

  it('agrees with the textbook sum over thresholds on random data with many ties', () => {
    // Reference: for each distinct score t (descending), P(t) and R(t) over items with score >= t,
    // AP = Σ (R(t) - R(previous t)) × P(t). Scores on a 0.1 grid make ties common.
    let seed = 7;
    const next = (): number => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    for (let trial = 0; trial < 20; trial++) {
      const scores = Array.from({ length: 40 }, () => Math.round(next() * 10) / 10);
      const truth = scores.map(() => (next() < 0.3 ? 1 : 0));
      const positives = truth.reduce<number>((a, b) => a + b, 0);
      if (positives === 0) continue;
      let reference = 0;
      let lastRecall = 0;
      for (const t of [...new Set(scores)].sort((a, b) => b - a)) {
        const kept = scores.map((s, i) => (s >= t ? i : -1)).filter((i) => i >= 0);
        const tp = kept.filter((i) => truth[i] === 1).length;
        reference += (tp / positives - lastRecall) * (tp / kept.length);
        lastRecall = tp / positives;
      }
      expect(averagePrecision(scores, truth)).toBeCloseTo(reference, 12);
    }
  });

  it('accepts booleans as truth', () => {
    expect(averagePrecision([0.2, 0.7], [false, true])).toBe(1);
  });
});

// 3 photos × 3 labels, used by the per-label, macro and GAP cases below (one row per photo).
// The layout is the point: prettier would put one number per line.
// prettier-ignore
const scores = [
  0.9, 0.2, 0.4,
  0.6, 0.7, 0.1,
  0.3, 0.8, 0.5,
];
// prettier-ignore
const truth = [
  1, 0, 0,
  0, 1, 0,
  1, 0, 0,
];

describe('per-label AP and macro mAP', () => {
  it('computes each column by hand', () => {
    // label0: 0.9(+) 0.6(-) 0.3(+), P = 2 → 1/2 × 1 + 1/2 × 2/3 = 0.8333.
    // label1: 0.8(-) 0.7(+), P = 1 → 1 × 1/2 = 0.5.
    // label2: no positive → null.
    const aps = perLabelAveragePrecision(scores, truth, 3);
    expect(aps[0]).toBeCloseTo(5 / 6, 12);
    expect(aps[1]).toBeCloseTo(0.5, 12);
    expect(aps[2]).toBeNull();
  });

  it('averages only labels with a positive', () => {
    // (0.8333 + 0.5) / 2 = 0.6667; label2 is left out, not counted as 0 (which would give 0.4444).
    expect(macroMeanAveragePrecision([5 / 6, 0.5, null])).toBeCloseTo(2 / 3, 12);
    expect(macroMeanAveragePrecision([null, null])).toBeNull();
  });
});

describe('GAP and GAP@k (YouTube-8M definition)', () => {
  it('pools all predictions for GAP', () => {
    // Pool, descending: 0.9(+) 0.8(-) 0.7(+) 0.6(-) 0.5(-) 0.4(-) 0.3(+) 0.2(-) 0.1(-); P = 3.
    // Hits at ranks 1, 3, 7: (1/1 + 2/3 + 3/7) / 3 = (21 + 14 + 9) / 63 = 44/63 = 0.6984.
    expect(globalAveragePrecision(scores, truth, 3)).toBeCloseTo(44 / 63, 12);
  });

  it('keeps each photo top k, with all positives in the denominator', () => {
    // k = 1: photo0 0.9(+), photo1 0.7(+), photo2 0.8(-). Pool 0.9(+) 0.8(-) 0.7(+).
    // Hits at ranks 1, 3 over P = 3 (photo2's label0 positive was cut): (1 + 2/3) / 3 = 5/9.
    expect(globalAveragePrecision(scores, truth, 3, 1)).toBeCloseTo(5 / 9, 12);
    // k = 2 adds 0.4(-), 0.6(-), 0.5(-), all ranked below both hits: still 5/9.
    expect(globalAveragePrecision(scores, truth, 3, 2)).toBeCloseTo(5 / 9, 12);
  });

  it('with k >= the number of labels equals GAP', () => {
    expect(globalAveragePrecision(scores, truth, 3, 3)).toBeCloseTo(44 / 63, 12);
    expect(globalAveragePrecision(scores, truth, 3, 100)).toBeCloseTo(44 / 63, 12);
  });

  it('is null with no positive, and 1 when everything is positive', () => {
    expect(globalAveragePrecision([0.1, 0.2, 0.3, 0.4], [0, 0, 0, 0], 2)).toBeNull();
    expect(globalAveragePrecision([0.1, 0.2, 0.3, 0.4], [1, 1, 1, 1], 2)).toBe(1);
    // k = 1 with all positive: 2 kept hits, precision 1 each, over P = 4 → 2/4 = 0.5.
    expect(globalAveragePrecision([0.1, 0.2, 0.3, 0.4], [1, 1, 1, 1], 2, 1)).toBe(0.5);
  });

  it('groups ties across photos', () => {
    // photo0 [0.7(-), 0.2(+)], photo1 [0.7(+), 0.1(-)]; P = 2.
    // {0.7(-), 0.7(+)}: 1/2 × 1/2 = 0.25; then 0.2(+): 1/2 × 2/3 = 0.3333 → 0.5833,
    // whichever photo comes first.
    const a = globalAveragePrecision([0.7, 0.2, 0.7, 0.1], [0, 1, 1, 0], 2);
    const b = globalAveragePrecision([0.7, 0.1, 0.7, 0.2], [1, 0, 0, 1], 2);
    expect(a).toBeCloseTo(7 / 12, 12);
    expect(b).toBeCloseTo(7 / 12, 12);
  });

  it('breaks ties at the top-k cut by label order', () => {
    // One photo, all three tie; k = 1 keeps label0 (a miss), so the positive is never found → 0.
    expect(globalAveragePrecision([0.5, 0.5, 0.5], [0, 0, 1], 3, 1)).toBe(0);
    // k = 3 keeps the whole tie: one threshold, precision 1/3 → 1/3.
    expect(globalAveragePrecision([0.5, 0.5, 0.5], [0, 0, 1], 3, 3)).toBeCloseTo(1 / 3, 12);
  });

  it('rejects k < 1 and malformed input', () => {
    for (const fn of [
      () => globalAveragePrecision(scores, truth, 3, 0),
      () => globalAveragePrecision(scores, truth, 3, 1.5),
      () => globalAveragePrecision(scores, truth.slice(1), 3),
      () => globalAveragePrecision(scores, truth, 4),
      () => globalAveragePrecision([Number.NaN, 0.1], [1, 0], 2),
    ]) {
      expect(errorOf(fn).name).toBe('InvalidArgument');
    }
  });
});

describe('evaluate', () => {
  it('reports every number at once', () => {
    const report = evaluate(scores, truth, 3, { k: 1 });
    expect(report).toMatchObject({ k: 1, numPhotos: 3, numLabels: 3, numPositives: 3 });
    expect(report.labelsWithPositives).toBe(2);
    expect(report.gapAtK).toBeCloseTo(5 / 9, 12);
    expect(report.gap).toBeCloseTo(44 / 63, 12);
    expect(report.macroMAP).toBeCloseTo(2 / 3, 12);
    expect(evaluate(scores, truth, 3).k).toBe(10);
    // k = 10 > 3 labels: GAP@10 = GAP.
    expect(evaluate(scores, truth, 3).gapAtK).toBeCloseTo(44 / 63, 12);
  });
});

describe('truthMatrix', () => {
  it('builds the 0/1 matrix and names an unknown label', () => {
    expect(Array.from(truthMatrix([['b'], [], ['a', 'b']], ['a', 'b']))).toEqual([
      0, 1, 0, 0, 1, 1,
    ]);
    expect(errorOf(() => truthMatrix([['a'], ['pool']], ['a'])).message).toMatch(
      /row 2: unknown label "pool"/,
    );
  });
});
