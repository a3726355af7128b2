// Soak (issue 10): does the app give back memory and storage? In the built app (vite preview,
// cross-origin isolated), Debian's Chromium, the clip-tiny fixture model on WASM:
//   start → add 16 photos and Clear all (warm) → add N photos → reload → add N more → Clear all → add N/4 → Clear all,
// measuring after each step, once no batch runs:
//   - memory: performance.measureUserAgentSpecificMemory() (it includes the page's dedicated
//     workers: the app's worker and its prepare thread), split by attribution (the window, each
//     worker), after garbage collection (Chromium runs with --js-flags=--expose-gc: gc() in the
//     page; the measurement itself waits for a GC of every isolate);
//   - storage: navigator.storage.estimate() (usage, and its IndexedDB and Cache Storage parts);
//   - the page: tiles and live object URLs are implied by the DOM's img count.
// The photos are distinct 800×600 JPEGs made here with sharp (a gradient and a pattern that
// differ per photo), written to a temporary folder and deleted after.
//
//   npx vite build && npx tsx bench/soak.ts [--photos 2000] [--port 4322]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from '@playwright/test';
import sharp from 'sharp';
import { preview } from 'vite';
import { CHROMIUM, CHROMIUM_ARGS } from '../playwright.config.ts';

/** Photos tagged and cleared before the library steps, to measure a warm, empty app. */
const WARM_PHOTOS = 16;
const REPO = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    photos: { type: 'string', default: '2000' },
    port: { type: 'string', default: '4322' },
  },
});
const n = Number(values.photos);
const url = `http://127.0.0.1:${values.port}/?model=clip-tiny&backend=wasm&dtype=q8`;
const W = 800;
const H = 600;

/** `count` distinct JPEGs, numbered from `from`: each its own gradient and stripes. */
async function makePhotos(dir: string, from: number, count: number): Promise<string[]> {
  const paths: string[] = [];
  const pixels = Buffer.alloc(W * H * 3);
  for (let i = from; i < from + count; i++) {
    const [a, b, c] = [(i * 37) % 256, (i * 91) % 256, (i * 53) % 256];
    const period = 8 + (i % 29);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const o = (y * W + x) * 3;
        const stripe = ((x + y * (i % 3)) / period) % 2 < 1 ? 40 : 0;
        pixels[o] = (a + (x >> 2)) & 255;
        pixels[o + 1] = (b + (y >> 2) + stripe) & 255;
        pixels[o + 2] = (c + ((x + y) >> 3)) & 255;
      }
    }
    const path = join(dir, `soak-${String(i).padStart(5, '0')}.jpg`);
    await sharp(pixels, { raw: { width: W, height: H, channels: 3 } })
      .jpeg({ quality: 85 })
      .toFile(path);
    paths.push(path);
  }
  return paths;
}

// Page code as strings: tsx would wrap named inner functions in a helper the page lacks.
const MEASURE = `(async () => {
  for (let i = 0; i < 3; i++) { globalThis.gc?.(); await new Promise((r) => setTimeout(r, 50)); }
  const m = await performance.measureUserAgentSpecificMemory();
  const by = { window: 0, worker: 0, other: 0 };
  for (const b of m.breakdown) {
    const scope = b.attribution[0]?.scope;
    if (scope === 'Window') by.window += b.bytes;
    else if (scope === 'DedicatedWorkerGlobalScope') by.worker += b.bytes;
    else by.other += b.bytes;
  }
  const est = await navigator.storage.estimate();
  const d = est.usageDetails ?? {};
  return {
    bytes: m.bytes, ...by,
    usage: est.usage ?? 0, idb: d.indexedDB ?? 0, caches: d.caches ?? 0, sw: d.serviceWorkerRegistrations ?? 0,
    tiles: document.querySelectorAll('li.photo').length,
    imgs: document.querySelectorAll('img[src^="blob:"]').length,
    shown: Number(document.querySelector('#photos-title .count')?.textContent ?? 0),
  };
})()`;

interface Row {
  step: string;
  seconds: number;
  bytes: number;
  window: number;
  worker: number;
  other: number;
  usage: number;
  idb: number;
  caches: number;
  sw: number;
  tiles: number;
  imgs: number;
  shown: number;
}

/** Polls `condition` (page code) until true: waitForFunction would eval, which the CSP refuses. */
async function until(page: Page, condition: string, timeoutMs = 3_600_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await page.evaluate(condition))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${condition}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function ready(page: Page): Promise<void> {
  await page.evaluate('globalThis.mumic.done');
  await page.locator('#status[data-labels-ready="true"]').waitFor({ timeout: 600_000 });
}

