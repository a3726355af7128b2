/**
 * The library's ranking kernel and near-duplicate grouping in Node, on synthetic CLIP-like
 * embeddings (bench/library-data.ts; no model, no photos): one query ranked over 10,000 and
 * 100,000 512-d rows at each storage precision, and duplicate groups over 10,000. Prints
 * wall-clock and process CPU ms (median of --runs): on a shared machine CPU is the steadier
 * figure. Targets (issue 11): a query <= 30 ms at 10,000 and <= 300 ms at 100,000; groups <= 2 s.
 *
 *   npx tsx bench/library-rank.ts [--runs N] [--sizes 10000,100000] [--dim 512]
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import {
  formatDuplicates,
  formatRanking,
  measureDuplicates,
  measureRanking,
  type Clocks,
} from './library-measure.ts';

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
const clocks: Clocks = {
  wall: () => performance.now(),
  cpu: () => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1000;
  },
};

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}`);
console.log(
  `median of ${runs} runs; synthetic ${dim}-d embeddings; query = dot with every row + top 50\n`,
);
for (const n of values.sizes.split(',').map(Number)) {
  console.log(`${n.toLocaleString('en')} embeddings:`);
  for (const row of measureRanking(n, dim, runs, clocks)) console.log(formatRanking(row));
  console.log('');
}
const n = Number(values['duplicates-size']);
for (const row of measureDuplicates(n, dim, [0.99, 0.95, 0.9], Math.min(runs, 3), clocks)) {
  console.log(formatDuplicates(row));
}
