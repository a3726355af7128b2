/**
 * The adaptation objective and its analytic gradient (docs/ADAPTATION.md writes it out).
 *
 * Per label j: t_j = exp(τ_j) > 0, bias b_j, residual r_j; the adapted label vector is
 * w_j = (e_j + r_j) / ‖e_j + r_j‖ with e_j the unit zero-shot text embedding, the cosine is
 * c = x·w_j for a unit image row x, and the logit z = (c − b_j) / t_j (MuMIC's tempered sigmoid,
 * p = σ(z), exactly as src/core/score.ts scores). For a known cell with outcome y ∈ {+1, −1}:
 *
 *   p_true = σ(y z),  loss = a_y · (1 − p_true)^γ · (−log p_true)
 *
 * (1 − p_true)^γ is the hardness weight (γ = 0: plain BCE), a_y the positive/negative balance.
 * The objective adds Gaussian priors centred on the zero-shot parameters:
 *
 *   J = Σ_j Σ_cells loss + λ_r Σ_j ‖r_j‖² + λ_b Σ (b − b₀)² + λ_τ Σ (τ − τ₀)²
 *
 * Each label's residual lives in an orthonormal basis of k_j coordinates: either the whole
 * embedding space (k_j = d, the unit image rows are the coordinates) or the span of the label's
 * zero-shot embedding and its training photos (see `buildProblem`). `features` holds each
 * entry's coordinates in its label's basis, `eHat` each label's embedding in it. Everything here
 * works on preallocated typed arrays: no allocation per step.
 */

export interface LossOptions {
  /** Hardness exponent γ ≥ 0: the weight (1 − p_true)^γ. 0 is plain (balanced) BCE. */
  readonly gamma: number;
  /**
   * Share of a label's loss weight given to its positives (the rest to its negatives), or null
   * for no balancing (every known cell weight 1). 0.5: positives and negatives count equally.
   */
  readonly positiveShare: number | null;
  /** λ_r: the pull of each residual towards zero (the zero-shot text embedding). */
  readonly residualL2: number;
  /** λ_b: the pull of each bias towards its zero-shot value (cosine units). */
  readonly biasL2: number;
  /** λ_τ: the pull of each log-temperature towards its zero-shot value. */
  readonly logTemperatureL2: number;
}

/**
 * An orthonormal basis of span{v_0, …}, v_0 the label's unit embedding and the others photos:
 * basis row q = Σ_p (L⁻¹)_qp v_p over the kept vectors, L the Cholesky factor of their Gram
 * matrix. The coordinates of a vector v are then L⁻¹ (V v): no d-dimensional work after the Gram.
 */
export interface SpanBasis {
  /** Kept vectors: −1 for the label's embedding, else a photo index. */
  readonly vectors: Int32Array;
  /** L, k × k row-major, lower triangular. */
  readonly chol: Float64Array;
}

/** Known cells of the labels being trained, grouped by slot (one slot per trained label). */
export interface EntrySet {
  /** Entries of slot s are start[s] .. start[s + 1] − 1. */
  readonly start: Int32Array;
  readonly photo: Int32Array;
  /** +1 or −1. */
  readonly y: Int8Array;
  /** Balance weight a_y of each entry. */
  readonly weight: Float64Array;
  /** Zero-shot cosine x·e of each entry. */
  readonly cos0: Float64Array;
  /** Offset of each entry's coordinates (its label's k values) in `Problem.features`. */
  readonly feature: Int32Array;
  /**
   * How many of them can be non-zero: a training photo that built the span basis has
   * coordinates only on the basis vectors made before and from it (a row of the Cholesky
   * factor), so its dot products stop there; k for every other entry.
   */
  readonly length: Int32Array;
}

export interface Problem {
  readonly slots: number;
  /** Label index (column of the label set) of each slot. */
  readonly labelOf: Int32Array;
  /** (t, b) parameter group of each slot: the slot itself, or 0 for all in global mode. */
  readonly group: Int32Array;
  readonly groups: number;
  /** Residual coordinates of slot s: resStart[s] .. resStart[s + 1] − 1 (none: no residual). */
  readonly resStart: Int32Array;
  /** Coordinates of the entries, found through `EntrySet.feature`. */
  readonly features: Float32Array;
  /** Each trained label's unit embedding in its residual basis, aligned with the residual. */
  readonly eHat: Float64Array;
  /** Per slot, how residual coordinates map to embedding space (null: identity, k = d). */
  readonly bases: readonly (SpanBasis | null)[];
  /** Prior centres τ₀ = log t₀ and b₀, per group. */
  readonly tau0: Float64Array;
  readonly bias0: Float64Array;
  readonly train: EntrySet;
  readonly validation: EntrySet | null;
  /** Scratch of length k. */
  readonly scratch: Float64Array;
}

