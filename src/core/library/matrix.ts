import { MumicError } from '../errors.ts';

/**
 * n embeddings of `dim` numbers in one contiguous row-major Float32Array, every row unit length,
 * so a dot product is the cosine. One buffer (not n small arrays) keeps the ranking loop on
 * sequential memory and lets the worker transfer it without copying.
 */
export interface EmbeddingMatrix {
  readonly n: number;
  readonly dim: number;
  readonly data: Float32Array;
}

const bad = (message: string) => new MumicError('InvalidArgument', message);

/**
 * A matrix of unit rows from raw row-major embeddings (copied, then normalised). A row that is
 * zero or not finite is refused: it has no direction, so no cosine would mean anything.
 */
export function unitMatrix(rows: Float32Array, dim: number): EmbeddingMatrix {
  if (!Number.isInteger(dim) || dim <= 0) throw bad(`dimension must be a positive integer`);
  if (rows.length % dim !== 0) throw bad(`length ${rows.length} is not a multiple of ${dim}`);
  const n = rows.length / dim;
  const data = new Float32Array(rows.length);
  for (let r = 0; r < n; r++) {
    const o = r * dim;
    let sq = 0;
    for (let k = 0; k < dim; k++) sq += (rows[o + k] ?? 0) ** 2;
    if (!(sq > 0 && Number.isFinite(sq))) throw bad(`embedding ${r} is zero or not finite`);
    const inv = 1 / Math.sqrt(sq);
    for (let k = 0; k < dim; k++) data[o + k] = (rows[o + k] ?? 0) * inv;
  }
  return { n, dim, data };
}

/** A unit copy of one vector (a query). */
export function unitVector(v: ArrayLike<number>): Float32Array {
  return unitMatrix(Float32Array.from(v), v.length).data;
}

/** Row i as a view (no copy). */
export function rowOf(m: EmbeddingMatrix, i: number): Float32Array {
  if (!Number.isInteger(i) || i < 0 || i >= m.n) throw bad(`row ${i} is not in [0, ${m.n})`);
  return m.data.subarray(i * m.dim, (i + 1) * m.dim);
}

/** The rows at `indices`, in that order, as a new matrix (e.g. after removing photos). */
export function selectRows(m: EmbeddingMatrix, indices: readonly number[]): EmbeddingMatrix {
  const data = new Float32Array(indices.length * m.dim);
  indices.forEach((i, r) => data.set(rowOf(m, i), r * m.dim));
  return { n: indices.length, dim: m.dim, data };
}

/** Dot product of rows i and j of a row-major buffer. */
export function dotRows(data: Float32Array, dim: number, i: number, j: number): number {
  const a = i * dim;
  const b = j * dim;
  let s = 0;
  for (let k = 0; k < dim; k++) s += (data[a + k] ?? 0) * (data[b + k] ?? 0);
  return s;
}
