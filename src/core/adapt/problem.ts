/**
 * Building a training problem (objective.ts) from prepared input and a choice of entries:
 * slots (labels with training feedback), balance weights, and each label's residual basis.
 */
import type { EntrySet, Params, Problem, SpanBasis } from './objective.ts';
import type { Grams, PreparedInput } from './prepare.ts';

export interface ProblemOptions {
  readonly mode: 'per-label' | 'global';
  readonly residual: boolean;
  readonly positiveShare: number | null;
}

/** Extra weight per table entry (sampling weights), 1 when absent. */
export type EntryWeights = ReadonlyMap<number, number>;

/** A vector is kept in a span basis when more than this (squared) is left of it, unit vectors. */
const SPAN_TOLERANCE = 1e-6;

interface Slots {
  readonly labelOf: number[];
  readonly slotOfLabel: Int32Array;
}

function slotsOf(prepared: PreparedInput, sortedEntries: Int32Array): Slots {
  const slotOfLabel = new Int32Array(prepared.labelIds.length).fill(-1);
  const labelOf: number[] = [];
  for (const e of sortedEntries) {
    const j = prepared.table.label[e] ?? 0;
    if (slotOfLabel[j] === -1) {
      slotOfLabel[j] = labelOf.length;
      labelOf.push(j);
    }
  }
  return { labelOf, slotOfLabel };
}

/** Solves L y = g (L lower triangular, row stride `stride`, k rows) in place of y. */
function forward(chol: Float64Array, stride: number, k: number, g: Float64Array): void {
  for (let r = 0; r < k; r++) {
    let v = g[r] ?? 0;
    for (let c = 0; c < r; c++) v -= (chol[r * stride + c] ?? 0) * (g[c] ?? 0);
    g[r] = v / (chol[r * stride + r] ?? 1);
  }
}

/**
 * Span basis of a label from its Gram matrix (prepare.ts): incremental Cholesky over the label's
 * embedding (Gram index 0) then its training photos; a photo already in the span (a duplicate)
 * adds no dimension. Returns the basis and the coordinates of every Gram vector asked for.
 */
function spanBasis(
  gram: Float64Array,
  order: readonly number[],
  photoOfIndex: (index: number) => number,
): {
  basis: SpanBasis;
  coordinates: (index: number) => Float64Array;
  nonZero: (index: number) => number;
} {
  const size = Math.round(Math.sqrt(gram.length));
  const stride = order.length;
  const chol = new Float64Array(stride * stride);
  const kept: number[] = [];
  const g = new Float64Array(stride);
  // Coordinates of each processed vector, found on the way (a prefix of the final ones).
  const known = new Map<number, Float64Array>();
  for (const i of order) {
    const k = kept.length;
    for (let c = 0; c < k; c++) g[c] = gram[i * size + (kept[c] ?? 0)] ?? 0;
    forward(chol, stride, k, g);
    let rest = gram[i * size + i] ?? 0;
    for (let c = 0; c < k; c++) rest -= (g[c] ?? 0) ** 2;
    const kept1 = rest > SPAN_TOLERANCE;
    known.set(i, Float64Array.from(g.subarray(0, kept1 ? k + 1 : k)));
    if (!kept1) continue;
    for (let c = 0; c < k; c++) chol[k * stride + c] = g[c] ?? 0;
    chol[k * stride + k] = Math.sqrt(rest);
    (known.get(i) ?? g)[k] = Math.sqrt(rest);
    kept.push(i);
  }
  const k = kept.length;
  const packed = new Float64Array(k * k);
  for (let r = 0; r < k; r++) {
    for (let c = 0; c <= r; c++) packed[r * k + c] = chol[r * stride + c] ?? 0;
  }
  const coordinates = (index: number): Float64Array => {
    const y = new Float64Array(k);
    const prefix = known.get(index);
    if (prefix !== undefined) {
      y.set(prefix);
      return y;
    }
    for (let c = 0; c < k; c++) y[c] = gram[index * size + (kept[c] ?? 0)] ?? 0;
    forward(packed, k, k, y);
    return y;
  };
  return {
    basis: {
      vectors: Int32Array.from(kept, (i) => (i === 0 ? -1 : photoOfIndex(i))),
      chol: packed,
    },
    coordinates,
    // A vector met while building has coordinates on the basis vectors made so far only.
    nonZero: (index) => known.get(index)?.length ?? k,
  };
}