/** Trainable parameters (also the shape of their gradient and of Adam's moments). */
export interface Params {
  readonly tau: Float64Array;
  readonly bias: Float64Array;
  /** Residual coordinates of every slot (see Problem.resStart). */
  readonly residual: Float64Array;
}

export function createParams(problem: Problem): Params {
  return {
    tau: new Float64Array(problem.groups),
    bias: new Float64Array(problem.groups),
    residual: new Float64Array(problem.resStart[problem.slots] ?? 0),
  };
}

/** Parameters at the zero-shot point: prior centres, no residual. */
export function resetParams(problem: Problem, params: Params): void {
  params.tau.set(problem.tau0);
  params.bias.set(problem.bias0);
  params.residual.fill(0);
}

export function copyParams(from: Params, to: Params): void {
  to.tau.set(from.tau);
  to.bias.set(from.bias);
  to.residual.set(from.residual);
}

/** Loss of one cell and its derivative by the logit. */
export interface CellLoss {
  loss: number;
  dz: number;
}

/**
 * Hardness-weighted BCE of one logit z with outcome y (unweighted by balance), stable for any z:
 * loss = (1 − p)^γ · softplus(−yz) with p = σ(yz); d loss / d(yz) = (1 − p)^γ (γ p log p − (1 − p)).
 */
export function hardnessBce(z: number, y: 1 | -1, gamma: number): CellLoss {
  const q = y * z;
  const e = Math.exp(-Math.abs(q));
  const nll = (q >= 0 ? 0 : -q) + Math.log1p(e);
  const p = q >= 0 ? 1 / (1 + e) : e / (1 + e);
  const miss = q >= 0 ? e / (1 + e) : 1 / (1 + e);
  const h = gamma === 0 ? 1 : Math.pow(miss, gamma);
  return { loss: h * nll, dz: y * h * (-gamma * p * nll - miss) };
}

/**
 * 1 / ‖e + r‖ for the residual a = residual[ao .. ao + k − 1] of one slot, whose label embedding
 * is eHat[ao ..]: ‖e + r‖² = 1 + 2 ê·a + ‖a‖² (e is a unit vector and the basis is orthonormal).
 * Once per slot, not per cell.
 */
function inverseNorm(residual: Float64Array, eHat: Float64Array, ao: number, k: number): number {
  let ea = 0;
  let aa = 0;
  for (let q = 0; q < k; q++) {
    const a = residual[ao + q] ?? 0;
    ea += (eHat[ao + q] ?? 0) * a;
    aa += a * a;
  }
  return 1 / Math.sqrt(1 + 2 * ea + aa);
}

/**
 * J (or, with `regularise` false, the data term only) on one entry set; writes ∂J/∂params into
 * `grad` when given. The hot loop: one dot product and one axpy of length k per known cell.
 */
