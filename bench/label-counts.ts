// What the page derives from every photo's scores at each render while photos stream in: the
// count of photos per label (the filter menu's numbers) and, sorted by score, each photo's best
// score. Their cost over a large library, per render.
//
//   npx tsx bench/label-counts.ts [--photos 10000] [--labels 120] [--rounds 21]
import { parseArgs } from 'node:util';
import type { Label } from '../src/core/labels/index.ts';
import type { ScoreTable } from '../src/shared/worker-api.ts';
import { PhotoView } from '../src/ui/state/photo-view.ts';
import { ScoreColumns } from '../src/ui/state/score-columns.ts';
import { median } from './median.ts';

const { values } = parseArgs({
  options: {
    photos: { type: 'string', default: '10000' },
    labels: { type: 'string', default: '120' },
    rounds: { type: 'string', default: '21' },
  },
});
const n = Number(values.photos);
const m = Number(values.labels);
const labels = Array.from({ length: m }, (_, j) => ({ id: `l${j}`, name: `label ${j}` }) as Label);
const photos = Array.from(
  { length: n },
  (_, i) => new PhotoView(i, `p${i}`, `p${i}`, 1, undefined),
);
// Scores skewed low, as tempered sigmoids are: a few labels per photo over the threshold.
const scores = new Float32Array(n * m).map(() => Math.random() ** 8);
const table: ScoreTable = {
  version: 1,
  labelIds: labels.map((l) => l.id),
  photoIds: photos.map((_, i) => String(i)),
  scores,
  cosines: scores,
};
const columns = new ScoreColumns();
columns.apply(table, (id) => photos[Number(id)]);
/** The median ms of `run` over the rounds. */
const timed = (run: () => void): number => {
  const times: number[] = [];
  for (let r = 0; r < Number(values.rounds); r++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  return median(times);
};
let over = 0;
const counts = timed(() => {
  over = [...columns.counts(photos, labels, 0.5).values()].reduce((a, b) => a + b, 0);
});
const best = timed(() => columns.bestScores(photos, labels, new Set(['l0'])));
console.log(
  `${n} photos x ${m} labels, median of ${values.rounds} rounds: counts() ${counts.toFixed(1)} ms ` +
    `(${over} photo-labels over 0.5), bestScores() ${best.toFixed(1)} ms`,
);
