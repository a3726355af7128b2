/**
 * Adaptation benchmark: 120 labels × 1,000 cached photos, 512-d embeddings (issue 6's target:
 * under 2 s on two cores). `adapt` runs on one thread; the numbers are wall-clock milliseconds.
 *
 * Feedback scenarios:
 * - app: a person reviews, per label, the photos it is shown on (the top zero-shot scores) and a
 *   few others: 25 or 100 known cells per label (3,000 or 12,000 cells);
 * - truth CSV: every cell of every photo known (120,000 cells), as `mumic adapt --truth` gives;
 *   once exact, once with maxCellsPerClass 64.
 *
 *   npx tsx bench/adapt.ts [--runs N] [--skip-exact]
 */
import { adapt, type AdaptOptions, type FeedbackEntry } from '../src/core/adapt/index.ts';
import { syntheticFeedback } from '../src/core/adapt/synthetic.ts';
import { NUM_PHOTOS, appFeedback as appCells, benchData } from './adapt-cases.ts';
import { median } from './median.ts';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const runs = Number(arg('--runs') ?? 3);
const skipExact = process.argv.includes('--skip-exact');

const data = benchData();
const m = data.labelIds.length;
const appFeedback = (top: number, others: number): FeedbackEntry[] => appCells(data, top, others);

const all = syntheticFeedback(
  data,
  Array.from({ length: NUM_PHOTOS }, (_, i) => i),
);
const cases: {
  feedback: string;
  cells: FeedbackEntry[];
  config: string;
  options: Partial<AdaptOptions>;
  runs: number;
}[] = [];
for (const [feedback, cells] of [
  ['app, 25 cells/label', appFeedback(15, 10)],
  ['app, 100 cells/label', appFeedback(60, 40)],
] as const) {
  cases.push({ feedback, cells, config: 't, b, residual', options: {}, runs });
  cases.push({ feedback, cells, config: 't, b', options: { residual: false }, runs });
  cases.push({
    feedback,
    cells,
    config: 'global t, b',
    options: { mode: 'global', residual: false },
    runs,
  });
}
const truth = 'truth CSV, all cells';
cases.push({
  feedback: truth,
  cells: all,
  config: 't, b, residual, cap 64',
  options: { maxCellsPerClass: 64 },
  runs,
});
if (!skipExact) {
  cases.push({
    feedback: truth,
    cells: all,
    config: 't, b, residual (exact)',
    options: {},
    runs: 1,
  });
}
cases.push({ feedback: truth, cells: all, config: 't, b', options: { residual: false }, runs });
cases.push({
  feedback: truth,
  cells: all,
  config: 'global t, b',
  options: { mode: 'global', residual: false },
  runs,
});

console.log(
  `adapt: ${m} labels × ${NUM_PHOTOS} photos × ${data.dim}-d, Node ${process.version}, median of ${runs} runs`,
);
console.log('feedback                cells  trained on                    ms   epochs (ran/best)');
for (const c of cases) {
  const times: number[] = [];
  let epochs = '';
  for (let r = 0; r < c.runs; r++) {
    const start = performance.now();
    const result = adapt(
      {
        images: data.images,
        dim: data.dim,
        labelEmbeddings: data.labelEmbeddings,
        labelIds: data.labelIds,
        feedback: c.cells,
      },
      c.options,
    );
    times.push(performance.now() - start);
    epochs = `${result.validation?.ranEpochs ?? '-'}/${result.epochs}`;
  }
  console.log(
    `${c.feedback.padEnd(22)} ${String(c.cells.length).padStart(6)}  ${c.config.padEnd(26)} ${median(
      times,
    )
      .toFixed(0)
      .padStart(6)}   ${epochs}${c.runs === 1 ? ' (1 run)' : ''}`,
  );
}
