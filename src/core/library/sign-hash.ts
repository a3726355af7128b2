import { createRandom } from '../adapt/random.ts';
import type { EmbeddingMatrix } from './matrix.ts';

/**
 * Sign signatures (SimHash, Charikar 2002) to skip most pairs before an exact dot product. Two
 * unit vectors at angle θ land on different sides of a random hyperplane with probability θ/π,
 * so the Hamming distance of their B-bit signatures is about Binomial(B, θ/π): a pair is kept
 * when its distance is within Z standard deviations above what the threshold angle gives.
 * XOR + popcount over 16 words costs far less than 512 multiply-adds.
 *
 * The hyperplanes are the rows of a random rotation, three rounds of random signs then a
 * Walsh-Hadamard transform (Andoni et al. 2015, "Practical and Optimal LSH for Angular Distance"):
 * O(dim log dim) per embedding instead of a dense dim × 512 projection.
 */
export const SIGNATURE_BITS = 512;
export const SIGNATURE_WORDS = SIGNATURE_BITS / 32;
/** Standard deviations of slack: a pair at the threshold is missed with p < 1e-6 (three stages). */
export const SLACK_SD = 5;

function hadamard(v: Float64Array): void {
  for (let h = 1; h < v.length; h *= 2) {
    for (let i = 0; i < v.length; i += 2 * h) {
      for (let j = i; j < i + h; j++) {
        const x = v[j] ?? 0;
        const y = v[j + h] ?? 0;
        v[j] = x + y;
        v[j + h] = x - y;
      }
    }
  }
}

/** [n × SIGNATURE_WORDS] signature words. */
export function signatures(m: EmbeddingMatrix, seed = 0x6d756d69): Int32Array {
  let size = 2;
  while (size < m.dim) size *= 2;
  const rotations = Math.ceil(SIGNATURE_BITS / size);
  const next = createRandom(seed);
  // rotations × 3 rounds of ±1.
  const signs = Float64Array.from({ length: rotations * 3 * size }, () => (next() < 0.5 ? -1 : 1));
  const out = new Int32Array(m.n * SIGNATURE_WORDS);
  const v = new Float64Array(size);
  for (let r = 0; r < m.n; r++) {
    let bit = 0;
    for (let rot = 0; rot < rotations && bit < SIGNATURE_BITS; rot++) {
      v.fill(0);
      for (let k = 0; k < m.dim; k++) v[k] = m.data[r * m.dim + k] ?? 0;
      for (let round = 0; round < 3; round++) {
        const o = (rot * 3 + round) * size;
        for (let k = 0; k < size; k++) v[k] = (v[k] ?? 0) * (signs[o + k] ?? 1);
        hadamard(v);
      }
      for (let k = 0; k < size && bit < SIGNATURE_BITS; k++, bit++) {
        if ((v[k] ?? 0) >= 0) {
          const w = r * SIGNATURE_WORDS + (bit >>> 5);
          out[w] = (out[w] ?? 0) | (1 << (bit & 31));
        }
      }
    }
  }
  return out;
}

/** The largest Hamming distance over `bits` bits still worth an exact check at `minCosine`. */
export function hammingCutoff(minCosine: number, bits: number): number {
  const p = Math.acos(Math.max(-1, Math.min(1, minCosine))) / Math.PI;
  // +1: float rounding can flip a bit whose coordinate is ~0 even between identical photos.
  return Math.floor(bits * p + SLACK_SD * Math.sqrt(bits * p * (1 - p))) + 1;
}

let table: Uint8Array | undefined;
/** Set bits of every 16-bit number: two lookups beat bit-twiddling a popcount in JS. */
export function bitCounts(): Uint8Array {
  if (!table) {
    table = new Uint8Array(65536);
    for (let i = 1; i < 65536; i++) table[i] = (i & 1) + (table[i >> 1] ?? 0);
  }
  return table;
}