/** Entries of one set grouped by slot, with balance weights and feature offsets. */
function entrySet(
  prepared: PreparedInput,
  sortedEntries: Int32Array,
  slots: Slots,
  positiveShare: number | null,
  featureOffset: (slot: number, entry: number) => { at: number; length: number },
  sampleWeights: EntryWeights | null,
): EntrySet {
  const { table, cos0 } = prepared;
  const n = slots.labelOf.length;
  const kept = sortedEntries.filter((e) => (slots.slotOfLabel[table.label[e] ?? 0] ?? -1) >= 0);
  // The table is sorted by label, so the entries of a slot are contiguous and in slot order.
  const start = new Int32Array(n + 1);
  for (const e of kept) {
    const s = slots.slotOfLabel[table.label[e] ?? 0] ?? 0;
    start[s + 1] = (start[s + 1] ?? 0) + 1;
  }
  for (let s = 0; s < n; s++) start[s + 1] = (start[s + 1] ?? 0) + (start[s] ?? 0);
  const set: EntrySet = {
    start,
    photo: new Int32Array(kept.length),
    y: new Int8Array(kept.length),
    weight: new Float64Array(kept.length),
    cos0: new Float64Array(kept.length),
    feature: new Int32Array(kept.length),
    length: new Int32Array(kept.length),
  };
  kept.forEach((e, k) => {
    set.photo[k] = table.photo[e] ?? 0;
    set.y[k] = table.y[e] ?? 0;
    set.cos0[k] = cos0[e] ?? 0;
    const { at, length } = featureOffset(slots.slotOfLabel[table.label[e] ?? 0] ?? 0, e);
    set.feature[k] = at;
    set.length[k] = length;
  });
  kept.forEach((e, k) => {
    set.weight[k] = sampleWeights?.get(e) ?? 1;
  });
  for (let s = 0; s < n; s++) {
    const from = start[s] ?? 0;
    const to = start[s + 1] ?? 0;
    // Cells represented (a sampled cell stands for several: its sampling weight).
    let pos = 0;
    let neg = 0;
    for (let k = from; k < to; k++) {
      if (set.y[k] === 1) pos += set.weight[k] ?? 0;
      else neg += set.weight[k] ?? 0;
    }
    // Balanced weights sum to the number of cells, so with more feedback the data outweighs
    // the priors, as a posterior should; a one-sided label keeps weight 1 per cell.
    const balance = positiveShare !== null && pos > 0 && neg > 0;
    const wPos = balance ? (positiveShare * (pos + neg)) / pos : 1;
    const wNeg = balance ? ((1 - positiveShare) * (pos + neg)) / neg : 1;
    for (let k = from; k < to; k++) {
      set.weight[k] = (set.weight[k] ?? 0) * (set.y[k] === 1 ? wPos : wNeg);
    }
  }
  return set;
}

/**
 * The training problem over `train` entries (indices into the prepared table), with
 * `validation` entries for early stopping.
 *
 * Residual basis: the gradient of the data term by r_j always lies in
 * S_j = span{e_j, training photos of j}, and the prior only shrinks r_j; so gradient descent from
 * r_j = 0 never leaves S_j and the optimum lies in it. Adam's per-coordinate scaling would drift
 * out of S_j along the arbitrary axes of the embedding space, so the residual is restricted to
 * S_j, in an orthonormal basis of it: with few photos far cheaper (k_j ≤ photos + 1 coordinates
 * instead of d per known cell and step). A label with more photos than `spanBasisLimit` uses the
 * whole space (identity basis, the unit image rows are the coordinates).
 */
