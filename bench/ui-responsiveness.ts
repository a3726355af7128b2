// Is the page responsive while it tags photos? Serves the built app (vite preview), opens it in
// Debian's Chromium, adds N photos through the file input and records, from the moment they are
// added until the last one is scored: every main-thread long task (PerformanceObserver
// 'longtask': tasks over 50 ms, wall-clock), the longest gap between animation frames, and a
// Chromium trace of the page's main thread, whose tasks carry both wall-clock and CPU time: a
// long task whose CPU time is short is the thread waiting for a core (the machine is busy), not
// the page's own work. Prints the longest long task, its CPU-time counterpart and photos/s.
//
//   npx vite build && npx tsx bench/ui-responsiveness.ts [--photos 100] [--backend wasm]
//     [--dtype q8] [--model clip-tiny] [--port 4188]
//
// The photos are the clip-tiny fixture's images, each made distinct by a few trailing bytes
// (decoders ignore them; the content hash differs), so every one goes through the image encoder.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from '../playwright.config.ts';
import { FIXTURE_DIR } from '../tests/fixture.ts';

const REPO = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    photos: { type: 'string', default: '100' },
    backend: { type: 'string', default: 'wasm' },
    dtype: { type: 'string', default: 'q8' },
    model: { type: 'string', default: 'clip-tiny' },
    port: { type: 'string', default: '4188' },
  },
});
const count = Number(values.photos);
const port = Number(values.port);

/**
 * Writes the photos to a temporary folder: files given by path reach the input without page
 * script (buffers would be rebuilt into Files by script in the page, a long task of its own).
 */
function makePhotos(n: number, into: string): string[] {
  const dir = join(FIXTURE_DIR, 'images');
  const sources = readdirSync(dir)
    .sort()
    .map((name) => ({ name, bytes: readFileSync(join(dir, name)) }));
  return Array.from({ length: n }, (_, i) => {
    const src = sources[i % sources.length];
    if (!src) throw new Error('no fixture images');
    const ext = extname(src.name);
    // Trailing bytes after the end of the image: decoded the same, hashed differently.
    const tail = Buffer.from(`\n#${i}`);
    const path = join(
      into,
      `${src.name.slice(0, -ext.length)}-${String(i).padStart(3, '0')}${ext}`,
    );
    writeFileSync(path, Buffer.concat([src.bytes, tail]));
    return path;
  });
}

async function startPreview(): Promise<ChildProcess> {
  if (!existsSync(join(REPO, 'dist', 'index.html'))) {
    throw new Error('No build: run `npx vite build` first.');
  }
  // Vite's own entry (not npx), so that killing this child stops the server.
  const vite = join(REPO, 'node_modules', 'vite', 'bin', 'vite.js');
  const child = spawn(
    process.execPath,
    [vite, 'preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'],
    { cwd: REPO, stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url)).ok) return child;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill();
  throw new Error(`vite preview did not start on ${url}`);
}

