// Adam's state and update over the adaptation parameters (β1 0.9, β2 0.95; docs/ADAPTATION.md).
import { createParams, type Params, type Problem } from './objective.ts';

export interface Adam {
  readonly grad: Params;
  readonly m1: Params;
  readonly m2: Params;
  step: number;
}

export function createAdam(problem: Problem): Adam {
  return {
    grad: createParams(problem),
    m1: createParams(problem),
    m2: createParams(problem),
    step: 0,
  };
}

export const BETA1 = 0.9;
export const BETA2 = 0.95;
const EPSILON = 1e-8;

export function adamUpdate(
  x: Float64Array,
  g: Float64Array,
  m1: Float64Array,
  m2: Float64Array,
  lr: number,
  c1: number,
  c2: number,
  from = 0,
  to = x.length,
): void {
  for (let i = from; i < to; i++) {
    const gi = g[i] ?? 0;
    const a = BETA1 * (m1[i] ?? 0) + (1 - BETA1) * gi;
    const b = BETA2 * (m2[i] ?? 0) + (1 - BETA2) * gi * gi;
    m1[i] = a;
    m2[i] = b;
    x[i] = (x[i] ?? 0) - (lr * (a / c1)) / (Math.sqrt(b / c2) + EPSILON);
  }
}
