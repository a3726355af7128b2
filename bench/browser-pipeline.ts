// Chromium (WASM): the app's worker pipeline (Blob → decode → preprocess → onnxruntime-web) versus
// a bare session.run loop in a worker, same model, dtype (q8) and batch size.
import { readdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { chromium } from '@playwright/test';
import { createServer } from 'vite';
import { CHROMIUM, CHROMIUM_ARGS } from '../playwright.config.ts';
import { runBatchSize } from '../src/core/model-files.ts';
import { FIXTURE_IMAGES } from './bench-images.ts';
import { benchConfig } from './browser/vite.config.ts';

const rate = (images: number, seconds: number) => ({
  images,
  seconds,
  imagesPerSecond: images / seconds,
  msPerImage: (seconds * 1000) / images,
});

export async function benchBrowser(modelDir: string, batch: number, count: number) {
  const server = await createServer(benchConfig(dirname(modelDir), FIXTURE_IMAGES));
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('the benchmark server did not start');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => {
      if (process.env['BENCH_DEBUG'] || m.type() === 'error') console.error(`page: ${m.text()}`);
    });
    await page.goto(url);
    await page.waitForFunction(() => 'bench' in globalThis);
    const model = basename(modelDir);
    const names = readdirSync(FIXTURE_IMAGES).sort();
    const images = Array.from({ length: count }, (_, i) => names[i % names.length] ?? '');
    type Bench = {
      bare(
        m: string,
        b: number,
        r: number,
      ): Promise<{ images: number; seconds: number; threads: number }>;
      pipeline(m: string, i: string[]): Promise<{ images: number; seconds: number }>;
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
    const p = await page.evaluate(
      ([m, i]) => (globalThis as unknown as { bench: Bench }).bench.pipeline(m, i),
      [model, images] as const,
    );
    const bare = rate(b.images, b.seconds);
    const pipeline = rate(p.images, p.seconds);
    return {
      browserVersion: browser.version(),
      threads: b.threads,
      runSize,
      bare,
      bareBatched: rate(bb.images, bb.seconds),
      pipeline,
      ratio: pipeline.imagesPerSecond / bare.imagesPerSecond,
    };
  } finally {
    await browser.close();
    await server.close();
  }
}
