import { MumicError } from '../errors.ts';
import { fromFloat16Bits, toFloat16Bits } from '../float16.ts';
import { dotEachRow } from './dot-kernel.ts';
import type { EmbeddingMatrix } from './matrix.ts';

/**
 * How the library's embeddings are held for ranking. fp32 is exact; fp16 halves the memory
 * (10,000 × 512: 20 MB → 10 MB); int8 quarters it, with one scale per row. Their effect on
 * rankings is measured in docs/LIBRARY.md.
 */
export type Precision = 'fp32' | 'fp16' | 'int8';
export const PRECISIONS: readonly Precision[] = ['fp32', 'fp16', 'int8'];

export type StoredMatrix =
  | { precision: 'fp32'; n: number; dim: number; data: Float32Array }
  | { precision: 'fp16'; n: number; dim: number; data: Uint16Array }
  | { precision: 'int8'; n: number; dim: number; data: Int8Array; scales: Float32Array };

/** Stores a unit matrix at a precision (fp32 shares the buffer, the others are new). */
export function storeMatrix(m: EmbeddingMatrix, precision: Precision = 'fp32'): StoredMatrix {
  const { n, dim, data } = m;
  if (precision === 'fp32') return { precision, n, dim, data };
  if (precision === 'fp16') return { precision, n, dim, data: toFloat16Bits(data) };
  if (precision !== 'int8')
    throw new MumicError('InvalidArgument', `unknown precision ${precision}`);
  // Symmetric per-row scale: a row's largest |value| maps to 127, so no row loses range to
  // another's outliers.
  const q = new Int8Array(data.length);
  const scales = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    const o = r * dim;
    let max = 0;
    for (let k = 0; k < dim; k++) max = Math.max(max, Math.abs(data[o + k] ?? 0));
    const scale = max > 0 ? max / 127 : 1;
    scales[r] = scale;
    for (let k = 0; k < dim; k++) q[o + k] = Math.round((data[o + k] ?? 0) / scale);
  }
  return { precision, n, dim, data: q, scales };
}

/** Back to float32 rows (for a matrix-level view, e.g. duplicate grouping of a stored library). */
export function loadMatrix(s: StoredMatrix): EmbeddingMatrix {
  if (s.precision === 'fp32') return s;
  if (s.precision === 'fp16') return { n: s.n, dim: s.dim, data: fromFloat16Bits(s.data) };
  const data = new Float32Array(s.data.length);
  for (let r = 0; r < s.n; r++) {
    const scale = s.scales[r] ?? 0;
    for (let k = r * s.dim; k < (r + 1) * s.dim; k++) data[k] = (s.data[k] ?? 0) * scale;
  }
  return { n: s.n, dim: s.dim, data };
}

let halfTable: Float32Array | undefined;
/** All 65,536 half values: a lookup beats decoding bits in the inner loop. */
function halves(): Float32Array {
  halfTable ??= fromFloat16Bits(Uint16Array.from({ length: 65536 }, (_, i) => i));
  return halfTable;
}

/** The dot product of `query` (length dim, unit) with every stored row: the cosines, [n]. */
export function dotAll(
  s: StoredMatrix,
  query: Float32Array,
  out: Float32Array = new Float32Array(s.n),
): Float32Array {
  if (query.length !== s.dim) {
    throw new MumicError('InvalidArgument', `query has ${query.length} numbers, expected ${s.dim}`);
  }
  if (s.precision === 'fp32') dotEachRow(s.data, s.n, s.dim, query, out);
  else if (s.precision === 'fp16') dotHalfRows(s.data, s.n, s.dim, query, out, halves());
  else {
    dotEachRow(s.data, s.n, s.dim, query, out);
    for (let r = 0; r < s.n; r++) out[r] = (out[r] ?? 0) * (s.scales[r] ?? 0);
  }
  return out;
}

/** fp16 rows: each value decoded through the table (not worth unrolling; see PERFORMANCE.md). */
function dotHalfRows(
  data: Uint16Array,
  n: number,
  dim: number,
  q: Float32Array,
  out: Float32Array,
  table: Float32Array,
): void {
  for (let r = 0; r < n; r++) {
    const o = r * dim;
    let s = 0;
    for (let k = 0; k < dim; k++) s += (q[k] ?? 0) * (table[data[o + k] ?? 0] ?? 0);
    out[r] = s;
  }
}
