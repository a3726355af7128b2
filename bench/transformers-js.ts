// mumic against transformers.js's zero-shot-image-classification pipeline, in Node, on the same
// model (the bench's ViT-B/32-sized random CLIP, q8; for transformers.js its two towers joined
// into one model_quantized.onnx by bench/make-combined-clip.py), the same 12 MP photos and the
// same 120 default labels under "a photo of a {}.". transformers.js is installed for this
// benchmark only, outside the project (it is not a dependency):
//   mkdir -p /tmp/mumic-tjs && cd /tmp/mumic-tjs && npm init -y && npm install @huggingface/transformers
//   npx tsx bench/transformers-js.ts [--tjs /tmp/mumic-tjs] [--images 8]
// transformers.js is called once per photo with the labels, as its documentation shows (it then
// encodes the labels with every photo); mumic runs as `mumic classify` does: label vectors once
// (from the model folder's precomputed file when present), then the photos.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { folderLabelMatrix } from '../src/cli/label-vectors.ts';
import { embedFiles, loadModel } from '../src/cli/load-model.ts';
import { endPreparePool, preparePool } from '../src/cli/prepare-thread.ts';
import { DEFAULT_LABELS } from '../src/core/labels/index.ts';
import { DEFAULT_TEMPLATES } from '../src/core/prompts.ts';
import { cosineMatrix, scoreCosines } from '../src/core/score.ts';
import { BENCH_MODEL } from './ensure-model.ts';
import { photos12mp } from './photos-12mp.ts';
import {
  TJS_LABELS,
  TJS_TEMPLATE,
  ensureCombinedModel,
  tjsPackage,
} from './transformers-js-model.ts';
import { withCliMalloc } from './cli-malloc.ts';

await withCliMalloc();
const { values } = parseArgs({
  options: {
    tjs: { type: 'string', default: '/tmp/mumic-tjs' },
    images: { type: 'string', default: '8' },
  },
});
const count = Number(values.images);
await ensureCombinedModel();
const all = await photos12mp();
const photos = Array.from({ length: count }, (_, i) => all[i % all.length] as string);
const labels = TJS_LABELS;
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1] ?? NaN;

// --- transformers.js
type Classifier = (
  image: string,
  labels: string[],
  options: { hypothesis_template: string },
) => Promise<{ label: string; score: number }[]>;
const { dir: tjsDir, version: tjsVersion } = tjsPackage(values.tjs);
const tjsEntry = join(tjsDir, 'dist', 'transformers.node.mjs');
const tjs = (await import(pathToFileURL(tjsEntry).href)) as {
  env: { localModelPath: string; allowRemoteModels: boolean; allowLocalModels: boolean };
  pipeline: (task: string, model: string, options: object) => Promise<Classifier>;
};
tjs.env.localModelPath = join(BENCH_MODEL, '..');
tjs.env.allowRemoteModels = false;
tjs.env.allowLocalModels = true;
const classifier = await tjs.pipeline(
  'zero-shot-image-classification',
  'clip-b32-random-combined',
  {
    dtype: 'q8',
    device: 'cpu',
  },
);
const template = { hypothesis_template: TJS_TEMPLATE };
await classifier(photos[0] as string, labels, template); // warm-up
const tjsMs: number[] = [];
const tjsStart = performance.now();
for (const photo of photos) {
  const t = performance.now();
  await classifier(photo, labels, template);
  tjsMs.push(performance.now() - t);
}
const tjsPerPhoto = (performance.now() - tjsStart) / photos.length;

// --- mumic, as `mumic classify` runs (model load not timed, as for transformers.js)
const model = await loadModel(BENCH_MODEL, 'q8');
await model.encoder.session('vision');
// The prepare threads' start-up is left out too, as in bench/node-pipeline.ts (a timer holds the
// process open while they boot).
const keep = setTimeout(() => undefined, 30_000);
await preparePool().whenReady;
clearTimeout(keep);
// One photo first, as transformers.js had its warm-up call: the session's first run allocates.
for await (const outcomes of embedFiles(model, photos.slice(0, 1))) void outcomes;
const ids = DEFAULT_LABELS.map((l) => l.id);
const start = performance.now();
const { matrix, encoded } = await folderLabelMatrix(
  model,
  'clip-b32-random',
  DEFAULT_LABELS,
  DEFAULT_TEMPLATES,
);
let done = 0;
for await (const outcomes of embedFiles(model, photos)) {
  for (const o of outcomes) {
    if ('error' in o) throw new Error(o.error.message);
    scoreCosines(cosineMatrix(o.embedding, matrix, model.info.projectionDim), ids);
    done++;
  }
}
const mumicPerPhoto = (performance.now() - start) / done;
await model.encoder.release();
await endPreparePool();

console.log(`${photos.length} photos of 12 MP, 120 labels, q8, Node ${process.version}`);
console.log(
  `transformers.js ${tjsVersion} zero-shot pipeline: ${tjsPerPhoto.toFixed(0)} ms/photo (median call ${median(tjsMs).toFixed(0)} ms)`,
);
console.log(
  `mumic (labels ${encoded === 0 ? 'from the precomputed file' : `encoded: ${encoded}`}): ${mumicPerPhoto.toFixed(0)} ms/photo`,
);
console.log(`mumic is ${(tjsPerPhoto / mumicPerPhoto).toFixed(1)}x faster (target >= 5x)`);