/** Adds `paths` through the file input and waits until every photo is done and no batch runs. */
async function add(page: Page, paths: string[], total: number): Promise<void> {
  await page.setInputFiles('#file-input', paths);
  await until(
    page,
    `document.querySelector('#photos-title .count')?.textContent === '${total}' &&
     document.querySelectorAll('li.photo[data-state="queued"]').length === 0 &&
     document.querySelector('[data-progress="batch"]')?.dataset.running !== 'true'`,
  );
}

const mib = (b: number): string => (b / 2 ** 20).toFixed(1);

const folder = mkdtempSync(join(tmpdir(), 'mumic-soak-'));
const server = await preview({
  root: REPO,
  preview: { port: Number(values.port), strictPort: true, host: '127.0.0.1' },
});
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  // ForceEagerMeasureMemory: measured at once (with a GC) instead of at the next GC.
  args: [
    ...CHROMIUM_ARGS,
    '--js-flags=--expose-gc',
    '--enable-blink-features=ForceEagerMeasureMemory',
  ],
});
const rows: Row[] = [];
try {
  const made = Date.now();
  const first = await makePhotos(folder, 0, n);
  const second = await makePhotos(folder, n, n);
  const third = await makePhotos(folder, 2 * n, Math.round(n / 4));
  const warm = await makePhotos(folder, 2 * n + third.length, WARM_PHOTOS);
  console.log(
    `${first.length + second.length + third.length + warm.length} photos made in ${((Date.now() - made) / 1000).toFixed(0)} s`,
  );

  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(url);
  await ready(page);
  if (!(await page.evaluate('globalThis.crossOriginIsolated'))) throw new Error('not isolated');
  const measure = async (step: string, started: number) => {
    const seconds = (Date.now() - started) / 1000;
    const m = (await page.evaluate(MEASURE)) as Omit<Row, 'step' | 'seconds'>;
    const row = { step, seconds, ...m };
    rows.push(row);
    console.log(
      `${step}: ${row.seconds.toFixed(0)} s; memory ${mib(row.bytes)} MiB (window ${mib(row.window)}, workers ${mib(row.worker)}); storage ${mib(row.usage)} MiB (IndexedDB ${mib(row.idb)}); ${row.tiles} tiles`,
    );
  };
  await measure('start (empty)', Date.now());
  const clear = async (step = 'Clear all') => {
    const at = Date.now();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.locator('#clear-all').click();
    await until(
      page,
      `document.querySelectorAll('li.photo').length === 0 &&
       document.querySelector('#status')?.dataset.labelsReady === 'true'`,
    );
    await measure(step, at);
  };

  // The baseline a clear can return to: onnxruntime's WASM heap grows with its first runs and a
  // WebAssembly memory never shrinks, so "start" is before any run and "warm" after a few.
  let t = Date.now();
  await add(page, warm, warm.length);
  await clear(`warm (+${warm.length}, cleared)`);

  t = Date.now();
  await add(page, first, n);
  await measure(`+${n} photos`, t);

  t = Date.now();
  await page.reload();
  await ready(page);
  await page.waitForFunction(
    `document.querySelector('#photos-title .count')?.textContent === '${n}'`,
  );
  await measure('reload', t);

  t = Date.now();
  await add(page, second, 2 * n);
  await measure(`+${n} more`, t);

  await clear();

  t = Date.now();
  await add(page, third, third.length);
  await measure(`+${third.length} photos`, t);
  await clear();

  console.log(`\nChromium ${browser.version()}, clip-tiny WASM q8, ${W}×${H} JPEGs; MiB`);
  console.log(
    '| step | s | memory | window | workers | storage | IndexedDB | Cache Storage | service worker | tiles |',
  );
  console.log(
    '| ---- | -: | -----: | -----: | ------: | ------: | --------: | ----: | ----: | ----: |',
  );
  for (const r of rows) {
    console.log(
      `| ${r.step} | ${r.seconds.toFixed(0)} | ${mib(r.bytes)} | ${mib(r.window)} | ${mib(r.worker)} | ${mib(r.usage)} | ${mib(r.idb)} | ${mib(r.caches)} | ${mib(r.sw)} | ${r.tiles} |`,
    );
  }
} finally {
  await browser.close();
  await new Promise<void>((r) => server.httpServer.close(() => r()));
  rmSync(folder, { recursive: true, force: true });
}
