// The fast decode (`--fast-decode`: JPEG decoded at a reduced DCT scale, then the exact resize)
// against the exact path on the 12 MP photos: CPU per photo of decode + preprocess, the
// preprocessed tensors' difference, and the embeddings' cosine on the bench model (q8, what the
// CLI runs, and fp32). For scale, the mean cosine between two different photos' exact embeddings.
//   npx tsx bench/fast-decode.ts [--rounds 3] [--model DIR]
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { fastDecodeSide } from '../src/cli/load-model.ts';
import { NodeModelSource } from '../src/cli/model-source-node.ts';
import { readImageFile } from '../src/cli/read-image.ts';
import { loadModelFolder } from '../src/core/model-folder.ts';
import { preprocess } from '../src/core/preprocess.ts';
import { createNodeEncoder } from '../src/runtime/node.ts';
import { BENCH_MODEL, ensureBenchModel } from './ensure-model.ts';
import { photos12mp } from './photos-12mp.ts';
import { withCliMalloc } from './cli-malloc.ts';
import { median } from './median.ts';

await withCliMalloc();
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    model: { type: 'string', default: BENCH_MODEL },
  },
});
if (values.model === BENCH_MODEL) ensureBenchModel();
const files = await photos12mp();
const source = new NodeModelSource(values.model);
const info = await loadModelFolder(source);
const processor = info.processor;
const reduceTo = fastDecodeSide(processor);

const cpuOf = async <T>(f: () => Promise<T> | T): Promise<[T, number]> => {
  const t = process.cpuUsage();
  const r = await f();
  const u = process.cpuUsage(t);
  return [r, (u.user + u.system) / 1000];
};
const cosine = (a: Float32Array, b: Float32Array): number => {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return ab / Math.sqrt(aa * bb);
};

/** Decode + preprocess CPU ms (median of rounds) and the tensor, exact or fast. */
async function prepared(
  file: string,
  fast: boolean,
): Promise<{ cpu: number; pixels: Float32Array }> {
  const options = fast ? { reduceTo } : {};
  await readImageFile(file, options); // warm-up
  const times: number[] = [];
  let pixels: Float32Array = new Float32Array();
  for (let r = 0; r < Number(values.rounds); r++) {
    const [out, ms] = await cpuOf(async () =>
      preprocess(await readImageFile(file, options), processor),
    );
    times.push(ms);
    pixels = out;
  }
  return { cpu: median(times), pixels };
}

const exact: Float32Array[] = [];
const fast: Float32Array[] = [];
console.log(`fast decode: JPEGs with a shorter side >= ${3 * reduceTo} px, brought to ${reduceTo}`);
console.log(
  'photo                       exact CPU ms  fast CPU ms  speed-up  tensor max|d|  mean|d|',
);
let sumExact = 0;
let sumFast = 0;
for (const f of files) {
  const e = await prepared(f, false);
  const q = await prepared(f, true);
  exact.push(e.pixels);
  fast.push(q.pixels);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < e.pixels.length; i++) {
    const d = Math.abs((e.pixels[i] ?? 0) - (q.pixels[i] ?? 0));
    max = Math.max(max, d);
    sum += d;
  }
  sumExact += e.cpu;
  sumFast += q.cpu;
  console.log(
    `${basename(f).padEnd(28)}${e.cpu.toFixed(1).padStart(12)}${q.cpu.toFixed(1).padStart(13)}${(e.cpu / q.cpu).toFixed(2).padStart(9)}x${max.toFixed(3).padStart(15)}${(sum / e.pixels.length).toFixed(4).padStart(9)}`,
  );
}
console.log(
  `mean: exact ${(sumExact / files.length).toFixed(1)} CPU ms, fast ${(sumFast / files.length).toFixed(1)} CPU ms per photo (decode + preprocess), ${(sumExact / sumFast).toFixed(2)}x`,
);

const size = 3 * processor.cropHeight * processor.cropWidth;
for (const dtype of ['q8', 'fp32'] as const) {
  const encoder = createNodeEncoder(source, info, { dtype });
  const embed = async (pixels: Float32Array[]): Promise<Float32Array[]> => {
    const out: Float32Array[] = [];
    for (const p of pixels) out.push(await encoder.embedImages(p.subarray(0, size), 1));
    return out;
  };
  const a = await embed(exact);
  const b = await embed(fast);
  await encoder.release();
  const same = a.map((x, i) => cosine(x, b[i] as Float32Array));
  const others: number[] = [];
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++)
      others.push(cosine(a[i] as Float32Array, a[j] as Float32Array));
  }
  console.log(
    `${dtype}: cosine(exact, fast) per photo ${same.map((c) => c.toFixed(6)).join(' ')}; min ${Math.min(...same).toFixed(6)}; two different photos (exact) mean ${(others.reduce((s, c) => s + c, 0) / others.length).toFixed(4)}`,
  );
}
