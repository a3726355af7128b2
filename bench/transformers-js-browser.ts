// mumic against transformers.js's zero-shot-image-classification pipeline in Debian's Chromium
// (WASM, cross-origin isolated, the same number of WASM threads), on the same model files (the
// bench model; for transformers.js the combined model_quantized.onnx), the same photos and the
// same 120 labels. One page: mumic's worker pipeline (as `npm run bench -- --only browser`), then
// transformers.js loaded from its own bundle (dist/transformers.js, onnxruntime-web included)
// with the model folder served locally, never fetched from the Hub. transformers.js is
// installed for this benchmark only, outside the project (not a dependency):
//   mkdir -p /tmp/mumic-tjs && cd /tmp/mumic-tjs && npm init -y && npm install @huggingface/transformers
//   npx tsx bench/transformers-js-browser.ts [--tjs /tmp/mumic-tjs] [--images 8] [--photos 12mp|2mp]
// transformers.js is called once per photo with the labels, as its documentation shows (it then
// encodes the 120 labels with every photo); mumic encodes the photos (scoring them against
// stored label vectors is a 120 × 512 product, well under a millisecond).
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { PHOTOS_2MP, photos2mp } from './browser-photos.ts';
import { openBenchPage } from './browser/open-bench-page.ts';
import { benchConfig, serveDir } from './browser/vite.config.ts';
import { BENCH_MODEL } from './ensure-model.ts';
import { PHOTOS_12MP, photos12mp } from './photos-12mp.ts';
import {
  COMBINED_MODEL,
  TJS_LABELS,
  TJS_TEMPLATE,
  ensureCombinedModel,
  tjsPackage,
} from './transformers-js-model.ts';

const { values } = parseArgs({
  options: {
    tjs: { type: 'string', default: '/tmp/mumic-tjs' },
    images: { type: 'string', default: '8' },
    photos: { type: 'string', default: '12mp' },
  },
});
const count = Number(values.images);
await ensureCombinedModel();
const small = values.photos === '2mp';
const all = small ? await photos2mp() : await photos12mp();
const photosDir = small ? PHOTOS_2MP : PHOTOS_12MP;
const images = Array.from({ length: count }, (_, i) => basename(all[i % all.length] as string));
const tjs = tjsPackage(values.tjs);

const config = benchConfig(dirname(BENCH_MODEL), photosDir);
config.plugins = [
  ...(config.plugins ?? []),
  serveDir('/tjs/', join(tjs.dir, 'dist')),
  // The onnxruntime-web build transformers.js was made with (its own dependency).
  serveDir('/tjs-ort/', join(tjs.dir, '..', '..', 'onnxruntime-web', 'dist')),
];
const { browser, page, close } = await openBenchPage(config);
try {
  type Bench = {
    pipeline(m: string, i: string[], w: null): Promise<{ images: number; seconds: number }>;
  };
  const mumic = await page.evaluate(
    ([m, i]) => (globalThis as unknown as { bench: Bench }).bench.pipeline(m, i, null),
    [basename(BENCH_MODEL), images] as const,
  );
  const mumicMs = (mumic.seconds * 1000) / mumic.images;

  // A string: tsx would wrap the page function's inner functions in a helper the page lacks.
  const run = `(async () => {
    const t = await import('/tjs/transformers.js');
    t.env.allowLocalModels = true;
    t.env.allowRemoteModels = false;
    // A path, not a URL: transformers.js 4.3 checks that a local file exists only for paths
    // (get_file_metadata skips http: URLs), so with a URL it finds no tokenizer files.
    t.env.localModelPath = '/models/';
    t.env.useBrowserCache = false;
    t.env.backends.onnx.wasm.wasmPaths = location.origin + '/tjs-ort/';
    // As many WASM threads as mumic's runtime takes (onnxruntime-web's own default is half).
    t.env.backends.onnx.wasm.numThreads = Math.min(navigator.hardwareConcurrency, 4);
    const classify = await t.pipeline('zero-shot-image-classification', ${JSON.stringify(basename(COMBINED_MODEL))}, { dtype: 'q8', device: 'wasm' });
    const labels = ${JSON.stringify(TJS_LABELS)};
    const options = { hypothesis_template: ${JSON.stringify(TJS_TEMPLATE)} };
    const images = ${JSON.stringify(images)}.map((n) => location.origin + '/images/' + n);
    await classify(images[0], labels, options); // warm-up
    const calls = [];
    const start = performance.now();
    for (const image of images) {
      const c = performance.now();
      const out = await classify(image, labels, options);
      if (out.length !== labels.length) throw new Error('transformers.js gave ' + out.length + ' scores');
      calls.push(performance.now() - c);
    }
    return { ms: (performance.now() - start) / images.length, calls, threads: t.env.backends.onnx.wasm.numThreads };
  })()`;
  const t = (await page.evaluate(run)) as { ms: number; calls: number[]; threads: number };
  const median = [...t.calls].sort((a, b) => a - b)[t.calls.length >> 1] ?? Number.NaN;
  console.log(
    `Chromium ${browser.version()}, ${images.length} photos of ${small ? '2' : '12'} MP, 120 labels, q8, WASM ${t.threads} threads`,
  );
  console.log(
    `transformers.js ${tjs.version} zero-shot pipeline: ${t.ms.toFixed(0)} ms/photo (median call ${median.toFixed(0)} ms)`,
  );
  console.log(`mumic (the app's worker pipeline): ${mumicMs.toFixed(0)} ms/photo`);
  console.log(`mumic is ${(t.ms / mumicMs).toFixed(1)}x faster (target >= 10x)`);
} finally {
  await close();
}
