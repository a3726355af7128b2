/**
 * The library's ranking kernel and near-duplicate grouping on synthetic CLIP-like embeddings
 * (bench/library-data.ts; no model, no photos): one query ranked over 10,000 and 100,000 512-d
 * rows at each storage precision, and duplicate groups over 10,000. Prints wall-clock and
 * process CPU milliseconds (median of --runs): on a shared machine CPU time is the steadier
 * figure. Targets (issue 11): a query <= 30 ms at 10,000 and <= 300 ms at 100,000; groups <= 2 s.
 *
 *   npx tsx bench/library-rank.ts [--runs N] [--sizes 10000,100000] [--dim 512]
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import {
  PRECISIONS,
  groupDuplicates,
  kendallTau,
  dotAll,
  overlapAtK,
  rankSimilar,
  storeMatrix,
  type StoredMatrix,
} from '../src/core/library/index.ts';
import { syntheticLibrary } from './library-data.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    sizes: { type: 'string', default: '10000,100000' },
    dim: { type: 'string', default: '512' },
    'duplicates-size': { type: 'string', default: '10000' },
  },
});
const runs = Math.max(1, Number(values.runs));
const dim = Number(values.dim);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** Median wall and CPU ms of `runs` calls of f. */
function time(f: (run: number) => void, times = runs): { wall: number; cpu: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < times; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    f(r);
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}
const ms = (x: { wall: number; cpu: number }) =>
  `${x.wall.toFixed(1).padStart(7)} ms wall, ${x.cpu.toFixed(1).padStart(7)} ms CPU`;

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}`);
console.log(`median of ${runs} runs; synthetic ${dim}-d embeddings\n`);

for (const n of values.sizes.split(',').map(Number)) {
  const lib = syntheticLibrary(n, dim, 1);
  console.log(`${n.toLocaleString('en')} embeddings:`);
  for (const precision of PRECISIONS) {
    const stored: StoredMatrix = storeMatrix(lib, precision);
    const scratch = new Float32Array(n);
    // Warm up the JIT on this shape, then time distinct queries (rows spread over the library).
    rankSimilar(stored, 0, { top: 50, scratch });
    const t = time((r) => rankSimilar(stored, (r * 7919) % n, { top: 50, scratch }));
    const scores = time((r) =>
      dotAll(
        stored,
        lib.data.subarray(((r * 7919) % n) * dim, (((r * 7919) % n) + 1) * dim),
        scratch,
      ),
    );
    const bytes =
      stored.data.byteLength + (stored.precision === 'int8' ? stored.scales.byteLength : 0);
    let quality = '';
    if (precision !== 'fp32') {
      const exact = storeMatrix(lib);
      const overlaps: number[] = [];
      const taus: number[] = [];
      for (let q = 0; q < 20; q++) {
        const row = (q * 104729) % n;
        const a = rankSimilar(exact, row, { top: 100 });
        const b = rankSimilar(stored, row, { top: 100 });
        overlaps.push(
          overlapAtK(
            a.map((x) => x.index),
            b.map((x) => x.index),
            10,
          ),
        );
        const approx = dotAll(stored, lib.data.slice(row * dim, (row + 1) * dim));
        taus.push(
          kendallTau(
            a.map((x) => x.score),
            a.map((x) => approx[x.index] ?? 0),
          ),
        );
      }
      quality = `; vs fp32 over 20 queries: overlap@10 mean ${(overlaps.reduce((s, x) => s + x, 0) / 20).toFixed(3)} (min ${Math.min(...overlaps).toFixed(1)}), Kendall tau of the fp32 top 100 mean ${(taus.reduce((s, x) => s + x, 0) / 20).toFixed(4)}`;
    }
    console.log(
      `  ${precision}  ${(bytes / 2 ** 20).toFixed(1).padStart(6)} MiB  query (dot + top 50): ${ms(t)}  (dot only ${scores.wall.toFixed(1)} ms)${quality}`,
    );
  }
  console.log('');
}

const n = Number(values['duplicates-size']);
const lib = syntheticLibrary(n, dim, 2);
for (const minCosine of [0.99, 0.95, 0.9]) {
  let groups = 0;
  let members = 0;
  const t = time(
    () => {
      const g = groupDuplicates(lib, { minCosine });
      groups = g.length;
      members = g.reduce((s, x) => s + x.members.length + 1, 0);
    },
    Math.min(runs, 3),
  );
  console.log(
    `near-duplicate groups over ${n.toLocaleString('en')} at cosine >= ${minCosine}: ${ms(t)}  (${groups} groups, ${members} photos)`,
  );
}
