// CPU cost of the preparation stage alone (decode, then preprocess), per image, in this thread.
// process.cpuUsage counts every thread of the process (libvips' too), so this is the CPU the
// stage takes away from onnxruntime, which wall-clock throughput on a shared machine hides.
//   npx tsx bench/prepare-cost.ts [--rounds N] [--model DIR]
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeImage } from '../src/cli/decode-node.ts';
import { preprocess, preprocessOutputSize } from '../src/core/preprocess.ts';
import { parseImageProcessorConfig } from '../src/core/preprocess-config.ts';
import type { DecodedImage } from '../src/core/types.ts';
import { BENCH_MODEL } from './ensure-model.ts';
import { FIXTURE_IMAGES, benchImages } from './bench-images.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '20' },
    model: { type: 'string', default: BENCH_MODEL },
  },
});
const rounds = Number(values.rounds);
const config = parseImageProcessorConfig(
  JSON.parse(await readFile(join(values.model, 'preprocessor_config.json'), 'utf8')) as unknown,
);
const files = benchImages(7);
const bytes = await Promise.all(files.map(async (f) => new Uint8Array(await readFile(f))));

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};

// Warm-up: JIT the resample loops and let sharp load its codecs before anything is counted.
const decoded: DecodedImage[] = [];
for (const b of bytes) decoded.push(await decodeImage(b));
for (const img of decoded) preprocess(img, config);

const decodeMs = new Float64Array(files.length);
const prepMs = new Float64Array(files.length);
for (let r = 0; r < rounds; r++) {
  for (const [i, b] of bytes.entries()) {
    let t = process.cpuUsage();
    const img = await decodeImage(b);
    decodeMs[i] = (decodeMs[i] ?? 0) + cpuMs(t);
    const os = preprocessOutputSize(img.width, img.height, config);
    const out = new Float32Array(3 * os.width * os.height);
    t = process.cpuUsage();
    preprocess(img, config, out);
    prepMs[i] = (prepMs[i] ?? 0) + cpuMs(t);
  }
}

console.log(`CPU ms per image, mean of ${rounds} rounds (${FIXTURE_IMAGES})`);
console.log('image                     decode  preprocess');
let d = 0;
let p = 0;
for (const [i, f] of files.entries()) {
  const di = (decodeMs[i] ?? 0) / rounds;
  const pi = (prepMs[i] ?? 0) / rounds;
  d += di;
  p += pi;
  console.log(
    `${basename(f).padEnd(24)} ${di.toFixed(2).padStart(7)} ${pi.toFixed(2).padStart(11)}`,
  );
}
const n = files.length;
console.log(
  `${'mean'.padEnd(24)} ${(d / n).toFixed(2).padStart(7)} ${(p / n).toFixed(2).padStart(11)}`,
);
