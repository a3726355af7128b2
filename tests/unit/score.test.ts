import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BIAS,
  DEFAULT_TEMPERATURE,
  DEFAULT_THRESHOLD,
  cosineAtScore,
  cosineMatrix,
  normalize,
  resolveLabelParams,
  scoreImages,
  sigmoid,
  temperedSigmoid,
} from '../../src/core/score.ts';
import {
  labelsAbove,
  photoLabelScores,
  selectLabels,
  sortByScore,
  topK,
  type LabelScore,
} from '../../src/core/score-rank.ts';
import { errorOf } from '../errors.ts';

/** Deterministic pseudo-random numbers in [-1, 1) (a 32-bit LCG), so failures reproduce. */
function randoms(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

describe('sigmoid', () => {
  it('has the textbook values', () => {
    expect(sigmoid(0)).toBe(0.5);
    expect(sigmoid(1)).toBeCloseTo(0.7310585786, 9);
    expect(sigmoid(-1)).toBeCloseTo(0.2689414214, 9);
    for (const x of [0.3, 2, 7.5]) expect(sigmoid(-x)).toBeCloseTo(1 - sigmoid(x), 12);
  });

  it('does not overflow', () => {
    expect(sigmoid(1000)).toBe(1);
    expect(sigmoid(-1000)).toBe(0);
  });
});

describe('temperedSigmoid', () => {
  it('uses t = 0.01 (CLIP logit scale 100), b = 0.25, threshold 0.5', () => {
    expect(DEFAULT_TEMPERATURE).toBe(0.01);
    expect(DEFAULT_BIAS).toBe(0.25);
    expect(DEFAULT_THRESHOLD).toBe(0.5);
  });

  it('is 0.5 at b and 0.73 / 0.27 one temperature either side', () => {
    const p = { temperature: 0.02, bias: 0.2 };
    expect(temperedSigmoid(0.2, p)).toBe(0.5);
    expect(temperedSigmoid(0.22, p)).toBeCloseTo(0.7311, 4);
    expect(temperedSigmoid(0.18, p)).toBeCloseTo(0.2689, 4);
  });

  it('maps typical CLIP cosines under the defaults', () => {
    // (0.30 - 0.25) / 0.01 = 5 → σ(5) = 0.99331; (0.20 - 0.25) / 0.01 = -5 → σ(-5) = 0.00669.
    expect(temperedSigmoid(0.3)).toBeCloseTo(0.99331, 5);
    expect(temperedSigmoid(0.2)).toBeCloseTo(0.00669, 5);
    expect(temperedSigmoid(0.25)).toBe(0.5);
  });

  it('is strictly increasing in the cosine', () => {
    let last = -1;
    for (let c = 0.15; c <= 0.35; c += 0.001) {
      const p = temperedSigmoid(c);
      expect(p).toBeGreaterThan(last);
      last = p;
    }
  });

  it('inverts with cosineAtScore', () => {
    expect(cosineAtScore(0.5)).toBeCloseTo(0.25, 12);
    expect(cosineAtScore(temperedSigmoid(0.27))).toBeCloseTo(0.27, 9);
    expect(errorOf(() => cosineAtScore(1)).name).toBe('InvalidArgument');
  });

  it('rejects a non-positive temperature or a non-finite bias', () => {
    expect(errorOf(() => temperedSigmoid(0.3, { temperature: 0, bias: 0.2 })).name).toBe(
      'InvalidArgument',
    );
    expect(errorOf(() => temperedSigmoid(0.3, { temperature: 0.01, bias: Number.NaN })).name).toBe(
      'InvalidArgument',
    );
  });
});

describe('resolveLabelParams', () => {
  it('applies per-label overrides by id and ignores unknown ids', () => {
    const { temperature, bias } = resolveLabelParams(['pool', 'spa', 'bar'], {
      overrides: { spa: { bias: 0.3 }, bar: { temperature: 0.05 }, gone: { bias: 9 } },
    });
    expect(Array.from(bias)).toEqual([0.25, 0.3, 0.25]);
    expect(Array.from(temperature)).toEqual([0.01, 0.01, 0.05]);
  });

  it('rejects an invalid override, naming the label', () => {
    const error = errorOf(() =>
      resolveLabelParams(['spa'], { overrides: { spa: { temperature: -1 } } }),
    );
    expect(error.message).toMatch(/override for "spa"/);
  });
});

describe('cosineMatrix', () => {
  function naive(a: Float32Array, b: Float32Array, d: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < a.length / d; i++) {
      for (let j = 0; j < b.length / d; j++) {
        let dot = 0;
        let na = 0;
        let nb = 0;
        for (let k = 0; k < d; k++) {
          const x = a[i * d + k] ?? 0;
          const y = b[j * d + k] ?? 0;
          dot += x * y;
          na += x * x;
          nb += y * y;
        }
        out.push(dot / Math.sqrt(na * nb));
      }
    }
    return out;
  }

  it('matches the naive formula on random data', () => {
    const d = 64;
    const images = randoms(7 * d, 1);
    const labels = randoms(5 * d, 2);
    const fast = cosineMatrix(images, labels, d);
    expect(fast).toBeInstanceOf(Float32Array);
    expect(fast).toHaveLength(35);
    naive(images, labels, d).forEach((v, i) => expect(fast[i]).toBeCloseTo(v, 6));
  });

  it('does not depend on vector length, and a zero vector scores 0', () => {
    const d = 3;
    const a = Float32Array.of(1, 2, 3, 0, 0, 0);
    const scaled = a.map((x) => x * 10);
    const b = Float32Array.of(3, 2, 1);
    const out = cosineMatrix(a, b, d);
    expect(Array.from(cosineMatrix(scaled, b, d))).toEqual(Array.from(out));
    expect(out[0]).toBeCloseTo(10 / 14, 6); // (3+4+3) / (√14·√14)
    expect(out[1]).toBe(0);
  });

  it('rejects lengths that are not multiples of d', () => {
    expect(errorOf(() => cosineMatrix(new Float32Array(5), new Float32Array(4), 2)).name).toBe(
      'InvalidArgument',
    );
    expect(errorOf(() => cosineMatrix(new Float32Array(4), new Float32Array(4), 0)).name).toBe(
      'InvalidArgument',
    );
  });

  it('normalize returns a unit-length copy', () => {
    const v = Float32Array.of(3, 4);
    expect(Array.from(normalize(v))).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)]);
    expect(Array.from(v)).toEqual([3, 4]);
  });
});

