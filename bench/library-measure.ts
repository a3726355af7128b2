/**
 * The library benchmark's measurements, shared by Node (bench/library-rank.ts) and a Chromium
 * worker (bench/library-browser.ts): no platform API here beyond the clocks passed in.
 */
import {
  PRECISIONS,
  groupDuplicates,
  rankSimilar,
  rankingAgreement,
  storeMatrix,
  type Precision,
} from '../src/core/library/index.ts';
import { syntheticLibrary } from './library-data.ts';
import { median } from './median.ts';

export interface Clocks {
  /** Wall-clock ms. */
  wall: () => number;
  /** CPU ms of the process, where the platform can tell. */
  cpu?: () => number;
}

export interface Timing {
  /** Median wall-clock ms. */
  wall: number;
  /** Fastest run: on a contended machine, the closest to the uncontended cost. */
  wallMin: number;
  cpu: number | undefined;
}

export interface RankingRow {
  n: number;
  precision: Precision;
  mib: number;
  query: Timing;
  /** vs fp32 over 20 queries; undefined for fp32 itself. */
  overlapAt10?: { mean: number; min: number };
  tauTop100?: number;
}

export interface DuplicatesRow {
  n: number;
  minCosine: number;
  time: Timing;
  groups: number;
  photos: number;
}

function time(clocks: Clocks, runs: number, f: (run: number) => void): Timing {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < runs; r++) {
    const c0 = clocks.cpu?.() ?? 0;
    const t0 = clocks.wall();
    f(r);
    wall.push(clocks.wall() - t0);
    cpu.push((clocks.cpu?.() ?? 0) - c0);
  }
  return {
    wall: median(wall),
    wallMin: Math.min(...wall),
    cpu: clocks.cpu ? median(cpu) : undefined,
  };
}

/** One query (dot with every row + top 50) per precision, median of `runs` distinct queries. */
export function measureRanking(n: number, dim: number, runs: number, clocks: Clocks): RankingRow[] {
  const lib = syntheticLibrary(n, dim, 1);
  const exact = storeMatrix(lib);
  const rows: RankingRow[] = [];
  for (const precision of PRECISIONS) {
    const stored = storeMatrix(lib, precision);
    const scratch = new Float32Array(n);
    // JIT warm-up on this shape (Chromium tiers up later than Node: one call is not enough).
    for (let w = 0; w < 5; w++) rankSimilar(stored, w, { top: 50, scratch });
    const query = time(clocks, runs, (r) =>
      rankSimilar(stored, (r * 7919) % n, { top: 50, scratch }),
    );
    const bytes =
      stored.data.byteLength + (stored.precision === 'int8' ? stored.scales.byteLength : 0);
    const row: RankingRow = { n, precision, mib: bytes / 2 ** 20, query };
    if (precision !== 'fp32') {
      const queries = Array.from({ length: 20 }, (_, q) => (q * 104729) % n);
      const agreement = rankingAgreement(exact, stored, queries, 100);
      row.overlapAt10 = agreement.overlapAt10;
      row.tauTop100 = agreement.tau.mean;
    }
    rows.push(row);
  }
  return rows;
}

export function measureDuplicates(
  n: number,
  dim: number,
  thresholds: readonly number[],
  runs: number,
  clocks: Clocks,
): DuplicatesRow[] {
  const lib = syntheticLibrary(n, dim, 2);
  return thresholds.map((minCosine) => {
    let groups = 0;
    let photos = 0;
    const t = time(clocks, runs, () => {
      const g = groupDuplicates(lib, { minCosine });
      groups = g.length;
      photos = g.reduce((s, x) => s + x.members.length + 1, 0);
    });
    return { n, minCosine, time: t, groups, photos };
  });
}

export function formatRanking(r: RankingRow): string {
  const quality = r.overlapAt10
    ? `; vs fp32 (20 queries): overlap@10 ${r.overlapAt10.mean.toFixed(3)} (min ${r.overlapAt10.min.toFixed(1)}), Kendall tau of the top 100 ${r.tauTop100?.toFixed(4)}`
    : '';
  return `  ${r.precision}  ${r.mib.toFixed(1).padStart(6)} MiB  query: ${formatTiming(r.query)}${quality}`;
}

export function formatDuplicates(d: DuplicatesRow): string {
  return `near-duplicate groups over ${d.n.toLocaleString('en')} at cosine >= ${d.minCosine}: ${formatTiming(d.time)}  (${d.groups} groups, ${d.photos} photos)`;
}

export const formatTiming = (t: Timing): string =>
  `${t.wall.toFixed(1).padStart(7)} ms wall (min ${t.wallMin.toFixed(1)})${t.cpu === undefined ? '' : `, ${t.cpu.toFixed(1).padStart(7)} ms CPU`}`;
