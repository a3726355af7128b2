import { describe, expect, it } from 'vitest';
import {
  createParams,
  entryLogits,
  hardnessBce,
  objective,
  resetParams,
  type Params,
  type Problem,
} from '../../src/core/adapt/objective.ts';
import { createGrams, prepareInput, type PreparedInput } from '../../src/core/adapt/prepare.ts';
import { buildProblem, residualVector } from '../../src/core/adapt/problem.ts';
import { createRandom } from '../../src/core/adapt/random.ts';
import { resolveAdaptOptions, type AdaptOptions } from '../../src/core/adapt/train.ts';
import type { FeedbackEntry } from '../../src/core/adapt/feedback.ts';

const naiveSigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

function gaussian(seed: number): () => number {
  const random = createRandom(seed);
  return () => Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
}

/** A small random problem: n photos, m labels, dim d, about 70% of cells known. */
function smallProblem(d: number, seed: number) {
  const n = 12;
  const ids = ['a', 'b', 'c'];
  const normal = gaussian(seed);
  const random = createRandom(seed + 100);
  const images = Float32Array.from({ length: n * d }, normal);
  const labelEmbeddings = Float32Array.from({ length: ids.length * d }, normal);
  const feedback: FeedbackEntry[] = [];
  for (let i = 0; i < n; i++) {
    for (const label of ids) {
      if (random() < 0.7) feedback.push({ photo: i, label, value: random() < 0.4 ? 1 : -1 });
    }
  }
  const prepared = prepareInput({
    images,
    dim: d,
    labelEmbeddings,
    labelIds: ids,
    feedback,
    scoring: { temperature: 0.3, bias: 0.1 },
  });
  return { prepared, normal };
}

function build(prepared: PreparedInput, options: AdaptOptions, weights = false): Problem {
  const all = Int32Array.from({ length: prepared.table.length }, (_, e) => e);
  const train = all.filter((e) => (prepared.table.photo[e] ?? 0) % 4 !== 0);
  const validation = all.filter((e) => (prepared.table.photo[e] ?? 0) % 4 === 0);
  // Sampling weights (as maxCellsPerClass makes) enter the loss; check them too.
  const sample = weights ? new Map(Array.from(train, (e) => [e, 1 + (e % 3)])) : null;
  return buildProblem(prepared, createGrams(prepared, all), train, validation, options, sample);
}

function perturb(params: Params, normal: () => number): void {
  params.residual.forEach((_, i) => (params.residual[i] = 0.3 * normal()));
  params.bias.forEach((b, i) => (params.bias[i] = b + 0.1 * normal()));
  params.tau.forEach((t, i) => (params.tau[i] = t + 0.2 * normal()));
}

/** Largest relative difference between the analytic gradient and central differences. */
function gradientError(problem: Problem, params: Params, options: AdaptOptions): number {
  const grad = createParams(problem);
  objective(problem, params, options, problem.train, grad);
  let worst = 0;
  for (const key of ['tau', 'bias', 'residual'] as const) {
    const x = params[key];
    for (let i = 0; i < x.length; i++) {
      const h = 1e-6;
      const v = x[i] ?? 0;
      x[i] = v + h;
      const up = objective(problem, params, options, problem.train, null);
      x[i] = v - h;
      const down = objective(problem, params, options, problem.train, null);
      x[i] = v;
      const numeric = (up - down) / (2 * h);
      const analytic = grad[key][i] ?? 0;
      worst = Math.max(worst, Math.abs(numeric - analytic) / Math.max(1, Math.abs(numeric)));
    }
  }
  return worst;
}

describe('hardnessBce: one cell', () => {
  it('with γ = 0 is plain BCE, −log σ(z) or −log(1 − σ(z)), and its derivative σ(z) − y', () => {
    // The naive formulas are exact enough here; in the tails they cancel (checked below).
    for (const z of [-12, -4, -0.7, 0, 0.3, 2.5, 12]) {
      const p = naiveSigmoid(z);
      const pos = hardnessBce(z, 1, 0);
      const neg = hardnessBce(z, -1, 0);
      expect(pos.loss).toBeCloseTo(-Math.log(p), 9);
      expect(neg.loss).toBeCloseTo(-Math.log(1 - p), 9);
      expect(pos.dz).toBeCloseTo(p - 1, 12);
      expect(neg.dz).toBeCloseTo(p, 12);
    }
  });

  it('stays exact in the tails, where 1 − σ(z) cancels in floating point', () => {
    // softplus(30) = 30 + log1p(e^−30); softplus(−30) = log1p(e^−30) ≈ e^−30.
    expect(hardnessBce(30, -1, 0).loss).toBeCloseTo(30 + Math.log1p(Math.exp(-30)), 12);
    expect(hardnessBce(30, 1, 0).loss / Math.exp(-30)).toBeCloseTo(1, 12);
    expect(hardnessBce(-800, 1, 0).loss).toBe(800);
    expect(hardnessBce(-800, 1, 2).dz).toBe(-1);
  });

  it('weights by (1 − p_true)^γ: an easy cell loses most of its loss, a hard one little', () => {
    const easy = hardnessBce(4, 1, 2);
    const hard = hardnessBce(-4, 1, 2);
    const pEasy = naiveSigmoid(4);
    expect(easy.loss).toBeCloseTo((1 - pEasy) ** 2 * -Math.log(pEasy), 12);
    expect(easy.loss / hardnessBce(4, 1, 0).loss).toBeLessThan(0.001);
    expect(hard.loss / hardnessBce(-4, 1, 0).loss).toBeGreaterThan(0.96);
  });

  it('has the derivative of its loss (central differences), for any γ and far into the tails', () => {
    for (const gamma of [0, 0.5, 1, 2, 3.5]) {
      for (const y of [1, -1] as const) {
        for (const z of [-25, -3, -0.2, 0, 0.8, 6, 25]) {
          const h = 1e-6;
          const numeric =
            (hardnessBce(z + h, y, gamma).loss - hardnessBce(z - h, y, gamma).loss) / (2 * h);
          expect(hardnessBce(z, y, gamma).dz).toBeCloseTo(numeric, 6);
        }
      }
    }
  });
});

