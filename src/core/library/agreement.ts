/**
 * How far a ranking computed from approximate (fp16, int8) embeddings agrees with the exact one.
 */

/** |top k of a ∩ top k of b| / k, for two rankings given as row indices, best first. */
export function overlapAtK(a: readonly number[], b: readonly number[], k: number): number {
  const top = new Set(a.slice(0, k));
  let shared = 0;
  for (const i of b.slice(0, k)) if (top.has(i)) shared++;
  return k > 0 ? shared / Math.min(k, Math.max(1, Math.min(a.length, b.length))) : 1;
}

/**
 * Kendall's tau-b between two score lists over the same items: 1 when every pair is ordered
 * alike, -1 when every pair is reversed. O(n²): meant for the top few hundred, not a library.
 */
export function kendallTau(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let concordant = 0;
  let discordant = 0;
  let tiesX = 0;
  let tiesY = 0;
  for (let i = 0; i < x.length; i++) {
    for (let j = i + 1; j < x.length; j++) {
      const dx = Math.sign((x[i] ?? 0) - (x[j] ?? 0));
      const dy = Math.sign((y[i] ?? 0) - (y[j] ?? 0));
      if (dx === 0 && dy === 0) continue;
      if (dx === 0) tiesX++;
      else if (dy === 0) tiesY++;
      else if (dx === dy) concordant++;
      else discordant++;
    }
  }
  const denominator = Math.sqrt(
    (concordant + discordant + tiesX) * (concordant + discordant + tiesY),
  );
  return denominator > 0 ? (concordant - discordant) / denominator : 1;
}