export function objective(
  problem: Problem,
  params: Params,
  options: LossOptions,
  set: EntrySet,
  grad: Params | null,
  regularise = true,
): number {
  const { resStart, features, eHat, scratch: v, group } = problem;
  const { start, feature, length, y: ys, weight, cos0 } = set;
  const residual = params.residual;
  const gamma = options.gamma;
  const square = gamma === 2;
  let total = 0;
  if (grad !== null) {
    grad.tau.fill(0);
    grad.bias.fill(0);
    grad.residual.fill(0);
  }
  for (let s = 0; s < problem.slots; s++) {
    const g = group[s] ?? 0;
    const tau = params.tau[g] ?? 0;
    const invT = Math.exp(-tau);
    const b = params.bias[g] ?? 0;
    const ao = resStart[s] ?? 0;
    const k = (resStart[s + 1] ?? 0) - ao;
    const invN = inverseNorm(residual, eHat, ao, k);
    if (grad !== null && k > 0) v.fill(0);
    let sumGc = 0;
    let gradB = 0;
    let gradTau = 0;
    const end = start[s + 1] ?? 0;
    for (let e = start[s] ?? 0; e < end; e++) {
      let dot = cos0[e] ?? 0;
      const fo = feature[e] ?? 0;
      const kk = length[e] ?? 0;
      if (kk > 0) {
        let d0 = 0;
        let d1 = 0;
        let q = 0;
        for (; q + 2 <= kk; q += 2) {
          d0 += (features[fo + q] ?? 0) * (residual[ao + q] ?? 0);
          d1 += (features[fo + q + 1] ?? 0) * (residual[ao + q + 1] ?? 0);
        }
        for (; q < kk; q++) d0 += (features[fo + q] ?? 0) * (residual[ao + q] ?? 0);
        dot += d0 + d1;
      }
      const c = dot * invN;
      const z = (c - b) * invT;
      const y = ys[e] ?? 1;
      const w = weight[e] ?? 0;
      // hardnessBce, inlined: this runs for every known cell on every step.
      const qz = y * z;
      const ex = Math.exp(-Math.abs(qz));
      const nll = (qz >= 0 ? 0 : -qz) + Math.log1p(ex);
      const inv1 = 1 / (1 + ex);
      const miss = qz >= 0 ? ex * inv1 : inv1;
      const h = gamma === 0 ? 1 : square ? miss * miss : Math.pow(miss, gamma);
      total += w * h * nll;
      if (grad === null) continue;
      const p = 1 - miss;
      const dz = w * y * h * (-gamma * p * nll - miss);
      gradB -= dz * invT;
      gradTau -= dz * z;
      if (k > 0) {
        const gc = dz * invT;
        sumGc += gc * c;
        const coef = gc * invN;
        for (let q = 0; q < kk; q++) v[q] = (v[q] ?? 0) + coef * (features[fo + q] ?? 0);
      }
    }
    if (grad === null) continue;
    grad.tau[g] = (grad.tau[g] ?? 0) + gradTau;
    grad.bias[g] = (grad.bias[g] ?? 0) + gradB;
    if (k > 0) {
      // ∂c/∂a = f/‖u‖ − c (ê + a)/‖u‖²: the second term keeps w on the unit sphere.
      const back = sumGc * invN * invN;
      for (let q = 0; q < k; q++) {
        grad.residual[ao + q] =
          (v[q] ?? 0) - back * ((eHat[ao + q] ?? 0) + (residual[ao + q] ?? 0));
      }
    }
  }
  if (!regularise) return total;
  const { residualL2, biasL2, logTemperatureL2 } = options;
  for (let g = 0; g < problem.groups; g++) {
    const db = (params.bias[g] ?? 0) - (problem.bias0[g] ?? 0);
    const dt = (params.tau[g] ?? 0) - (problem.tau0[g] ?? 0);
    total += biasL2 * db * db + logTemperatureL2 * dt * dt;
    if (grad !== null) {
      grad.bias[g] = (grad.bias[g] ?? 0) + 2 * biasL2 * db;
      grad.tau[g] = (grad.tau[g] ?? 0) + 2 * logTemperatureL2 * dt;
    }
  }
  for (let q = 0; q < residual.length; q++) {
    const a = residual[q] ?? 0;
    total += residualL2 * a * a;
    if (grad !== null) grad.residual[q] = (grad.residual[q] ?? 0) + 2 * residualL2 * a;
  }
  return total;
}

/** The logit z of every entry of `set` under `params`, into `out` (length = entries). */
export function entryLogits(problem: Problem, params: Params, set: EntrySet, out: Float64Array) {
  const { resStart, features, eHat, group } = problem;
  const { start, feature, length, cos0 } = set;
  const residual = params.residual;
  for (let s = 0; s < problem.slots; s++) {
    const g = group[s] ?? 0;
    const invT = Math.exp(-(params.tau[g] ?? 0));
    const b = params.bias[g] ?? 0;
    const ao = resStart[s] ?? 0;
    const invN = inverseNorm(residual, eHat, ao, (resStart[s + 1] ?? 0) - ao);
    const end = start[s + 1] ?? 0;
    for (let e = start[s] ?? 0; e < end; e++) {
      let dot = cos0[e] ?? 0;
      const fo = feature[e] ?? 0;
      const kk = length[e] ?? 0;
      for (let q = 0; q < kk; q++) dot += (features[fo + q] ?? 0) * (residual[ao + q] ?? 0);
      out[e] = (dot * invN - b) * invT;
    }
  }
  return out;
}
