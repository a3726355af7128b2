// Where a photo's preparation goes in Chromium: each stage timed alone, in sequence, in a worker
// of the bench page (bench/browser/stages-worker.ts), per photo (median over the rounds of the
// mean over the photos). The old path (canvas read-back, thumbnail from the full bitmap, resize
// of the crop only) next to the present one (VideoFrame copy, whole resize, thumbnail from it).
//
//   npx tsx bench/browser-stages.ts [--photos 12mp|2mp] [--rounds 3]
import { loadavg } from 'node:os';
import { basename, dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { photos2mp } from './browser-photos.ts';
import { openBenchPage } from './browser/open-bench-page.ts';
import { benchConfig } from './browser/vite.config.ts';
import { BENCH_MODEL } from './ensure-model.ts';
import { photos12mp } from './photos-12mp.ts';

const { values } = parseArgs({
  options: {
    photos: { type: 'string', default: '12mp' },
    rounds: { type: 'string', default: '3' },
  },
});
const paths = values.photos === '2mp' ? await photos2mp() : await photos12mp();
const { browser, page, close } = await openBenchPage(
  benchConfig(dirname(BENCH_MODEL), dirname(paths[0] ?? '')),
);
try {
  type Stages = {
    stages(n: string[]): Promise<{ times: Record<string, number>; notes: string[] }>;
  };
  const names = paths.map((p) => basename(p));
  const rounds: Record<string, number>[] = [];
  let notes: string[] = [];
  for (let r = 0; r < Number(values.rounds); r++) {
    const out = await page.evaluate(
      (n) => (globalThis as unknown as { bench: Stages }).bench.stages(n),
      names,
    );
    rounds.push(out.times);
    notes = out.notes;
  }
  console.log(
    `${names.length} photos (${values.photos}), Chromium ${browser.version()}, ${rounds.length} rounds, load ${loadavg()[0]?.toFixed(2)}; ms per photo (median of rounds):`,
  );
  for (const stage of Object.keys(rounds[0] ?? {})) {
    const per = rounds.map((t) => (t[stage] ?? 0) / names.length).sort((a, b) => a - b);
    const median = per[Math.floor(per.length / 2)] ?? 0;
    console.log(`  ${median.toFixed(1).padStart(7)}  ${stage}`);
  }
  for (const note of notes) console.log(`  ${note}`);
} finally {
  await close();
}