describe('scoreImages', () => {
  // 2-d embeddings at chosen angles: cos(image, label) is exactly the cosine of the angle gap.
  const at = (deg: number): number[] => [
    Math.cos((deg * Math.PI) / 180),
    Math.sin((deg * Math.PI) / 180),
  ];
  const images = Float32Array.from([...at(0), ...at(90)]);
  const labels = Float32Array.from([...at(0), ...at(75), ...at(80)]);
  const ids = ['pool', 'spa', 'bar'];

  it('scores every photo against every label, independently (no softmax)', () => {
    const s = scoreImages(images, labels, 2, ids);
    expect(s.numPhotos).toBe(2);
    expect(s.scores).toHaveLength(6);
    // Photo 0 vs pool: cos 1 → p ≈ 1; photo 1 vs spa: cos 15° = 0.966 → p ≈ 1 as well.
    expect(s.scores[0]).toBeCloseTo(1, 6);
    expect(s.scores[4]).toBeCloseTo(1, 6);
    const row1 = Array.from(s.scores.subarray(3, 6));
    expect(row1.reduce((a, b) => a + b, 0)).toBeGreaterThan(1.5);
    s.scores.forEach((p, i) => {
      expect(s.logits[i]).toBeCloseTo(((s.cosines[i] ?? 0) - 0.25) / 0.01, 3);
      expect(p).toBeCloseTo(sigmoid(s.logits[i] ?? 0), 6);
    });
  });

  it('applies overrides to one label only', () => {
    // cos(75°) = 0.2588: default b 0.25 → σ(0.88) = 0.707; with b = 0.2588 → 0.5.
    const base = scoreImages(images, labels, 2, ids);
    const over = scoreImages(images, labels, 2, ids, {
      overrides: { spa: { bias: Math.cos((75 * Math.PI) / 180) } },
    });
    expect(base.scores[1]).toBeCloseTo(0.707, 3);
    expect(over.scores[1]).toBeCloseTo(0.5, 5);
    expect(over.scores[2]).toBe(base.scores[2]);
  });

  it('checks that ids match the label rows, and handles an empty label set', () => {
    expect(errorOf(() => scoreImages(images, labels, 2, ['pool'])).name).toBe('InvalidArgument');
    const none = scoreImages(images, new Float32Array(0), 2, []);
    expect(none.numPhotos).toBe(2);
    expect(photoLabelScores(none, 1)).toEqual([]);
  });
});

describe('ranking, threshold and top-k', () => {
  const list: LabelScore[] = [
    { label: 'spa', score: 0.4, cosine: 0.246 },
    { label: 'pool', score: 0.9, cosine: 0.272 },
    { label: 'bar', score: 0.5, cosine: 0.25 },
    { label: 'sea', score: 1, cosine: 0.45 },
    { label: 'lake', score: 1, cosine: 0.43 },
  ];

  it('sorts by score, then cosine (float32 saturation ties), without mutating', () => {
    expect(sortByScore(list).map((s) => s.label)).toEqual(['sea', 'lake', 'pool', 'bar', 'spa']);
    expect(list[0]?.label).toBe('spa');
  });

  it('threshold is inclusive and sorted', () => {
    expect(labelsAbove(list, 0.5).map((s) => s.label)).toEqual(['sea', 'lake', 'pool', 'bar']);
    expect(labelsAbove(list, 0)).toHaveLength(5);
    expect(labelsAbove(list, 1).map((s) => s.label)).toEqual(['sea', 'lake']);
  });

  it('top-k takes the best k, all if k exceeds the list, none for k = 0', () => {
    expect(topK(list, 2).map((s) => s.label)).toEqual(['sea', 'lake']);
    expect(topK(list, 50)).toHaveLength(5);
    expect(topK(list, 0)).toEqual([]);
  });

  it('combines threshold and top-k', () => {
    expect(selectLabels(list, { threshold: 0.45, top: 3 }).map((s) => s.label)).toEqual([
      'sea',
      'lake',
      'pool',
    ]);
    expect(selectLabels(list, { threshold: 0.95, top: 3 })).toHaveLength(2);
    expect(selectLabels(list)).toHaveLength(5);
  });

  it('rejects a threshold outside [0, 1] and a bad k', () => {
    for (const fn of [
      () => labelsAbove(list, 1.5),
      () => labelsAbove(list, Number.NaN),
      () => topK(list, -1),
      () => topK(list, 1.5),
    ]) {
      expect(errorOf(fn).name).toBe('InvalidArgument');
    }
  });

  it("lists one photo's labels best first", () => {
    const images = Float32Array.of(1, 0);
    const labels = Float32Array.of(0.2, 1, 1, 0.3, 1, 0);
    const s = scoreImages(images, labels, 2, ['a', 'b', 'c']);
    expect(photoLabelScores(s, 0).map((x) => x.label)).toEqual(['c', 'b', 'a']);
    expect(errorOf(() => photoLabelScores(s, 1)).name).toBe('InvalidArgument');
  });
});
