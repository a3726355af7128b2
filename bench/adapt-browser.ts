/**
 * Adaptation in a worker in Chromium: what the app's "Adapt labels" runs (evaluation + adapt,
 * src/worker/adaptation.ts), then rescoring 1,000 photos, on 120 labels × 1,000 cached photos ×
 * 512-d (bench/adapt-cases.ts). Issue 6's target: adapting under 2 s on two cores.
 *
 *   npx tsx bench/adapt-browser.ts [--runs N]
 */
import { chromium } from '@playwright/test';
import { createServer } from 'vite';
import { CHROMIUM, CHROMIUM_ARGS } from '../playwright.config.ts';
import type { AdaptCase, AdaptTiming } from './adapt-worker/adapt-protocol.ts';

const i = process.argv.indexOf('--runs');
const runs = i >= 0 ? Number(process.argv[i + 1]) : 3;

const cases: AdaptCase[] = [];
for (const [name, top, others] of [
  ['app, 25 cells/label', 15, 10],
  ['app, 100 cells/label', 60, 40],
] as const) {
  cases.push({ name: `${name}, t b residual`, top, others, request: {}, runs });
  cases.push({ name: `${name}, t b`, top, others, request: { residual: false }, runs });
}

const server = await createServer({
  root: `${import.meta.dirname}/adapt-worker`,
  configFile: false,
  logLevel: 'warn',
  server: { host: '127.0.0.1', port: 0, fs: { allow: ['..', '../..'] } },
  worker: { format: 'es' },
  optimizeDeps: { noDiscovery: true, include: [] },
});
await server.listen();
const url = server.resolvedUrls?.local[0];
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  if (!url) throw new Error('the benchmark server did not start');
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForFunction(() => 'benchAdapt' in globalThis);
  const results = await page.evaluate(
    (c) =>
      (globalThis as unknown as { benchAdapt(c: AdaptCase[]): Promise<AdaptTiming[]> }).benchAdapt(
        c,
      ),
    cases,
  );
  console.log(
    `adapt in a Chromium ${browser.version()} worker: 120 labels × 1,000 photos × 512-d, median of ${runs}`,
  );
  console.log(
    'case                                  cells  adapt ms  adapt+evaluate ms  rescore ms  labels  held-out macro mAP',
  );
  for (const r of results) {
    const map =
      r.before === null || r.after === null
        ? '-'
        : `${r.before.toFixed(3)} → ${r.after.toFixed(3)}`;
    console.log(
      `${r.name.padEnd(36)} ${String(r.cells).padStart(6)} ${r.adaptMs.toFixed(0).padStart(9)} ${r.trainMs
        .toFixed(0)
        .padStart(
          18,
        )} ${r.rescoreMs.toFixed(0).padStart(11)} ${String(r.adaptedLabels).padStart(7)}  ${map}`,
    );
  }
} finally {
  await browser.close();
  await server.close();
}
