// npm run bench: pipeline versus bare onnxruntime, in Node and in Chromium (WASM).
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { PHOTOS_2MP, photos2mp } from './browser-photos.ts';
import { ensureBenchModel } from './ensure-model.ts';
import { setPrepareWorkers } from '../src/cli/prepare-thread.ts';
import { benchNode } from './node-pipeline.ts';
import { PHOTOS_12MP, photos12mp } from './photos-12mp.ts';
import { withCliMalloc } from './cli-malloc.ts';

await withCliMalloc();
const { values } = parseArgs({
  options: {
    batch: { type: 'string', default: '8' },
    images: { type: 'string', default: '64' },
    only: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    // fixture: the 7 fixture photos (17–512 px) cycled; 12mp: 12 MP JPEGs made from them; 2mp
    // (browser only): those scaled to 2 MP.
    photos: { type: 'string', default: 'fixture' },
    // Browser pipeline runs: prepare pool sizes, "default" for the app's own choice.
    prepare: { type: 'string', default: 'default,0' },
    // Node pipeline: prepare threads (default: the CLI's default).
    'prepare-workers': { type: 'string' },
  },
});
const big = values.photos === '12mp';
const photos = big ? await photos12mp() : undefined;
const browserPhotos = big
  ? PHOTOS_12MP
  : values.photos === '2mp'
    ? await photos2mp().then(() => PHOTOS_2MP)
    : undefined;
const prepares = values.prepare.split(',').map((p) => (p === 'default' ? null : Number(p)));
if (values['prepare-workers']) setPrepareWorkers(Number(values['prepare-workers']));
const rounds = Math.max(1, Number(values.rounds));
const batch = Number(values.batch);
const count = Number(values.images);
const model = ensureBenchModel();
const fmt = (r: { imagesPerSecond: number; msPerImage: number; cpuMsPerImage?: number }) =>
  `${r.imagesPerSecond.toFixed(1)} images/s, ${r.msPerImage.toFixed(1)} ms/image` +
  (r.cpuMsPerImage === undefined ? '' : `, ${r.cpuMsPerImage.toFixed(0)} CPU ms/image`);

console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
);
console.log(
  `model: ${model} (ViT-B/32-sized, random weights), batch ${batch}, ${count} images (${values.photos})\n`,
);

if (values.only !== 'browser') {
  // Rounds of bare then pipeline: on a shared 2-core machine one pair swings by ±15%, so the
  // median ratio of several pairs is what to read.
  const ratios: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const r = await benchNode(model, 'q8', batch, count, photos);
    ratios.push(r.ratio);
    console.log(
      `Node (onnxruntime-node, q8, ${r.runSize} image(s) per session.run), round ${round} of ${rounds}:`,
    );
    console.log(`  bare session.run   ${fmt(r.bare)}`);
    if (r.runSize !== batch) console.log(`  (bare, ${batch} per run ${fmt(r.bareBatched)})`);
    console.log(`  CLI pipeline       ${fmt(r.pipeline)}`);
    console.log(`  (after 1st run     ${fmt(r.steady)})`);
    console.log(
      `  model busy ${(100 * r.modelBusy).toFixed(0)}% of the pipeline's wall time; CPU ms/image by thread: ${r.cpuByThread}`,
    );
    console.log(`  ratio              ${r.ratio.toFixed(2)}x\n`);
  }
  const sorted = [...ratios].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  console.log(
    `Node ratio, median of ${rounds}: ${median.toFixed(2)}x (all: ${ratios.map((x) => x.toFixed(2)).join(', ')}; target >= 0.9x)\n`,
  );
}
if (values.only !== 'node') {
  const { benchBrowser } = await import('./browser-pipeline.ts');
  const r = await benchBrowser(model, batch, count, browserPhotos, prepares);
  console.log(
    `Chromium ${r.browserVersion} (onnxruntime-web WASM, ${r.threads} threads, q8, ${r.runSize} image(s) per session.run):`,
  );
  console.log(`  bare session.run   ${fmt(r.bare)}`);
  if (r.runSize !== batch) console.log(`  (bare, ${batch} per run ${fmt(r.bareBatched)})`);
  console.log(`  worker pipeline    ${fmt(r.pipeline)}`);
  console.log(`  ratio              ${r.ratio.toFixed(2)}x (target >= 0.9x)`);
}
