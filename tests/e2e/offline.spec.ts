// Issue 5 in a real browser (Debian's Chromium, the built app behind `vite preview`): one online
// visit, then the network off: the app reloads from its service worker, loads the model from
// the model cache and classifies the fixture photos. Every request of the session (page,
// workers, service worker) must stay on the app's origin, with no CSP violation. Then: damaged
// model files fail by name, and a full storage says so and what to free.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { FIXTURE_DIR, cosine, reference } from '../fixture.ts';
import { counters, waitForPhotos } from './app-helpers.ts';

const IMAGES = join(FIXTURE_DIR, 'images');
const names = readdirSync(IMAGES).sort();
const paths = names.map((n) => join(IMAGES, n));
const APP = '/?model=clip-tiny&backend=wasm&dtype=q8';
const VISION_Q8 = 'onnx/vision_model_quantized.onnx';
const JPEG_WASM = /\/assets\/libjpegturbowasm_decode-[\w-]+\.wasm$/;
const WEBP_WASM = /\/assets\/webp_enc_simd-[\w-]+\.wasm$/;

interface Recorded {
  url: string;
  method: string;
  from: string;
}

/** Records every request of the context, and every CSP violation and page error. */
function record(context: BrowserContext) {
  const requests: Recorded[] = [];
  const violations: string[] = [];
  context.on('request', (r) => {
    const from = r.serviceWorker()
      ? 'service worker'
      : r.isNavigationRequest()
        ? 'navigation'
        : 'page or worker';
    requests.push({ url: r.url(), method: r.method(), from });
  });
  context.on('console', (m) => {
    if (/Content.Security.Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  context.on('weberror', (e) => violations.push(`page error: ${String(e.error())}`));
  const failed: string[] = [];
  context.on('requestfailed', (r) => failed.push(r.url()));
  return { requests, violations, failed };
}

/** Waits for the end of start-up (model, labels, stored photos), as tests/e2e/app-helpers does. */
async function started(page: Page): Promise<void> {
  await page.evaluate(
    () => (globalThis as unknown as { mumic: { done: Promise<void> } }).mumic.done,
  );
  await expect(page.locator('#status')).toHaveAttribute('data-labels-ready', 'true');
}

/** The model load's failure as the worker reported it ({name, message}), or null if it loaded. */
function loadFailure(page: Page) {
  return page.evaluate(async () => {
    const { ready } = (globalThis as unknown as { mumic: { ready: Promise<unknown> } }).mumic;
    try {
      await ready;
      return null;
    } catch (error) {
      const e = error as { name?: unknown; message?: unknown };
      return { name: String(e.name), message: String(e.message) };
    }
  });
}

async function cachedModelFiles(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const cache = await caches.open('mumic-models');
    return (await cache.keys()).map((r) => new URL(r.url).pathname).sort();
  });
}

/** Fetches a path no cache holds: 'answered' (even a 404) online, 'failed' offline. */
const probeNetwork = (page: Page): Promise<string> =>
  page.evaluate(() =>
    fetch(`/offline-probe-${Date.now()}`, { cache: 'no-store' }).then(
      () => 'answered',
      () => 'failed',
    ),
  );

test('after one online visit the app reloads and classifies offline; nothing leaves the origin', async ({
  context,
  page,
  baseURL,
}) => {
  const origin = new URL(String(baseURL)).origin;
  const { requests, violations, failed } = record(context);

  // Online: the first visit. The page is not controlled yet; the service worker installs
  // (precaching the shell and the runtime), takes control, and the worker stores model files.
  const first = await page.goto(APP);
  const headers = first?.headers() ?? {};
  expect(headers['content-security-policy']).toContain("default-src 'self'");
  expect(headers['content-security-policy']).toContain("'wasm-unsafe-eval'");
  expect(await page.locator('meta[http-equiv="Content-Security-Policy"]').count()).toBe(1);
  await started(page);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await page.waitForFunction(
    () => navigator.serviceWorker.controller?.state === 'activated',
    null,
    {
      timeout: 60_000,
    },
  );
  const precache = await page.evaluate(async () => {
    const names = await caches.keys();
    const name = names.find((n) => n.startsWith('workbox-precache'));
    const keys = name ? await (await caches.open(name)).keys() : [];
    return keys.map((r) => new URL(r.url).pathname);
  });
  for (const path of [
    '/index.html',
    // The WebGPU build's runtime, and the WASM-only one (src/runtime/web.ts).
    '/ort/ort-wasm-simd-threaded.asyncify.wasm',
    '/ort/ort-wasm-simd-threaded.asyncify.mjs',
    '/ort/ort-wasm-simd-threaded.wasm',
    '/ort/ort-wasm-simd-threaded.mjs',
    '/manifest.webmanifest',
  ]) {
    expect(precache, `precached ${path}`).toContain(path);
  }
  // The JPEG decoder's WebAssembly (src/worker/jpeg-wasm.ts), named by its content hash.
  expect(precache.filter((p) => JPEG_WASM.test(p))).toHaveLength(1);
  // And the thumbnails' WebP encoder's (src/worker/webp-wasm.ts).
  expect(precache.filter((p) => WEBP_WASM.test(p))).toHaveLength(1);
  expect(
    precache.some((p) => p.startsWith('/models/')),
    'models are not precached',
  ).toBe(false);
  const stored = await cachedModelFiles(page);
  for (const file of ['config.json', 'tokenizer.json', VISION_Q8, 'label-embeddings.q8.json']) {
    expect(stored, `stored ${file}`).toContain(`/models/clip-tiny/${file}`);
  }
  // Installable: the manifest is linked and names its icons.
  const manifest = (await page.evaluate(async () => {
    const link = document.querySelector<HTMLLinkElement>('link[rel="manifest"]');
    return link ? ((await (await fetch(link.href)).json()) as unknown) : null;
  })) as { name?: string; icons?: { src: string; sizes: string }[]; display?: string } | null;
  expect(manifest?.display).toBe('standalone');
  expect(manifest?.icons?.map((i) => i.sizes)).toEqual(
    expect.arrayContaining(['192x192', '512x512']),
  );

  expect(await probeNetwork(page), 'a fetch past the caches, online').toBe('answered');

  // Offline: reload. The shell comes from the precache, the model from the model cache.
  await context.setOffline(true);
  const offlineFrom = requests.length;
  await page.reload();
  const state = await page.evaluate(() => ({
    controlled: navigator.serviceWorker.controller !== null,
    isolated: crossOriginIsolated,
  }));
  expect(state).toEqual({ controlled: true, isolated: true });
  // The network is off (not navigator.onLine: Chromium 150 under Playwright's emulation reads
  // true after the reload): a path nothing caches cannot be fetched. Online, the server answers.
  expect(await probeNetwork(page), 'a fetch past the caches, offline').toBe('failed');
  await started(page);
  const status = page.locator('#status');
  await expect(status).toHaveAttribute('data-backend', 'wasm');
  await expect(status).toHaveAttribute('data-dtype', 'q8');

  // Threads run: the app's worker is isolated, and the cores beyond its own are used, by
  // onnxruntime's thread workers and the prepare pool (on 2 cores the default is one model
  // thread beside one prepare worker: src/worker/prepare-thread.ts).
  const appWorker = page.workers().find((w) => w.url().includes('/assets/worker'));
  expect(appWorker, 'the app worker').toBeDefined();
  expect(await appWorker?.evaluate(() => crossOriginIsolated)).toBe(true);
  const workers = () => page.workers().map((w) => w.url());
  const threads = workers().filter((u) => u.includes('/ort/')).length;
  const preparing = () => workers().filter((u) => u.includes('prepare-worker')).length;
  await expect.poll(preparing).toBeGreaterThan(0);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  console.log(
    `offline: ${threads} onnxruntime thread worker(s), ${preparing()} prepare worker(s) on ${cores} cores`,
  );
  if (cores > 2) expect(threads).toBeGreaterThan(0);

  // Classify the fixture photos through the file input, with the network off.
  await page.setInputFiles('#file-input', paths);
  await waitForPhotos(page, names.length);
  await expect(page.locator('li.photo[data-state="error"]')).toHaveCount(0);
  expect((await counters(page)).images).toBe(names.length);
  await expect(page.locator('li.photo .chip[data-score]').first()).toBeVisible();
  // The JPEGs were decoded by the WASM decoder, whose file came from the precache.
  const decoderLoads = requests.slice(offlineFrom).filter((r) => JPEG_WASM.test(r.url));
  expect(decoderLoads.length, 'the JPEG decoder was loaded offline').toBeGreaterThan(0);
  expect(failed.filter((url) => JPEG_WASM.test(url))).toEqual([]);
  const encoderLoads = requests.slice(offlineFrom).filter((r) => WEBP_WASM.test(r.url));
  expect(encoderLoads.length, 'the WebP encoder was loaded offline').toBeGreaterThan(0);
  expect(failed.filter((url) => WEBP_WASM.test(url))).toEqual([]);
  // Thumbnails are blob: URLs; the CSP allows them and they decode. Tiles decode asynchronously
  // (`decoding="async"`), so the last one may still be loading when the scores are shown: poll.
  const thumbs = () =>
    page.locator('li.photo img').evaluateAll((imgs) =>
      (imgs as HTMLImageElement[]).map((i) => ({
        blob: i.src.startsWith('blob:'),
        w: i.complete ? i.naturalWidth : -1,
      })),
    );
  // The thumbnails are WebP files (RIFF....WEBP): the WASM encoder's, or the canvas's until it
  // has started (its wasm was fetched offline above).
  const kinds = await page.evaluate(async () => {
    type Handle = {
      mumic: {
        app: { library: { photos: { id?: string }[] } };
        bridge: { photoThumbnails(ids: string[]): Promise<(Blob | undefined)[]> };
      };
    };
    const { app, bridge } = (globalThis as unknown as Handle).mumic;
    const ids = app.library.photos.map((p) => p.id ?? '');
    const blobs = await bridge.photoThumbnails(ids);
    const magic = async (b: Blob | undefined) =>
      b ? new TextDecoder().decode((await b.arrayBuffer()).slice(8, 12)) : 'none';
    return Promise.all(blobs.map(magic));
  });
  expect(new Set(kinds)).toEqual(new Set(['WEBP']));
  expect((await thumbs()).length).toBe(names.length);
  await expect
    .poll(async () => {
      const all = await thumbs();
      return all.every((t) => t.blob && t.w > 0) ? 'decoded' : JSON.stringify(all);
    })
    .toBe('decoded');

  // And the embeddings are right: the worker pipeline against the PyTorch reference (q8).
  const files = names.map((name) => ({
    name,
    b64: readFileSync(join(IMAGES, name)).toString('base64'),
  }));
  const embeddings = await page.evaluate(async (files) => {
    type Bridge = {
      embedImages(
        b: Blob[],
      ): Promise<({ embedding: Float32Array } | { error: { name: string } })[]>;
    };
    const { bridge } = (globalThis as unknown as { mumic: { bridge: Bridge } }).mumic;
    const blobs = files.map(
      (f) => new Blob([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))]),
    );
    return (await bridge.embedImages(blobs)).map((o) =>
      'embedding' in o ? Array.from(o.embedding) : o.error.name,
    );
  }, files);
  names.forEach((name, i) => {
    const got = embeddings[i];
    expect(Array.isArray(got), `${name}: ${String(got)}`).toBe(true);
    const c = cosine(got as number[], reference.images[name]?.image_embeds ?? []);
    expect(c, name).toBeGreaterThanOrEqual(0.999);
  });

  // Offline, model paths never fall back to the app page: not stored means missing or failed.
  const probes = await page.evaluate(async () => {
    const probe = async (url: string, method = 'GET') => {
      try {
        const res = await fetch(url, { method });
        return `${res.status} ${res.headers.get('Content-Type') ?? ''}`.trim();
      } catch {
        return 'network error';
      }
    };
    return {
      missing: await probe('/models/clip-tiny/onnx/vision_model_fp16.onnx'),
      missingHead: await probe('/models/clip-tiny/onnx/vision_model_fp16.onnx', 'HEAD'),
      ortHead: await probe('/ort/not-there.wasm', 'HEAD'),
      unknownPage: await probe('/somewhere/else'),
    };
  });
  expect(probes.missing).toBe('network error');
  expect(probes.missingHead).toBe('network error');
  expect(probes.ortHead).toBe('network error');
  expect(probes.unknownPage).toBe('network error'); // fetch() is not a navigation
  // Navigations: app routes get the precached page; models/ and ort/ never do.
  const spaPage = await context.newPage();
  const spa = await spaPage.goto('/some/route?x=1');
  expect(await spa?.text()).toContain('<div id="app">');
  await spaPage.close();
  for (const path of ['/models/clip-tiny/onnx/vision_model_fp16.onnx', '/ort/not-there.wasm']) {
    const nav = await context.newPage();
    const denied = await nav.goto(path).then(
      (res) => `loaded ${String(res?.status())}`,
      (e: Error) => e.message,
    );
    expect(denied, path).toContain('ERR_INTERNET_DISCONNECTED');
    await nav.close();
  }
  await context.setOffline(false);

  // The whole session: page, workers, service worker. Nothing but this origin.
  const foreign = requests.filter((r) => {
    const u = new URL(r.url);
    return u.protocol === 'blob:' ? !r.url.startsWith(`blob:${origin}/`) : u.origin !== origin;
  });
  const bySource = new Map<string, number>();
  for (const r of requests) bySource.set(r.from, (bySource.get(r.from) ?? 0) + 1);
  console.log(
    `requests recorded: ${requests.length} (${[...bySource].map(([k, v]) => `${v} ${k}`).join(', ')})`,
  );
  if (process.env['MUMIC_E2E_LOG_REQUESTS']) {
    for (const r of requests) console.log(`  ${r.from}: ${r.method} ${r.url}`);
  }
  expect(
    requests.some((r) => r.from === 'service worker'),
    'service worker requests seen',
  ).toBe(true);
  expect(foreign, 'requests to another origin').toEqual([]);
  expect(violations, 'CSP violations and page errors').toEqual([]);
});