describe('objective: loss and analytic gradient', () => {
  const cases = [
    { d: 6, what: 'identity residual basis' },
    { d: 40, what: "each label's own span basis" },
  ];
  for (const { d, what } of cases) {
    for (const mode of ['per-label', 'global'] as const) {
      it(`matches finite differences for t, b and r (${mode}, ${what})`, () => {
        const { prepared, normal } = smallProblem(d, d);
        for (const gamma of [0, 0.7, 2]) {
          for (const weights of [false, true]) {
            const options = resolveAdaptOptions({
              mode,
              gamma,
              residualL2: 0.3,
              biasL2: 2,
              logTemperatureL2: 0.5,
            });
            const problem = build(prepared, options, weights);
            const params = createParams(problem);
            resetParams(problem, params);
            perturb(params, normal);
            expect(gradientError(problem, params, options)).toBeLessThan(1e-6);
          }
        }
      });
    }
  }

  it('maps residual coordinates back to the embedding space exactly (same cosines)', () => {
    for (const d of [6, 40]) {
      const { prepared, normal } = smallProblem(d, 3);
      const problem = build(prepared, resolveAdaptOptions());
      const params = createParams(problem);
      resetParams(problem, params);
      perturb(params, normal);
      const set = problem.train;
      const z = entryLogits(problem, params, set, new Float64Array(set.photo.length));
      for (let s = 0; s < problem.slots; s++) {
        const j = problem.labelOf[s] ?? 0;
        const r = residualVector(prepared, problem, params, s);
        const w = Float64Array.from(
          { length: d },
          (_, q) => (prepared.labels[j * d + q] ?? 0) + (r[q] ?? 0),
        );
        const norm = Math.hypot(...w);
        const t = Math.exp(params.tau[s] ?? 0);
        for (let e = set.start[s] ?? 0; e < (set.start[s + 1] ?? 0); e++) {
          const i = set.photo[e] ?? 0;
          let dot = 0;
          for (let q = 0; q < d; q++) dot += (prepared.images[i * d + q] ?? 0) * (w[q] ?? 0);
          expect((dot / norm - (params.bias[s] ?? 0)) / t).toBeCloseTo(z[e] ?? 0, 4);
        }
      }
    }
  });

  it('with γ = 0, no balancing and no priors, is exactly the sum of plain BCE over known cells', () => {
    const { prepared, normal } = smallProblem(8, 5);
    const options = resolveAdaptOptions({
      gamma: 0,
      positiveShare: null,
      residualL2: 0,
      biasL2: 0,
      logTemperatureL2: 0,
    });
    const problem = build(prepared, options);
    const params = createParams(problem);
    resetParams(problem, params);
    perturb(params, normal);
    const set = problem.train;
    const z = entryLogits(problem, params, set, new Float64Array(set.photo.length));
    let bce = 0;
    z.forEach((zi, e) => {
      const p = naiveSigmoid(zi);
      bce += set.y[e] === 1 ? -Math.log(p) : -Math.log(1 - p);
    });
    expect(objective(problem, params, options, set, null)).toBeCloseTo(bce, 9);
  });

  it('balances each label: positives and negatives carry equal total weight, summing to the cells', () => {
    const { prepared } = smallProblem(8, 9);
    const problem = build(prepared, resolveAdaptOptions({ positiveShare: 0.5 }));
    const { start, y, weight } = problem.train;
    for (let s = 0; s < problem.slots; s++) {
      let pos = 0;
      let neg = 0;
      for (let e = start[s] ?? 0; e < (start[s + 1] ?? 0); e++) {
        if (y[e] === 1) pos += weight[e] ?? 0;
        else neg += weight[e] ?? 0;
      }
      const cells = (start[s + 1] ?? 0) - (start[s] ?? 0);
      if (pos > 0 && neg > 0) expect(pos).toBeCloseTo(neg, 12);
      expect(pos + neg).toBeCloseTo(cells, 12);
    }
  });
});
