// The app itself, as a person uses it, against the bare onnxruntime-web loop in the same run:
// Debian's Chromium, WASM, q8, the bench's ViT-B/32-sized model (served to the built app as
// models/clip-b32-random/, with its precomputed label vectors), photos added through the file
// input. It prints:
//  - the bare session.run loop, one image per run (the bench page's worker, as in
//    `npm run bench -- --only browser`);
//  - the app tagging N photos: ms per photo over the whole batch (from the files' arrival at the
//    page, its input's change event, to the last photo shown), and marginal (first photo shown
//    to last, ÷ N − 1), which leaves out the first photo's unoverlapped decode;
//  - after the batch, once the page has been idle for --idle-ms (the text tower is loaded while
//    idle: src/worker/text-preload.ts): a label typed and Add pressed, timed until its scores for
//    every photo are in the page (the worker's text run and scoring, the page's render), then a
//    second label.
//
//  - the bare loop again, after the app (its page closed), and the app against the mean of the two:
//    this shared machine's speed drifts within a minute.
//
//  - with --typing-ms N: the labels typed key by key (N ms a key, as a person types), the first
//    right after the batch (--idle-ms 0): typing asks for the text tower (App.wantText).
//
//   npx vite build && npx tsx bench/browser-app.ts [--photos 12mp|2mp|fixture] [--images 16]
//     [--prepare N] [--idle-ms 12000] [--settle-ms 8000] [--typing-ms 0] [--first-batch 0]
//     [--embed 0] [--port 4325] [--dist dist]
//     [--bare-threads N] [--bare-pair yes] [--keep-trace FILE] [--trace-categories a,b]
//     [--quiet yes|no]
//
// Each photo gets a few trailing bytes (decoders ignore them; the content hash differs), so
// every one is hashed, decoded and encoded, none taken from the store.
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  appendFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from '@playwright/test';
import { createServer, preview, type Plugin } from 'vite';
import { CHROMIUM, CHROMIUM_ARGS } from '../playwright.config.ts';
import { FIXTURE_IMAGES } from './bench-images.ts';
import { photos2mp } from './browser-photos.ts';
import { cpuByThread, describeCpu, type ThreadCpu } from './browser/cpu-trace.ts';
import { describeProcCpu, procSnapshot, untilQuiet } from './browser/proc-cpu.ts';
import { describeBrowserTasks } from './browser/task-sources.ts';
import { benchConfig, serveDir } from './browser/vite.config.ts';
import { BENCH_MODEL, ensureBenchLabelFile, ensureBenchModel } from './ensure-model.ts';
import { photos12mp } from './photos-12mp.ts';

const REPO = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    photos: { type: 'string', default: '12mp' },
    images: { type: 'string', default: '16' },
    prepare: { type: 'string' },
    'idle-ms': { type: 'string', default: '12000' },
    'settle-ms': { type: 'string', default: '8000' },
    'typing-ms': { type: 'string', default: '0' },
    'first-batch': { type: 'string', default: '0' },
    // 0: the prepare worker never embeds (the app's ?embed=0), to compare in one build.
    embed: { type: 'string' },
    port: { type: 'string', default: '4325' },
    // The built app to serve (`npx vite build --outDir DIR`): another build in the same sitting.
    dist: { type: 'string', default: 'dist' },
    // Also time the bare loop on this many WASM threads (the app's model thread beside a pool).
    'bare-threads': { type: 'string' },
    // 'yes': also two one-thread bare loops at once, in two workers: the app's model layout on
    // 2 cores (the CLIP worker's model and the prepare worker's copy), without its preparation.
    'bare-pair': { type: 'string', default: 'no' },
    // Keep the batch's trace (Chromium JSON) here, and print where the browser process's CPU went.
    'keep-trace': { type: 'string' },
    // More trace categories (comma-separated) for the kept trace, e.g. mojom,IndexedDB.
    'trace-categories': { type: 'string', default: '' },
    // 'yes': before the batch, wait until Chromium is quiet (the text tower's idle load on a first
    // visit has the browser store 64 MB in Cache Storage: seconds of CPU, not the batch's).
    quiet: { type: 'string', default: 'yes' },
  },
});
const count = Number(values.images);
const port = Number(values.port);
const modelId = basename(BENCH_MODEL);
ensureBenchModel();
await ensureBenchLabelFile();
const dist = resolve(REPO, values.dist);
if (!existsSync(join(dist, 'index.html'))) throw new Error('Run `npx vite build` first.');

