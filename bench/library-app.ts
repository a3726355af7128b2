// The photo library at scale in the built app (issue 11). A synthetic library of N photos is
// WRITTEN STRAIGHT INTO THE APP'S INDEXEDDB (records, thumbnails and embeddings, through the
// app's own IdbStore in the page: bench/library-app/seed.ts), skipping decoding and encoding; the
// embeddings have the loaded model's dimension. Then, in Debian's Chromium against vite preview:
//   - reload to ready: navigation start until start-up is done and the first tiles are drawn;
//   - one query: the worker's ranking time after its text pass (PhotoRanking.rankMs), and the
//     text pass and the round trip beside it;
//   - near-duplicate groups: the worker's time, and the round trip;
//   - page memory: performance.measureUserAgentSpecificMemory() (the page is cross-origin
//     isolated), with the library shown and ranked;
//   - main-thread long tasks (PerformanceObserver 'longtask', wall-clock) while a search is shown
//     through the UI and its results are scrolled and extended ("Show more") to 1,000 tiles;
//   - photos added to the library through the file input: the page's main-thread CPU per photo
//     (each render derives the grid's list and per-label counts from the whole library).
//
//   npx vite build && npx tsx bench/library-app.ts [--photos 10000] [--runs 5] [--port 4192]
//     [--model clip-tiny] [--dtype fp32] [--add 48]
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { build } from 'esbuild';
import { preview } from 'vite';
import { CHROMIUM, CHROMIUM_ARGS } from '../playwright.config.ts';
import { adding } from './library-app/adding.ts';
import { profiled } from './library-app/profile.ts';
import { traced } from './library-app/trace.ts';
import { tracedReload } from './library-app/reload-trace.ts';
import { median } from './median.ts';

const REPO = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    photos: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '5' },
    port: { type: 'string', default: '4192' },
    model: { type: 'string', default: 'clip-tiny' },
    dtype: { type: 'string', default: 'fp32' },
    // A browser profile kept between runs: the library is written once (marker file beside it).
    profile: { type: 'string' },
    // The built app to serve (`npx vite build --outDir DIR`), so a build for the e2e tests in dist
    // can run beside it.
    dist: { type: 'string', default: 'dist' },
    // Photos then added through the file input (and removed again): the main thread's cost.
    add: { type: 'string', default: '48' },
    // Prints where the main thread spent its time while the ranked results are shown.
    cpuprofile: { type: 'boolean', default: false },
    // Only the showing and scrolling of ranked results (after one reload), e.g. with --cpuprofile.
    'scroll-only': { type: 'boolean', default: false },
    // A Chromium trace of the showing and scrolling, written here; its long tasks taken apart.
    trace: { type: 'string' },
    // Chromium traces of each reload (all threads), written as FILE-<n>.json, and taken apart.
    'trace-reload': { type: 'string' },
  },
});
const n = Number(values.photos);
const runs = Math.max(1, Number(values.runs));
const url = `http://127.0.0.1:${values.port}/?model=${values.model}&backend=wasm&dtype=${values.dtype}`;
const QUERIES = ['pool at night', 'breakfast on a terrace', 'a dog', 'sea view', 'a red car'];
const ms = (x: number): string => `${x.toFixed(x < 10 ? 2 : 0)} ms`;

