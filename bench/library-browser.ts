/**
 * bench/library-rank.ts's measurements in a dedicated worker in Debian's Chromium (the app ranks
 * in its worker). The worker is bundled with esbuild and started from a blob on a blank page.
 *
 *   npx tsx bench/library-browser.ts [--runs N] [--sizes 10000,100000]
 */
import { chromium } from '@playwright/test';
import { build } from 'esbuild';
import { parseArgs } from 'node:util';
import { CHROMIUM, CHROMIUM_ARGS } from '../playwright.config.ts';
import {
  formatDuplicates,
  formatRanking,
  type DuplicatesRow,
  type RankingRow,
} from './library-measure.ts';
import type { LibraryBenchRequest } from './library-worker/worker.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    sizes: { type: 'string', default: '10000,100000' },
  },
});
const request: LibraryBenchRequest = {
  sizes: values.sizes.split(',').map(Number),
  dim: 512,
  runs: Number(values.runs),
  duplicatesSize: 10000,
};
const bundle = await build({
  entryPoints: [`${import.meta.dirname}/library-worker/worker.ts`],
  bundle: true,
  write: false,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
});
const code = bundle.outputFiles[0]?.text ?? '';
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage();
  const result = await page.evaluate(
    ({ code, request }) =>
      new Promise<{ ranking: RankingRow[]; duplicates: DuplicatesRow[] }>((resolve, reject) => {
        const worker = new Worker(
          URL.createObjectURL(new Blob([code], { type: 'text/javascript' })),
        );
        worker.onmessage = (e) =>
          resolve(e.data as { ranking: RankingRow[]; duplicates: DuplicatesRow[] });
        worker.onerror = (e) => reject(new Error(e.message));
        worker.postMessage(request);
      }),
    { code, request },
  );
  console.log(
    `Chromium ${browser.version()}, dedicated worker; median of ${request.runs} runs; wall-clock ms`,
  );
  let n = 0;
  for (const row of result.ranking) {
    if (row.n !== n) console.log(`${row.n.toLocaleString('en')} embeddings:`);
    n = row.n;
    console.log(formatRanking(row));
  }
  for (const row of result.duplicates) console.log(formatDuplicates(row));
} finally {
  await browser.close();
}