const sources =
  values.photos === '12mp'
    ? await photos12mp()
    : values.photos === '2mp'
      ? await photos2mp()
      : readdirSync(FIXTURE_IMAGES)
          .sort()
          .map((n) => join(FIXTURE_IMAGES, n));
const folder = mkdtempSync(join(tmpdir(), 'mumic-app-bench-'));
const copies = (n: number, from: number) =>
  Array.from({ length: n }, (_, k) => {
    const i = from + k;
    const src = sources[i % sources.length] as string;
    const ext = extname(src);
    const path = join(folder, `${basename(src, ext)}-${String(i).padStart(3, '0')}${ext}`);
    copyFileSync(src, path);
    appendFileSync(path, `\n#${i}`);
    return path;
  });
const photos = copies(count, 0);
// --first-batch N: N other photos tagged before the timed batch, which then runs as
// a person's next batch does (the prepare worker's copy of the vision tower loaded).
const firstBatch = copies(Number(values['first-batch']), count);

/** The bench model as one of the built app's models (the preview serves dist/ only). */
const modelPlugin = (): Plugin => {
  const serve = serveDir(`/models/${modelId}/`, `${BENCH_MODEL}/`);
  return { name: 'bench-app-model', configurePreviewServer: serve.configureServer as never };
};
const app = await preview({
  root: REPO,
  logLevel: 'warn',
  plugins: [modelPlugin()],
  build: { outDir: dist },
  preview: { port, strictPort: true, host: '127.0.0.1' },
});
const benchServer = await createServer(benchConfig(dirname(BENCH_MODEL), FIXTURE_IMAGES));
await benchServer.listen();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
const ms = (x: number) => `${x.toFixed(0)} ms`;
try {
  console.log(
    `${count} photos (${values.photos}), ${modelId} q8 WASM, Chromium ${browser.version()}, load ${loadavg()[0]?.toFixed(2)}`,
  );
  // 1. The bare loop, one image per run, as many runs as photos.
  const benchPage = await openBenchPage();
  const bareTrace = await traced(benchPage, 'bench:bare', () => bareRun(benchPage));
  const bareThreads = values['bare-threads'];
  if (bareThreads !== undefined) {
    const on = await bareRun(benchPage, Number(bareThreads));
    console.log(
      `bare session.run on ${bareThreads} thread(s): ${ms((on.seconds * 1000) / count)}/image`,
    );
  }
  if (values['bare-pair'] === 'yes') {
    const pair = await benchPage.evaluate(
      ([m, r]) => {
        const { bench } = globalThis as unknown as { bench: Bare };
        return Promise.all([bench.bare(m, 1, r, 1), bench.bare(m, 1, r, 1)]);
      },
      [modelId, count] as const,
    );
    const each = pair.map((p) => (p.seconds * 1000) / count);
    const perImage = 1 / each.reduce((rate, t) => rate + 1 / t, 0);
    console.log(
      `two one-thread bare loops at once: ${each.map(ms).join(' and ')}/run, ${ms(perImage)}/image together`,
    );
  }
  await benchPage.close();
  const bareMs = (bareTrace.result.seconds * 1000) / count;
  console.log(`bare session.run, 1 image per run: ${ms(bareMs)}/image`);
  for (const line of describeCpu(bareTrace.cpu, count)) console.log(line);

  // 2. The app tags the photos.
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const prepare =
    (values.prepare === undefined ? '' : `&prepare=${values.prepare}`) +
    (values.embed === '0' ? '&embed=0' : '');
  await page.goto(`http://127.0.0.1:${port}/?model=${modelId}&backend=wasm&dtype=q8${prepare}`);
  await page.evaluate(
    () => (globalThis as unknown as { mumic: { done: Promise<void> } }).mumic.done,
  );
  await page.locator('#status[data-labels-ready="true"]').waitFor({ timeout: 600_000 });
  const textsAtStart = await texts(page);
  if (values.quiet !== 'no') {
    const waited = await untilQuiet();
    console.log(`Chromium quiet ${ms(waited)} after the labels were ready`);
  }
  if (firstBatch.length > 0) {
    await page.setInputFiles('#file-input', firstBatch);
    await page
      .locator('li.photo[data-state="done"]')
      .nth(firstBatch.length - 1)
      .waitFor({ timeout: 900_000 });
    await page.locator('[data-progress="batch"][data-running="false"]').waitFor();
    console.log(`first batch of ${firstBatch.length} tagged`);
  }
  // The text tower loads once the worker has been idle 1 s after the model: let it finish first,
  // so that the batch is timed alone (a person adding photos at once would wait for it).
  await page.waitForTimeout(Number(values['settle-ms']));
  // Times at which the k-th photo is shown done: the tiles, or past a first batch the count of
  // images encoded (the grid may not draw them all). Watched with a MutationObserver, which runs
  // only when a render changes the page: polling each frame would make the page draw, commit and
  // composite every vsync, CPU the app itself does not spend (about 5 ms a photo here).
  const base = firstBatch.length > 0 ? await encodedNow(page) : undefined;
  await page.evaluate(`(() => {
    const w = globalThis;
    w.doneAt = [];
    const status = document.querySelector('#status');
    const count = () => ${base === undefined}
      ? document.querySelectorAll('li.photo[data-state="done"]').length
      : Number(status.dataset.imagesEncoded) - ${base ?? 0};
    const observer = new MutationObserver(() => {
      const n = count();
      while (w.doneAt.length < n) w.doneAt.push(performance.now());
      if (n >= ${count}) observer.disconnect();
    });
    observer.observe(document.body, { subtree: true, childList: true, attributes: true,
      attributeFilter: ['data-state', 'data-images-encoded'] });
    w.addedAt = performance.now();
    // When the files reach the page (its input's change event): what a drop starts. The time
    // before it is Playwright's (setInputFiles' round trips), not the app's.
    w.changedAt = undefined;
    const input = document.querySelector('#file-input');
    // The event's own time: when it was made, before the app's handler ran.
    input.addEventListener('change', (e) => { w.changedAt = e.timeStamp; }, { once: true });
  })()`);
  // /proc's CPU from the files' addition to the last photo shown (not the trace's own stop).
  let procBefore = procSnapshot();
  let procAfter = procBefore;
  const batch = await traced(page, undefined, async () => {
    procBefore = procSnapshot();
    await page.setInputFiles('#file-input', photos);
    if (base === undefined) {
      await page
        .locator('li.photo[data-state="done"]')
        .nth(count - 1)
        .waitFor({ timeout: 900_000 });
    } else {
      const all = `#status[data-images-encoded="${base + count}"]`;
      await page.locator(all).waitFor({ state: 'attached', timeout: 900_000 });
    }
    procAfter = procSnapshot();
  });
  const { addedAt, changedAt, doneAt } = (await page.evaluate(
    '({ addedAt, changedAt, doneAt })',
  )) as { addedAt: number; changedAt: number | undefined; doneAt: number[] };
  if (typeof changedAt !== 'number') throw new Error('the file input sent no change event');
  const first = doneAt[0] ?? Number.NaN;
  const last = doneAt[count - 1] ?? Number.NaN;
  const perPhoto = (last - changedAt) / count;
  const marginal = (last - first) / (count - 1);
  console.log(
    `app: ${ms(perPhoto)}/photo over the batch (first shown after ${ms(first - changedAt)}), marginal ${ms(marginal)}/photo`,
  );
  console.log(
    `app ÷ bare: ${(bareMs / perPhoto).toFixed(2)}x over the batch, ${(bareMs / marginal).toFixed(2)}x marginal (load ${loadavg()[0]?.toFixed(2)})`,
  );
  // Before session 14 the batch was timed from the call to setInputFiles.
  const fromCall = (last - addedAt) / count;
  console.log(
    `  the files reached the page ${ms(changedAt - addedAt)} after setInputFiles was called; timed from the call: ${ms(fromCall)}/photo, ${(bareMs / fromCall).toFixed(2)}x`,
  );
  const beside = await page.locator('#status').getAttribute('data-images-encoded-beside');
  console.log(`images embedded on the prepare worker's copy of the vision tower: ${beside}`);
  for (const line of describeCpu(batch.cpu, count)) console.log(line);
  for (const line of describeProcCpu(procBefore, procAfter, count)) console.log(line);
  if (values['keep-trace'] !== undefined) {
    copyFileSync(batch.path, values['keep-trace']);
    for (const line of describeBrowserTasks(values['keep-trace'], count)) console.log(line);
  }

  // 3. Typed labels, after an idle pause.
  await page.locator('[data-progress="batch"][data-running="false"]').waitFor({ timeout: 60_000 });
  await page.waitForTimeout(Number(values['idle-ms']));
  for (const typed of ['a red bicycle', 'rooftop terrace']) {
    const before = await texts(page);
    const typing = Number(values['typing-ms']);
    const startedTyping = Date.now();
    if (typing > 0) await page.locator('#new-label').pressSequentially(typed, { delay: typing });
    else await page.locator('#new-label').fill(typed);
    const t = Date.now();
    await page.locator('#new-label').press('Enter');
    await page
      .locator(`#status[data-texts-encoded="${before + 1}"][data-labels-ready="true"]`)
      .waitFor({ timeout: 120_000 });
    // Rendered: the frame after the scores reached the page.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(undefined))));
    const took = Date.now() - t;
    const scored = await scoredPhotos(page, typed);
    console.log(
      `typed label "${typed}": ${ms(took)} from Add to scored over ${scored} of ${firstBatch.length + count} photos` +
        (typing > 0 ? ` (typed in ${ms(t - startedTyping)})` : ''),
    );
  }
  console.log(
    `(label vectors encoded at start-up: ${textsAtStart}; load ${loadavg()[0]?.toFixed(2)})`,
  );

  // 4. The bare loop again, the app's page closed, traced as the first: this shared machine's
  // speed drifts within a minute, so the app is also compared with the mean of the two loops.
  await page.close();
  const again = await openBenchPage();
  const afterMs =
    ((await traced(again, 'bench:bare', () => bareRun(again))).result.seconds * 1000) / count;
  await again.close();
  const meanMs = (bareMs + afterMs) / 2;
  console.log(
    `bare session.run again, after the app: ${ms(afterMs)}/image; app ÷ mean bare (${ms(meanMs)}): ` +
      `${(meanMs / perPhoto).toFixed(2)}x over the batch, ${(meanMs / marginal).toFixed(2)}x marginal`,
  );
} finally {
  await browser.close();
  await benchServer.close();
  await new Promise<void>((r) => app.httpServer.close(() => r()));
  rmSync(folder, { recursive: true, force: true });
}