const dist = resolve(REPO, values.dist);
if (!existsSync(join(dist, 'index.html'))) throw new Error('run `npx vite build` first');
const seedCode = (
  await build({
    entryPoints: [join(import.meta.dirname, 'library-app', 'seed.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
  })
).outputFiles[0]?.text;

// Page code is passed as strings: tsx would wrap named inner functions in a helper the page lacks.
// The library is shown when the count says n and the first tiles are drawn (labels may still be
// scoring); start-up is done when the labels are scored too (App.start's done).
const WAIT_SHOWN = `(async () => {
  for (;;) {
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r)));
    const count = document.querySelector('#photos-title .count')?.textContent;
    if (count === '${n}' && document.querySelectorAll('.results li.photo').length >= 12) break;
    // Not shown after 10 s: what the page shows, once (for the log).
    if (!globalThis.slowShown && performance.now() > 10000 && globalThis.mumic?.app?.library?.restored) {
      globalThis.slowShown = [count, document.querySelectorAll('.results li.photo').length, scrollY, document.documentElement.scrollHeight, performance.now()];
    }
  }
  const shown = performance.now();
  await globalThis.mumic.done;
  return [shown, performance.now()];
})()`;
const OBSERVE = `(() => {
  globalThis.longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) globalThis.longTasks.push(e.duration);
  }).observe({ type: 'longtask' });
})()`;

const server = await preview({
  root: REPO,
  build: { outDir: dist },
  preview: { port: Number(values.port), strictPort: true, host: '127.0.0.1' },
});
const viewport = { width: 1280, height: 900 };
const context: BrowserContext = values.profile
  ? await chromium.launchPersistentContext(values.profile, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      viewport,
    })
  : await chromium.launchPersistentContext('', {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      viewport,
    });
// The store belongs to the origin, port included: a profile seeded on another port is empty here.
const seeded = values.profile
  ? join(values.profile, `.mumic-seeded-${n}-port${values.port}`)
  : undefined;
try {
  const page = context.pages()[0] ?? (await context.newPage());
  if (values.profile) {
    // A kept profile's service worker would serve the build it cached, not --dist's (Playwright's
    // serviceWorkers: 'block' does not stop one already registered): unregistered first.
    await page.goto(url);
    await page.evaluate(
      'navigator.serviceWorker.getRegistrations().then((rs) => Promise.all(rs.map((r) => r.unregister())))',
    );
  }
  const opened = performance.now();
  await page.goto(url);
  await page.evaluate('globalThis.mumic.done');
  // A profile written by an older schema is upgraded here (thumbnails moved out of the records).
  console.log(
    `first open to ready (any schema upgrade included): ${ms(performance.now() - opened)}`,
  );
  const model = (await page.evaluate('globalThis.mumic.app.modelStatus')) as {
    projectionDim: number;
    dtypes: { vision: string };
  };
  console.log(
    `Chromium ${context.browser()?.version() ?? ''}, ${values.model} (${model.projectionDim}-d embeddings, vision ${model.dtypes.vision}), WASM; load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  if (seeded && existsSync(seeded)) {
    console.log(`${n} photos already written straight into the store of ${values.profile}\n`);
  } else {
    await page.evaluate(seedCode ?? '');
    const seedMs = (await page.evaluate(
      `globalThis.seedLibrary(${JSON.stringify({ n, dim: model.projectionDim, model: values.model, dtype: model.dtypes.vision })})`,
    )) as number;
    if (seeded) writeFileSync(seeded, '');
    console.log(
      `${n} photos written straight into the store (no decoding or encoding) in ${ms(seedMs)}\n`,
    );
  }

  const reloads: number[] = [];
  const dones: number[] = [];
  for (let r = 0; r < runs; r++) {
    const reload = async (): Promise<[number, number]> => {
      await page.reload({ waitUntil: 'commit' });
      // Polled from here: the app's CSP forbids waitForFunction's string evaluation.
      while (!(await page.evaluate('globalThis.mumic !== undefined').catch(() => false))) {
        await new Promise((r) => setTimeout(r, 20));
      }
      return (await page.evaluate(WAIT_SHOWN)) as [number, number];
    };
    const traceTo = values['trace-reload'];
    const [shown, done] = traceTo
      ? await tracedReload(page, `${traceTo}-${r + 1}.json`, reload)
      : await reload();
    reloads.push(shown);
    dones.push(done);
    const marks = (await page.evaluate(
      `performance.getEntriesByType('mark').filter((m) => m.name.startsWith('mumic:')).map((m) => m.name.slice(6) + ' ' + m.startTime.toFixed(0))`,
    )) as string[];
    console.log(`  start-up marks (ms from navigation): ${marks.join(', ')}`);
    const slow = await page.evaluate('globalThis.slowShown');
    if (slow)
      console.log(
        `  not shown 10 s in (count, tiles, scrollY, height, at): ${JSON.stringify(slow)}`,
      );
  }
  console.log(
    `reload to ready, library shown: median ${ms(median(reloads))} (runs: ${reloads.map((x) => x.toFixed(0)).join(', ')}); ` +
      `labels scored too (start-up done): median ${ms(median(dones))}`,
  );

  // The restore call again, the library already in the worker's memory: what sending n records
  // (each with its thumbnail Blob) to the page costs, apart from reading them from IndexedDB.
  const again = (await page.evaluate(`(async () => {
    const t = performance.now();
    const r = await globalThis.mumic.bridge.restore();
    return [performance.now() - t, r.photos.length];
  })()`)) as [number, number];
  console.log(`restore again (in the worker's memory, ${again[1]} records sent): ${ms(again[0])}`);
  if (!values['scroll-only']) {
    await queries(page);
    await duplicates(page);
  }
  if (values.cpuprofile) await profiled(page, 25, () => scrolling(page));
  else if (values.trace) await traced(page, values.trace, () => scrolling(page));
  else await scrolling(page);
  await duplicatesView(page);
  await memory(page);
  const add = () => adding(page, Number(values.add), n);
  if (values.cpuprofile) await profiled(page, 25, add);
  else await add();
} finally {
  await context.close();
  await server.close();
}

async function queries(page: Page): Promise<void> {
  const rank: number[] = [];
  const text: number[] = [];
  const trip: number[] = [];
  for (let r = 0; r < runs; r++) {
    for (const q of QUERIES) {
      const out = (await page.evaluate(`(async () => {
        const t = performance.now();
        const r = await globalThis.mumic.bridge.searchPhotos(${JSON.stringify(q)}, ['a photo of a {}.'], 200);
        return { rankMs: r.rankMs, textMs: r.textMs, trip: performance.now() - t, n: r.total };
      })()`)) as { rankMs: number; textMs: number; trip: number; n: number };
      if (out.n !== n) throw new Error(`ranked ${out.n} photos, not ${n}`);
      rank.push(out.rankMs);
      text.push(out.textMs);
      trip.push(out.trip);
    }
  }
  console.log(
    `one query over ${n}: ranking in the worker median ${ms(median(rank))} (max ${ms(Math.max(...rank))}); ` +
      `text pass ${ms(median(text))}; round trip from the page ${ms(median(trip))}`,
  );
}

async function duplicates(page: Page): Promise<void> {
  const worker: number[] = [];
  const trip: number[] = [];
  let groups = 0;
  for (let r = 0; r < runs; r++) {
    const out = (await page.evaluate(`(async () => {
      const t = performance.now();
      const r = await globalThis.mumic.bridge.duplicatePhotos();
      return { ms: r.elapsedMs, trip: performance.now() - t, groups: r.groups.length };
    })()`)) as { ms: number; trip: number; groups: number };
    worker.push(out.ms);
    trip.push(out.trip);
    groups = out.groups;
  }
  console.log(
    `near-duplicate groups (cosine >= 0.99): ${groups} groups; worker median ${ms(median(worker))}, round trip ${ms(median(trip))}`,
  );
}

async function scrolling(page: Page): Promise<void> {
  await page.evaluate(OBSERVE);
  const search = page.locator('#photo-search');
  await search.fill('pool at night');
  await search.press('Enter');
  await page.locator('.results li.photo[data-rank="1"]').waitFor();
  // The grid is virtualised: a tile is in the DOM once scrolled near, so the last of each page
  // is waited for at the end of the list.
  // Scrolled again on every poll: the list grows when Show more's page arrives, after the click.
  const toEnd = async (rank: number) => {
    await page.waitForFunction(
      (n) => {
        const doc = globalThis.document;
        globalThis.scrollTo(0, doc.documentElement.scrollHeight);
        return doc.querySelector(`.results li.photo[data-rank="${n}"]`) !== null;
      },
      rank,
      { polling: 100 },
    );
  };
  for (let more = 0; more < 4; more++) {
    for (let s = 0; s < 8; s++) {
      await page.mouse.wheel(0, 1200);
      await page.evaluate('new Promise((r) => requestAnimationFrame(() => setTimeout(r, 30)))');
    }
    await toEnd((more + 1) * 200);
    await page.locator('.results button.more').click();
  }
  await toEnd(1000);
  const tasks = (await page.evaluate('globalThis.longTasks')) as number[];
  console.log(
    `showing and scrolling ranked results (1,000 tiles drawn): ${tasks.length} long tasks over 50 ms` +
      (tasks.length ? `, longest ${ms(Math.max(...tasks))}` : ''),
  );
}

/** Long tasks while the near-duplicates view is opened through the UI and paged through. */
async function duplicatesView(page: Page): Promise<void> {
  await page.evaluate('globalThis.longTasks = []');
  await page.locator('[data-action="duplicates"]').click();
  await page.locator('[data-duplicate-group]').first().waitFor();
  for (let more = 0; more < 5; more++) {
    // A build without pages of groups (before) draws them all at once.
    const button = page.locator('[data-action="more-groups"]');
    if ((await button.count()) > 0) await button.click();
    await page.mouse.wheel(0, 3000);
    await page.evaluate('new Promise((r) => requestAnimationFrame(() => setTimeout(r, 100)))');
  }
  const [tasks, groups] = (await page.evaluate(
    `[globalThis.longTasks, document.querySelectorAll('[data-duplicate-group]').length]`,
  )) as [number[], number];
  console.log(
    `near-duplicates view (${groups} groups drawn of ${await page.locator('#duplicates-title .count').textContent()}): ` +
      `${tasks.length} long tasks over 50 ms` +
      (tasks.length ? `, longest ${ms(Math.max(...tasks))}` : ''),
  );
  await page.locator('[data-action="close-duplicates"]').click();
}

async function memory(page: Page): Promise<void> {
  const bytes = (await page.evaluate(`(async () => {
    if (!globalThis.crossOriginIsolated || !performance.measureUserAgentSpecificMemory) return -1;
    return (await performance.measureUserAgentSpecificMemory()).bytes;
  })()`)) as number;
  console.log(
    bytes < 0
      ? 'page memory: measureUserAgentSpecificMemory is not available (page not isolated)'
      : `page memory (measureUserAgentSpecificMemory, library shown and ranked): ${(bytes / 2 ** 20).toFixed(0)} MiB`,
  );
}
