/**
 * How far a ranking computed from approximate (fp16, int8) embeddings agrees with the exact one.
 */
import { rankSimilar } from './rank.ts';
import { dotAll, loadMatrix, type StoredMatrix } from './stored-matrix.ts';

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

export interface RankingAgreement {
  /** Overlap of the top 10, mean and worst over the queries. */
  overlapAt10: { mean: number; min: number };
  /** Kendall tau between exact and approximate cosines over the exact top `top`. */
  tau: { mean: number; min: number };
  /** Largest |approximate − exact| cosine seen in those tops. */
  maxError: number;
}

/**
 * How a stored precision changes "more like this" rankings: each of `queries` (row indices)
 * ranked in `exact` (fp32) and in `approx` (fp16, int8).
 */
export function rankingAgreement(
  exact: StoredMatrix,
  approx: StoredMatrix,
  queries: readonly number[],
  top = 100,
): RankingAgreement {
  const overlaps: number[] = [];
  const taus: number[] = [];
  let maxError = 0;
  for (const q of queries) {
    const a = rankSimilar(exact, q, { top });
    const b = rankSimilar(approx, q, { top: 10 });
    overlaps.push(
      overlapAtK(
        a.map((x) => x.index),
        b.map((x) => x.index),
        10,
      ),
    );
    const approxScores = dotAll(
      approx,
      loadMatrix(exact).data.slice(q * exact.dim, (q + 1) * exact.dim),
    );
    const scores = a.map((x) => approxScores[x.index] ?? 0);
    taus.push(
      kendallTau(
        a.map((x) => x.score),
        scores,
      ),
    );
    a.forEach((x, i) => (maxError = Math.max(maxError, Math.abs((scores[i] ?? 0) - x.score))));
  }
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
  return {
    overlapAt10: { mean: mean(overlaps), min: Math.min(...overlaps) },
    tau: { mean: mean(taus), min: Math.min(...taus) },
    maxError,
  };
}