type Bare = { bare(m: string, b: number, r: number, t?: number): Promise<{ seconds: number }> };

/** A page of the bench server, its worker's `bench` API loaded. */
async function openBenchPage(): Promise<Page> {
  const bench = await browser.newPage();
  await bench.goto(benchServer.resolvedUrls?.local[0] ?? '');
  await bench.waitForFunction(() => 'bench' in globalThis);
  return bench;
}

/** The bare loop: one image per run, as many runs as photos (on `threads`: the runtime's own). */
function bareRun(bench: Page, threads?: number): Promise<{ seconds: number }> {
  return bench.evaluate(
    ([m, r, t]) => (globalThis as unknown as { bench: Bare }).bench.bare(m, 1, r, t),
    [modelId, count, threads] as const,
  );
}

/** Runs `work` under a Chromium trace: the CPU by thread of what ran (within `window`). */
async function traced<T>(
  page: Page,
  window: string | undefined,
  work: () => Promise<T>,
): Promise<{ result: T; cpu: ThreadCpu[]; path: string }> {
  const path = join(folder, `trace-${Date.now()}.json`);
  const more = (values['trace-categories'] ?? '').split(',').filter(Boolean);
  const categories = ['toplevel', 'blink.user_timing', '__metadata', ...more];
  await browser.startTracing(page, { path, categories });
  const result = await work();
  await browser.stopTracing();
  return { result, cpu: cpuByThread(path, window), path };
}

async function texts(page: Page): Promise<number> {
  return Number(await page.locator('#status').getAttribute('data-texts-encoded'));
}

/** Images the worker has encoded so far, as the status line says. */
async function encodedNow(page: Page): Promise<number> {
  const value = await page.locator('#status').getAttribute('data-images-encoded');
  return Number(value);
}

/** Photos for which the page holds a score of the label (the app's own state). */
async function scoredPhotos(page: Page, name: string): Promise<number> {
  return page.evaluate((label) => {
    type View = object;
    type Handle = {
      mumic: {
        app: {
          labelSet: { labels: { id: string; name: string }[] };
          library: { photos: View[]; scoreOf(v: View, id: string): number | undefined };
        };
      };
    };
    const { app } = (globalThis as unknown as Handle).mumic;
    const id = app.labelSet.labels.find((l) => l.name === label)?.id ?? '';
    return app.library.photos.filter((p) => app.library.scoreOf(p, id) !== undefined).length;
  }, name);
}
