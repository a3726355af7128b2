/**
 * Synthetic library embeddings shaped like CLIP image embeddings: a shared direction makes
 * unrelated photos sit at cosine ~0.5 (as CLIP's do, rather than ~0 for isotropic noise), scenes
 * of ~20 photos at ~0.75, and 3% of photos have one to three near-duplicates at cosine 0.97 to 0.999.
 */
import { createRandom } from '../src/core/adapt/random.ts';
import { unitMatrix, type EmbeddingMatrix } from '../src/core/library/index.ts';

/** Standard normal draws (Box–Muller) from a seeded uniform generator. */
export function gaussian(seed: number): () => number {
  const uniform = createRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

export function syntheticLibrary(n: number, dim = 512, seed = 1): EmbeddingMatrix {
  const g = gaussian(seed);
  const noise = (scale: number) =>
    Float32Array.from({ length: dim }, () => (g() * scale) / Math.sqrt(dim));
  const shared = noise(1);
  const rows = new Float32Array(n * dim);
  let scene = noise(1);
  let r = 0;
  while (r < n) {
    if (r % 20 === 0) scene = noise(1);
    const own = noise(1);
    const base = own.map((v, k) => v + (shared[k] ?? 0) * 1.4 + (scene[k] ?? 0) * 1.1);
    rows.set(base, r * dim);
    r++;
    if (g() > 1.88) {
      // ~3% of photos: one to three re-encodes/crops of it.
      const copies = 1 + Math.floor(Math.abs(g()));
      for (let c = 0; c < copies && r < n; c++, r++) {
        // Re-encodes (~0.999) to crops and burst shots (~0.97).
        const jitter = noise(0.08 + 0.32 * Math.min(1, Math.abs(g())));
        rows.set(
          base.map((v, k) => v + (jitter[k] ?? 0)),
          r * dim,
        );
      }
    }
  }
  return unitMatrix(rows, dim);
}
