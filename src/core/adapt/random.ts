/**
 * A small seeded PRNG for adaptation: the train/validation split and the folds must be the same
 * on every run, in the browser and in Node, so Math.random is never used.
 */

/** mulberry32: 32-bit state, uniform floats in [0, 1). Plenty for shuffling a few thousand ids. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle in place, driven by `random`. */
export function shuffleInPlace(values: Int32Array, random: () => number): Int32Array {
  for (let i = values.length - 1; i > 0; i--) {
    const k = Math.floor(random() * (i + 1));
    const a = values[i] ?? 0;
    values[i] = values[k] ?? 0;
    values[k] = a;
  }
  return values;
}
