// Chromium (WASM): the app's worker pipeline (Blob → decode → preprocess → onnxruntime-web) versus
// a bare session.run loop in a worker, same model, dtype (q8) and batch size.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { runBatchSize } from '../src/core/model-files.ts';
import { FIXTURE_IMAGES } from './bench-images.ts';
import { openBenchPage } from './browser/open-bench-page.ts';
import { describeTrace, readPipelineTrace } from './browser/pipeline-trace.ts';
import { benchConfig } from './browser/vite.config.ts';

const rate = (images: number, seconds: number) => ({
  images,
  seconds,
  imagesPerSecond: images / seconds,
  msPerImage: (seconds * 1000) / images,
});

const fmtRate = (r: { imagesPerSecond: number; msPerImage: number }) =>
  `${r.imagesPerSecond.toFixed(1)} images/s, ${r.msPerImage.toFixed(1)} ms/image`;

/** Pipeline runs: null is the app's default pool size; a number, that many prepare workers. */
export type PrepareSetting = number | null;

export async function benchBrowser(
  modelDir: string,
  batch: number,
  count: number,
  imagesDir = FIXTURE_IMAGES,
  prepares: readonly PrepareSetting[] = [null, 0],
) {
  const { browser, page, close } = await openBenchPage(benchConfig(dirname(modelDir), imagesDir));
  try {
    const model = basename(modelDir);
    const names = readdirSync(imagesDir).sort();
    const images = Array.from({ length: count }, (_, i) => names[i % names.length] ?? '');
    type Bench = {
      bare(
        m: string,
        b: number,
        r: number,
      ): Promise<{ images: number; seconds: number; threads: number }>;
      pipeline(
        m: string,
        i: string[],
        w: PrepareSetting,
      ): Promise<{ images: number; seconds: number }>;
    };
    const bareAt = (size: number) =>
      page.evaluate(
        ([m, bt, r]) => (globalThis as unknown as { bench: Bench }).bench.bare(m, bt, r),
        [model, size, Math.ceil(count / size)] as const,
      );
    // The app runs q8 one image per session.run (runBatchSize, for exactness), so the runtime's
    // own speed is measured at that run size; `batch` images per run is shown too.
    const runSize = runBatchSize('q8', batch);
    const b = await bareAt(runSize);
    const bb = runSize === batch ? b : await bareAt(batch);
    // Traced: per-thread busy and idle time, which the machine's load does not blur.
    const traced = async (prepare: PrepareSetting) => {
      const traceDir = mkdtempSync(join(tmpdir(), 'mumic-bench-'));
      const tracePath = join(traceDir, 'pipeline-trace.json');
      await browser.startTracing(page, {
        path: tracePath,
        categories: ['toplevel', 'blink.user_timing', '__metadata'],
      });
      const run = await page.evaluate(
        ([m, i, w]) => (globalThis as unknown as { bench: Bench }).bench.pipeline(m, i, w),
        [model, images, prepare] as const,
      );
      await browser.stopTracing();
      const trace = readPipelineTrace(tracePath);
      rmSync(traceDir, { recursive: true, force: true });
      // Printed here: bench/run.ts prints the rates.
      const what =
        prepare === null
          ? "the app's default prepare pool"
          : prepare === 0
            ? 'prepared in the CLIP worker'
            : `${prepare} prepare worker(s)`;
      console.log(`Chromium pipeline, ${what}: ${fmtRate(rate(run.images, run.seconds))}`);
      for (const line of describeTrace(trace, run.images)) console.log(line);
      return { prepare, rate: rate(run.images, run.seconds), trace };
    };
    const runs = [];
    for (const prepare of prepares) runs.push(await traced(prepare));
    const bare = rate(b.images, b.seconds);
    const pipeline = (runs[0] as (typeof runs)[number]).rate;
    return {
      browserVersion: browser.version(),
      threads: b.threads,
      runSize,
      bare,
      bareBatched: rate(bb.images, bb.seconds),
      pipeline,
      runs,
      ratio: pipeline.imagesPerSecond / bare.imagesPerSecond,
    };
  } finally {
    await close();
  }
}