test.describe('damaged model files fail by name', () => {
  // The first visit is never controlled by a service worker; keep it out of the way entirely.
  test.use({ serviceWorkers: 'block' });

  const original = readFileSync(join(process.cwd(), 'public', 'models', 'clip-tiny', VISION_Q8));
  const damages = [
    {
      what: 'a flipped byte (same size)',
      body: (() => {
        const b = Buffer.from(original);
        const at = b.length >> 1;
        b[at] = (b[at] ?? 0) ^ 0xff;
        return b;
      })(),
      expect: /SHA-256 [0-9a-f]{64} does not match/,
    },
    {
      what: 'a truncated file',
      body: original.subarray(0, original.length >> 1),
      expect: /truncated: \d+ bytes received, index.json lists \d+/,
    },
  ];

  for (const damage of damages) {
    test(`${damage.what}, checked against index.json: ModelFileInvalid, not stored`, async ({
      context,
      page,
    }) => {
      await context.route(`**/models/clip-tiny/${VISION_Q8}`, (route) =>
        route.fulfill({ status: 200, contentType: 'application/octet-stream', body: damage.body }),
      );
      await page.goto(APP);
      const failure = await loadFailure(page);
      expect(failure?.name).toBe('ModelFileInvalid');
      expect(failure?.message).toContain(VISION_Q8);
      expect(failure?.message).toMatch(damage.expect);
      await expect(page.locator('#status')).toHaveAttribute('data-error-name', 'ModelFileInvalid');
      await expect(page.locator('body')).toContainText('vision_model_quantized.onnx');
      expect(await cachedModelFiles(page)).not.toContain(`/models/clip-tiny/${VISION_Q8}`);
    });
  }

  test('a truncated file of an unlisted model: onnxruntime refuses it, by name, without hanging', async ({
    page,
  }) => {
    await page.goto('/?model=clip-tiny-broken&backend=wasm&dtype=q8');
    const failure = await loadFailure(page);
    expect(failure?.name).toMatch(/^(ModelLoadFailed|ModelFileInvalid)$/);
    expect(failure?.message).toContain(VISION_Q8);
    console.log(`clip-tiny-broken: ${failure?.name}: ${failure?.message}`);
  });
});

test.describe('a full storage', () => {
  test.use({ serviceWorkers: 'block' });

  test('StorageQuotaExceeded names the file and what to free', async ({
    context,
    page,
    baseURL,
  }) => {
    const origin = new URL(String(baseURL)).origin;
    const cdp = await context.newCDPSession(page);
    // Less than tokenizer.json (1.6 MB): the first large model file cannot be stored.
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 1_000_000 });
    await page.goto(APP);
    const failure = await loadFailure(page);
    expect(failure?.name).toBe('StorageQuotaExceeded');
    expect(failure?.message).toMatch(/could not store \S+ of model clip-tiny for offline use/);
    expect(failure?.message).toContain('Free space:');
    await expect(page.locator('#status')).toHaveAttribute(
      'data-error-name',
      'StorageQuotaExceeded',
    );
    console.log(`quota: ${failure?.message}`);
  });
});
