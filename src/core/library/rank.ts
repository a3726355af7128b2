import { MumicError } from '../errors.ts';
import { fromFloat16Bits } from '../float16.ts';
import { unitVector } from './matrix.ts';
import { dotAll, loadMatrix, type StoredMatrix } from './stored-matrix.ts';
import { topK, type Ranked } from './top-k.ts';

export interface RankOptions {
  /** How many to return (default 50). */
  top?: number;
  /** Rows to leave out. */
  exclude?: (index: number) => boolean;
  /** A reusable [n] buffer for the scores, to spare an allocation per query. */
  scratch?: Float32Array;
}

/**
 * The library ranked by cosine with a query embedding (a text embedding for "search by words",
 * an image embedding for "more like this"), best first. The query need not be unit length.
 */
export function rankByVector(
  library: StoredMatrix,
  query: ArrayLike<number>,
  { top = 50, exclude, scratch }: RankOptions = {},
): Ranked[] {
  const scores = dotAll(library, unitVector(query), scratch);
  return topK(scores, top, exclude);
}

/** "More like this": the library ranked by cosine with its own row `index`, that row left out. */
export function rankSimilar(
  library: StoredMatrix,
  index: number,
  options: Omit<RankOptions, 'exclude'> & { exclude?: (i: number) => boolean } = {},
): Ranked[] {
  const query = rowQuery(library, index);
  const { exclude } = options;
  return rankByVector(library, query, {
    ...options,
    exclude: (i) => i === index || (exclude?.(i) ?? false),
  });
}

/** Row `index` decoded from its stored precision, so it scores ~1 with itself at any precision. */
function rowQuery(s: StoredMatrix, index: number): Float32Array {
  if (!Number.isInteger(index) || index < 0 || index >= s.n) {
    throw new MumicError('InvalidArgument', `row ${index} is not in [0, ${s.n})`);
  }
  const from = index * s.dim;
  const to = from + s.dim;
  if (s.precision === 'fp32') return s.data.slice(from, to);
  if (s.precision === 'fp16') return fromFloat16Bits(s.data.subarray(from, to));
  const row = s.data.subarray(from, to);
  const scales = s.scales.subarray(index, index + 1);
  return loadMatrix({ precision: 'int8', n: 1, dim: s.dim, data: row, scales }).data;
}
