import { MumicError } from '../errors.ts';
import { dotRows, type EmbeddingMatrix } from './matrix.ts';
import { runSteps } from './steps.ts';
import { SIGNATURE_WORDS, bitCounts, hammingCutoff, signatures } from './sign-hash.ts';

/** Pairs (a[k] < b[k]) of rows whose cosine is at least the threshold, with that cosine. */
export interface NearPairs {
  count: number;
  a: Int32Array;
  b: Int32Array;
  cosine: Float32Array;
}

/** Rows of the outer loop between two steps: a few ms of work at 10,000 rows. */
const ROWS_PER_STEP = 128;

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
  options: NearPairOptions = {},
): NearPairs {
  return runSteps(nearPairSteps(m, minCosine, options));
}

/**
 * nearPairs as steps of a few ms (ROWS_PER_STEP rows of the outer loop each), so a caller on a
 * thread that must stay responsive (the app's worker answers its supervisor's pings) can yield
 * between them (`runStepsYielding`).
 */
export function* nearPairSteps(
  m: EmbeddingMatrix,
  minCosine: number,
  { rows, exhaustive = false }: NearPairOptions = {},
): Generator<void, NearPairs> {
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
      if (x % ROWS_PER_STEP === 0) yield;
      const i = ids[x] ?? 0;
      for (let y = x + 1; y < ids.length; y++) {
        const j = ids[y] ?? 0;
        const c = dotRows(data, dim, i, j);
        if (c >= minCosine) out.push(i, j, c);
      }
    }
    return out.done();
  }
  yield;
  const sig = signatures(m);
  yield;
  // Three stages, each with its own 5-sigma cut-off: 64 bits, 128 bits, all 512. Most pairs are
  // decided by the first two words, kept in their own small array so the inner loop reads 8
  // bytes per pair from cache instead of a 64-byte signature.
  const cuts = [2, 4, SIGNATURE_WORDS].map((words) => hammingCutoff(minCosine, words * 32));
  const [cut1 = 0, cut2 = 0, cut3 = 0] = cuts;
  const W = SIGNATURE_WORDS;
  const count = ids.length;
  const packed = new Int32Array(count * W);
  const head = new Int32Array(count * 2);
  ids.forEach((i, x) => {
    packed.set(sig.subarray(i * W, (i + 1) * W), x * W);
    head[2 * x] = sig[i * W] ?? 0;
    head[2 * x + 1] = sig[i * W + 1] ?? 0;
  });
  const bits = bitCounts();
  for (let x = 0; x < count; x++) {
    if (x % ROWS_PER_STEP === 0) yield;
    const sx = x * W;
    const x0 = head[2 * x] ?? 0;
    const x1 = head[2 * x + 1] ?? 0;
    for (let y = x + 1; y < count; y++) {
      let v = x0 ^ (head[2 * y] ?? 0);
      let h = (bits[v & 0xffff] ?? 0) + (bits[v >>> 16] ?? 0);
      v = x1 ^ (head[2 * y + 1] ?? 0);
      h += (bits[v & 0xffff] ?? 0) + (bits[v >>> 16] ?? 0);
      if (h > cut1) continue;
      const sy = y * W;
      for (let w = 2; w < 4; w++) {
        v = (packed[sx + w] ?? 0) ^ (packed[sy + w] ?? 0);
        h += (bits[v & 0xffff] ?? 0) + (bits[v >>> 16] ?? 0);
      }
      if (h > cut2) continue;
      for (let w = 4; w < W; w++) {
        v = (packed[sx + w] ?? 0) ^ (packed[sy + w] ?? 0);
        h += (bits[v & 0xffff] ?? 0) + (bits[v >>> 16] ?? 0);
      }
      if (h > cut3) continue;
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
