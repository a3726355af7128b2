import { MumicError } from '../errors.ts';
import { dotRows, type EmbeddingMatrix } from './matrix.ts';
import { FIRST_WORDS, SIGNATURE_WORDS, bitCounts, hammingCutoff, signatures } from './sign-hash.ts';

/** Pairs (a[k] < b[k]) of rows whose cosine is at least the threshold, with that cosine. */
export interface NearPairs {
  count: number;
  a: Int32Array;
  b: Int32Array;
  cosine: Float32Array;
}

export interface NearPairOptions {
  /** Only these rows (default all), e.g. one row per set of exact copies. */
  rows?: Int32Array;
  /** Compare every pair exactly, no signature filter (slow; for checking the filter). */
  exhaustive?: boolean;
}

/**
 * Every pair of rows at cosine >= minCosine. Signatures skip the pairs that are clearly apart
 * (see sign-hash.ts); the rest are checked with an exact fp32 dot product. All n²/2 pairs are
 * still visited, but at the cost of a few XORs each: 10,000 rows take well under a second
 * (bench/library-rank.ts), where exact dot products over all pairs take ~15 s in JS.
 */
export function nearPairs(
  m: EmbeddingMatrix,
  minCosine: number,
  { rows, exhaustive = false }: NearPairOptions = {},
): NearPairs {
  if (!(minCosine >= -1 && minCosine <= 1)) {
    throw new MumicError(
      'InvalidArgument',
      `the cosine threshold must be in [-1, 1], not ${minCosine}`,
    );
  }
  const ids = rows ?? Int32Array.from({ length: m.n }, (_, i) => i);
  const out = new PairList();
  const { data, dim } = m;
  if (exhaustive) {
    for (let x = 0; x < ids.length; x++) {
      const i = ids[x] ?? 0;
      for (let y = x + 1; y < ids.length; y++) {
        const j = ids[y] ?? 0;
        const c = dotRows(data, dim, i, j);
        if (c >= minCosine) out.push(i, j, c);
      }
    }
    return out.done();
  }
  const sig = signatures(m);
  const cut1 = hammingCutoff(minCosine, FIRST_WORDS * 32);
  const cut2 = hammingCutoff(minCosine, SIGNATURE_WORDS * 32);
  // Signatures gathered in `ids` order: the inner loop then walks memory sequentially.
  const W = SIGNATURE_WORDS;
  const F = FIRST_WORDS;
  const packed = new Int32Array(ids.length * W);
  ids.forEach((i, x) => packed.set(sig.subarray(i * W, (i + 1) * W), x * W));
  const count = ids.length;
  const bits = bitCounts();
  for (let x = 0; x < count; x++) {
    const sx = x * W;
    // The first four words of x stay in registers; unrolled, this loop is ~1.6x faster.
    const x0 = packed[sx] ?? 0;
    const x1 = packed[sx + 1] ?? 0;
    const x2 = packed[sx + 2] ?? 0;
    const x3 = packed[sx + 3] ?? 0;
    for (let y = x + 1; y < count; y++) {
      const sy = y * W;
      let v = x0 ^ (packed[sy] ?? 0);
      let h = (bits[v & 0xffff] ?? 0) + (bits[v >>> 16] ?? 0);
      v = x1 ^ (packed[sy + 1] ?? 0);
      h += (bits[v & 0xffff] ?? 0) + (bits[v >>> 16] ?? 0);
      v = x2 ^ (packed[sy + 2] ?? 0);
      h += (bits[v & 0xffff] ?? 0) + (bits[v >>> 16] ?? 0);
      v = x3 ^ (packed[sy + 3] ?? 0);
      h += (bits[v & 0xffff] ?? 0) + (bits[v >>> 16] ?? 0);
      if (h > cut1) continue;
      for (let w = F; w < W; w++) {
        v = (packed[sx + w] ?? 0) ^ (packed[sy + w] ?? 0);
        h += (bits[v & 0xffff] ?? 0) + (bits[v >>> 16] ?? 0);
      }
      if (h > cut2) continue;
      const i = ids[x] ?? 0;
      const j = ids[y] ?? 0;
      const c = dotRows(data, dim, i, j);
      if (c >= minCosine) out.push(i, j, c);
    }
  }
  return out.done();
}

/** A growable list of pairs in typed arrays (a low threshold can keep millions). */
class PairList {
  private a = new Int32Array(1024);
  private b = new Int32Array(1024);
  private c = new Float32Array(1024);
  private count = 0;

  push(i: number, j: number, cosine: number): void {
    if (this.count === this.a.length) {
      const grow = <T extends Int32Array | Float32Array>(old: T, make: (n: number) => T): T => {
        const next = make(old.length * 2);
        next.set(old);
        return next;
      };
      this.a = grow(this.a, (n) => new Int32Array(n));
      this.b = grow(this.b, (n) => new Int32Array(n));
      this.c = grow(this.c, (n) => new Float32Array(n));
    }
    this.a[this.count] = i;
    this.b[this.count] = j;
    this.c[this.count] = cosine;
    this.count++;
  }

  done(): NearPairs {
    const n = this.count;
    return {
      count: n,
      a: this.a.subarray(0, n),
      b: this.b.subarray(0, n),
      cosine: this.c.subarray(0, n),
    };
  }
}
