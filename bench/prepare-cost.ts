// CPU cost per photo of each preparation stage, in this thread: reading the file, decoding it
// (sharp) alone, PIL-exact preprocessing (WebAssembly SIMD passes, and the JS passes for
// comparison), SHA-256 of the bytes (what the app hashes), a 256 px JPEG thumbnail from the
// decoded pixels (sharp; the app makes its own in the browser), the whole preparation the CLI's
// prepare threads do (read + decode + preprocess), and the model's run (bare session.run, one
// image). process.cpuUsage counts every thread of the process (libvips' too), so this is the CPU
// the stage takes away from onnxruntime.
//   npx tsx bench/prepare-cost.ts [--photos 12mp|fixture] [--rounds N] [--model DIR]
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { decodeImage } from '../src/cli/decode-node.ts';
import { readImageFile } from '../src/cli/read-image.ts';
import { preprocess } from '../src/core/preprocess.ts';
import { parseImageProcessorConfig } from '../src/core/preprocess-config.ts';
import { resize } from '../src/core/resize.ts';
import { resizeKernels } from '../src/core/resize-wasm.ts';
import { onnxPath } from '../src/core/model-files.ts';
import { BENCH_MODEL } from './ensure-model.ts';
import { bareRuns } from './node-pipeline.ts';
import { benchImages } from './bench-images.ts';
import { photos12mp } from './photos-12mp.ts';
import { withCliMalloc } from './cli-malloc.ts';
import { median } from './median.ts';

const malloc = await withCliMalloc();
const { values } = parseArgs({
  options: {
    photos: { type: 'string', default: '12mp' },
    rounds: { type: 'string', default: '5' },
    model: { type: 'string', default: BENCH_MODEL },
  },
});
const rounds = Number(values.rounds);
const config = parseImageProcessorConfig(
  JSON.parse(await readFile(join(values.model, 'preprocessor_config.json'), 'utf8')) as unknown,
);
const files = values.photos === 'fixture' ? benchImages(7) : await photos12mp();

const cpu = async (f: () => unknown): Promise<number> => {
  const t = process.cpuUsage();
  await f();
  const u = process.cpuUsage(t);
  return (u.user + u.system) / 1000;
};

/** The JS passes, for comparison: preprocess with resize forced to its JS engine. */
function preprocessJs(img: Awaited<ReturnType<typeof decodeImage>>): void {
  const s = config.shortestEdge;
  const [w, h] =
    img.width <= img.height
      ? [s, Math.trunc((s * img.height) / img.width)]
      : [Math.trunc((s * img.width) / img.height), s];
  resize(img, w, h, { filter: config.resample, channels: Math.min(img.channels, 3), engine: 'js' });
}

const stages = [
  'read',
  'decode',
  'preprocess',
  'preprocess (JS)',
  'sha256',
  'thumbnail',
  'prepare',
] as const;
const thumbnail = (img: Awaited<ReturnType<typeof decodeImage>>): Promise<Buffer> =>
  sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } })
    .resize(256, 256, { fit: 'inside' })
    .jpeg({ quality: 80 })
    .toBuffer();
const times = new Map(files.map((f) => [f, new Map(stages.map((s) => [s, [] as number[]]))]));
for (const f of files) await readImageFile(f).then((img) => preprocess(img, config)); // warm-up
for (let r = 0; r < rounds; r++) {
  for (const f of files) {
    const t = times.get(f);
    let bytes = new Uint8Array();
    t?.get('read')?.push(await cpu(async () => (bytes = new Uint8Array(await readFile(f)))));
    let img = await decodeImage(bytes);
    t?.get('decode')?.push(await cpu(async () => (img = await decodeImage(bytes))));
    t?.get('preprocess')?.push(await cpu(() => preprocess(img, config)));
    if (r < 2) t?.get('preprocess (JS)')?.push(await cpu(() => preprocessJs(img)));
    t?.get('sha256')?.push(await cpu(() => createHash('sha256').update(bytes).digest()));
    t?.get('thumbnail')?.push(await cpu(() => thumbnail(img)));
    t?.get('prepare')?.push(await cpu(async () => preprocess(await readImageFile(f), config)));
  }
}

console.log(
  `CPU ms per photo, median of ${rounds} rounds (${files.length} photos, ${values.photos}); resize: ${resizeKernels() ? 'WebAssembly SIMD' : 'JS (no WebAssembly SIMD)'}; malloc: ${malloc}`,
);
console.log(`${'photo'.padEnd(26)}${stages.map((s) => s.padStart(16)).join('')}  prepare/decode`);
const sums = new Map(stages.map((s) => [s, 0]));
for (const f of files) {
  const row = stages.map((s) => median(times.get(f)?.get(s) ?? []));
  row.forEach((v, i) =>
    sums.set(
      stages[i] as (typeof stages)[number],
      (sums.get(stages[i] as (typeof stages)[number]) ?? 0) + v,
    ),
  );
  const ratio = (row[6] ?? NaN) / (row[1] ?? NaN);
  console.log(
    `${basename(f).padEnd(26)}${row.map((v) => v.toFixed(1).padStart(16)).join('')}  ${ratio.toFixed(2)}x`,
  );
}
const mean = stages.map((s) => (sums.get(s) ?? 0) / files.length);
console.log(
  `${'mean'.padEnd(26)}${mean.map((v) => v.toFixed(1).padStart(16)).join('')}  ${((mean[6] ?? NaN) / (mean[1] ?? NaN)).toFixed(2)}x`,
);
const model = await readFile(join(values.model, onnxPath('vision', 'q8')));
const run = await bareRuns(model, [config.cropHeight, config.cropWidth], 1, 16);
console.log(
  `model (q8, bare session.run, one image per run): ${(run.cpuMsPerImage ?? NaN).toFixed(1)} CPU ms, ${run.msPerImage.toFixed(1)} ms wall per image`,
);