export function buildProblem(
  prepared: PreparedInput,
  grams: Grams,
  train: Int32Array,
  validation: Int32Array | null,
  options: ProblemOptions,
  sampleWeights: EntryWeights | null = null,
): Problem {
  const { table, dim, labels, images, numPhotos } = prepared;
  const trainSorted = Int32Array.from(train).sort();
  const validationSorted = validation === null ? null : Int32Array.from(validation).sort();
  const slots = slotsOf(prepared, trainSorted);
  const n = slots.labelOf.length;
  const global = options.mode === 'global';
  const groups = global ? 1 : n;
  const gramIndex = (e: number): number => grams.index(e);
  const trainOf: number[][] = slots.labelOf.map(() => []);
  for (const e of trainSorted) trainOf[slots.slotOfLabel[table.label[e] ?? 0] ?? 0]?.push(e);
  const spans = slots.labelOf.map((j, s) => {
    const gram = options.residual ? grams.gram(j) : null;
    if (gram === null) return null;
    const train = trainOf[s] ?? [];
    const photoOf = new Map(train.map((e) => [gramIndex(e), table.photo[e] ?? 0]));
    return spanBasis(gram, [0, ...train.map(gramIndex)], (i) => photoOf.get(i) ?? 0);
  });
  const kOf = (s: number): number => {
    if (!options.residual) return 0;
    const span = spans[s];
    return span === null || span === undefined ? dim : span.basis.vectors.length;
  };
  const resStart = new Int32Array(n + 1);
  for (let s = 0; s < n; s++) resStart[s + 1] = (resStart[s] ?? 0) + kOf(s);
  const eHat = new Float64Array(resStart[n] ?? 0);
  const tau0 = new Float64Array(groups);
  const bias0 = new Float64Array(groups);
  slots.labelOf.forEach((j, s) => {
    const span = spans[s];
    const ao = resStart[s] ?? 0;
    if (span === null || span === undefined) {
      for (let q = 0; q < kOf(s); q++) eHat[ao + q] = labels[j * dim + q] ?? 0;
    } else {
      eHat.set(span.coordinates(0), ao);
    }
    if (!global) {
      tau0[s] = Math.log(prepared.temperature[j] ?? 1);
      bias0[s] = prepared.bias[j] ?? 0;
    }
  });
  if (global) {
    tau0[0] = Math.log(prepared.globalTemperature);
    bias0[0] = prepared.globalBias;
  }
  // Features: the unit image rows when a label uses the identity basis, then one row of
  // coordinates per entry of a label with its own basis.
  const usesIdentity = options.residual && spans.some((b) => b === null);
  let size = usesIdentity ? numPhotos * dim : 0;
  const rows: { slot: number; entry: number; at: number }[] = [];
  const offset = (slot: number, entry: number): { at: number; length: number } => {
    const k = kOf(slot);
    if (k === 0) return { at: 0, length: 0 };
    const span = spans[slot];
    if (span === null || span === undefined) {
      return { at: (table.photo[entry] ?? 0) * dim, length: k };
    }
    const at = size;
    size += k;
    rows.push({ slot, entry, at });
    return { at, length: span.nonZero(gramIndex(entry)) };
  };
  const share = options.positiveShare;
  const trainSet = entrySet(prepared, trainSorted, slots, share, offset, sampleWeights);
  const validationSet =
    validationSorted === null
      ? null
      : entrySet(prepared, validationSorted, slots, share, offset, sampleWeights);
  const features = new Float32Array(size);
  if (usesIdentity) features.set(images);
  for (const { slot, entry, at } of rows) {
    features.set(spans[slot]?.coordinates(gramIndex(entry)) ?? [], at);
  }
  let maxK = 0;
  for (let s = 0; s < n; s++) maxK = Math.max(maxK, kOf(s));
  return {
    slots: n,
    labelOf: Int32Array.from(slots.labelOf),
    group: Int32Array.from(slots.labelOf, (_, s) => (global ? 0 : s)),
    groups,
    resStart,
    features,
    eHat,
    bases: spans.map((span) => span?.basis ?? null),
    tau0,
    bias0,
    train: trainSet,
    validation: validationSet,
    scratch: new Float64Array(maxK),
  };
}

/** A slot's residual in embedding space (length d): r = Σ_q a_q · basis_q. */
export function residualVector(
  prepared: PreparedInput,
  problem: Problem,
  params: Params,
  slot: number,
): Float32Array {
  const { dim, images, labels } = prepared;
  const ao = problem.resStart[slot] ?? 0;
  const k = (problem.resStart[slot + 1] ?? 0) - ao;
  const basis = problem.bases[slot];
  const out = new Float32Array(dim);
  if (basis === null || basis === undefined) {
    for (let q = 0; q < k; q++) out[q] = params.residual[ao + q] ?? 0;
    return out;
  }
  // r = V_Kᵀ L⁻ᵀ a: back-substitute Lᵀ β = a, then combine the kept vectors.
  const beta = Float64Array.from(params.residual.subarray(ao, ao + k));
  const { chol } = basis;
  for (let r = k - 1; r >= 0; r--) {
    let v = beta[r] ?? 0;
    for (let c = r + 1; c < k; c++) v -= (chol[c * k + r] ?? 0) * (beta[c] ?? 0);
    beta[r] = v / (chol[r * k + r] ?? 1);
  }
  const sum = new Float64Array(dim);
  const label = problem.labelOf[slot] ?? 0;
  basis.vectors.forEach((v, p) => {
    const source = v < 0 ? labels : images;
    const o = (v < 0 ? label : v) * dim;
    const b = beta[p] ?? 0;
    for (let q = 0; q < dim; q++) sum[q] = (sum[q] ?? 0) + b * (source[o + q] ?? 0);
  });
  out.set(sum);
  return out;
}