const server = await startPreview();
const folder = mkdtempSync(join(tmpdir(), 'mumic-ui-bench-'));
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(
    `http://127.0.0.1:${port}/?model=${values.model}&backend=${values.backend}&dtype=${values.dtype}`,
  );
  await page.evaluate(
    () => (globalThis as unknown as { mumic: { done: Promise<void> } }).mumic.done,
  );
  await page.locator('#status[data-labels-ready="true"]').waitFor();
  const status = await page.locator('#status').evaluate((e) => ({ ...(e as HTMLElement).dataset }));

  // Observers from here on: start-up (model compile, label encoding) is not the batch.
  // A string, not a function: tsx would wrap named inner functions in a helper the page lacks.
  await page.evaluate(`(() => {
    const w = globalThis;
    w.longTasks = [];
    w.frameGap = 0;
    w.stopFrames = false;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longTasks.push(e.duration);
    }).observe({ type: 'longtask' });
    let last = performance.now();
    const frame = (t) => {
      w.frameGap = Math.max(w.frameGap, t - last);
      last = t;
      if (!w.stopFrames) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  })()`);

  const photos = makePhotos(count, folder);
  const tracePath = join(folder, 'trace.json');
  await browser.startTracing(page, { path: tracePath, categories: ['toplevel'] });
  const loadBefore = loadavg()[0] ?? 0;
  const started = Date.now();
  await page.setInputFiles('#file-input', photos);
  await page
    .locator('li.photo:is([data-state="done"], [data-state="error"])')
    .nth(count - 1)
    .waitFor({ timeout: 600_000 });
  await page.locator('[data-progress="batch"][data-running="false"]').waitFor({ timeout: 60_000 });
  const wallSeconds = (Date.now() - started) / 1000;
  const loadAfter = loadavg()[0] ?? 0;
  await browser.stopTracing();
  const main = mainThreadTasks(tracePath);
  const result = await page.evaluate(() => {
    const w = globalThis as unknown as {
      longTasks: number[];
      frameGap: number;
      stopFrames: boolean;
    };
    w.stopFrames = true;
    const row = document.querySelector<HTMLElement>('[data-progress="batch"]');
    return {
      longTasks: w.longTasks,
      frameGap: w.frameGap,
      failed: document.querySelectorAll('li.photo[data-state="error"]').length,
      label: row?.querySelector('label')?.textContent?.trim() ?? '',
    };
  });
  const maxLong = result.longTasks.length ? Math.max(...result.longTasks) : 0;
  const summary = {
    model: status['model'],
    backend: status['backend'],
    dtype: status['dtype'],
    photos: count,
    failed: result.failed,
    seconds: Number(wallSeconds.toFixed(2)),
    photosPerSecond: Number((count / wallSeconds).toFixed(2)),
    longTasks: result.longTasks.length,
    maxLongTaskMs: Number(maxLong.toFixed(1)),
    maxFrameGapMs: Number(result.frameGap.toFixed(1)),
    mainThreadTasks: main.count,
    maxTaskWallMs: Number(main.maxWall.toFixed(1)),
    maxTaskCpuMs: Number(main.maxCpu.toFixed(1)),
    tasksOver50msCpu: main.over50Cpu,
    loadAverage: `${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after (${navigatorCores()} cores)`,
    appProgress: result.label,
  };
  console.log(JSON.stringify(summary, null, 2));
  console.log(
    `max long task ${summary.maxLongTaskMs} ms wall-clock (${summary.longTasks} over 50 ms); ` +
      `longest main-thread task ${summary.maxTaskCpuMs} ms of CPU (${summary.tasksOver50msCpu} over 50 ms); ` +
      `${summary.photosPerSecond} photos/s`,
  );
} finally {
  await browser.close();
  server.kill();
  rmSync(folder, { recursive: true, force: true });
}

/** The renderer main thread's top-level tasks in a Chromium trace: wall-clock and CPU time. */
function mainThreadTasks(path: string) {
  interface TraceEvent {
    name: string;
    ph: string;
    pid: number;
    tid: number;
    dur?: number;
    tdur?: number;
    args?: { name?: string };
  }
  const raw = JSON.parse(readFileSync(path, 'utf8')) as
    { traceEvents: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(raw) ? raw : raw.traceEvents;
  const mains = new Set(
    events
      .filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const tasks = events.filter(
    (e) => e.ph === 'X' && /RunTask/.test(e.name) && mains.has(`${e.pid}:${e.tid}`),
  );
  const ms = (us: number | undefined) => (us ?? 0) / 1000;
  return {
    count: tasks.length,
    maxWall: Math.max(0, ...tasks.map((t) => ms(t.dur))),
    maxCpu: Math.max(0, ...tasks.map((t) => ms(t.tdur))),
    over50Cpu: tasks.filter((t) => ms(t.tdur) > 50).length,
  };
}

function navigatorCores(): number {
  return availableParallelism();
}
