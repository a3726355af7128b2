/**
 * What cosine separates near-duplicates from different photos, measured with a model: twelve base
 * photos (the quadrants of the fixture's astronaut, camera and chelsea photos, each a different
 * view) and ten near-duplicates of each made with sharp (re-encoded, resized, cropped, brightened,
 * blurred). Prints the cosine of each variant kind with its base and of different bases, then how
 * fp16 and int8 storage change rankings over these real embeddings.
 *
 * With the default clip-tiny fixture (random weights) the numbers describe that toy model only;
 * pass a real CLIP export to measure the real threshold:
 *   npx tsx bench/library-thresholds.ts [--model DIR] [--dtype fp32]
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import {
  PRECISIONS,
  dotAll,
  rankingAgreement,
  storeMatrix,
  unitMatrix,
} from '../src/core/library/index.ts';
import { embedFiles, loadModel } from '../src/cli/load-model.ts';
import type { Dtype } from '../src/core/types.ts';
import { FIXTURE_IMAGES } from './bench-images.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: join(FIXTURE_IMAGES, '..') },
    dtype: { type: 'string', default: 'fp32' },
  },
});

const VARIANTS: Record<string, (s: sharp.Sharp, w: number, h: number) => sharp.Sharp> = {
  'jpeg q85': (s) => s.jpeg({ quality: 85 }),
  'jpeg q50': (s) => s.jpeg({ quality: 50 }),
  'jpeg q25': (s) => s.jpeg({ quality: 25 }),
  'webp q60': (s) => s.webp({ quality: 60 }),
  'half size': (s, w) => s.resize(Math.round(w / 2)).png(),
  'quarter size': (s, w) => s.resize(Math.round(w / 4)).png(),
  'crop 90%': (s, w, h) =>
    s
      .extract({
        left: Math.round(w * 0.05),
        top: Math.round(h * 0.05),
        width: Math.floor(w * 0.9),
        height: Math.floor(h * 0.9),
      })
      .png(),
  'crop 75% off-centre': (s, w, h) =>
    s
      .extract({
        left: 0,
        top: Math.floor(h * 0.25),
        width: Math.floor(w * 0.75),
        height: Math.floor(h * 0.75),
      })
      .png(),
  'brighter 15%': (s) => s.modulate({ brightness: 1.15 }).png(),
  'blur σ=1.5': (s) => s.blur(1.5).png(),
};

const dir = mkdtempSync(join(tmpdir(), 'mumic-thresholds-'));
const bases: string[] = [];
const variants: { file: string; base: number; kind: string }[] = [];
for (const source of ['astronaut.png', 'camera-gray.png', 'chelsea.jpg']) {
  const image = sharp(join(FIXTURE_IMAGES, source)).removeAlpha();
  const { width = 0, height = 0 } = await image.metadata();
  const [w, h] = [Math.floor(width / 2), Math.floor(height / 2)];
  for (const [qx, qy] of [
    [0, 0],
    [1, 0],
    [0, 1],
    [1, 1],
  ] as const) {
    const png = await image
      .clone()
      .extract({ left: qx * w, top: qy * h, width: w, height: h })
      .png()
      .toBuffer();
    const base = join(dir, `${source}-${qx}${qy}.png`);
    writeFileSync(base, png);
    bases.push(base);
    for (const [kind, make] of Object.entries(VARIANTS)) {
      const file = join(dir, `${source}-${qx}${qy}-${kind.replace(/\W+/g, '_')}`);
      writeFileSync(file, await make(sharp(png), w, h).toBuffer());
      variants.push({ file, base: bases.length - 1, kind });
    }
  }
}

const model = await loadModel(values.model, values.dtype as Dtype);
const files = [...bases, ...variants.map((v) => v.file)];
const rows = new Float32Array(files.length * model.info.projectionDim);
for await (const outcomes of embedFiles(model, files)) {
  for (const o of outcomes) {
    if ('error' in o) throw new Error(`${files[o.index]}: ${o.error.message}`);
    rows.set(o.embedding, o.index * model.info.projectionDim);
  }
}
await model.encoder.release();
const m = unitMatrix(rows, model.info.projectionDim);
const cos = (i: number, j: number) =>
  dotAll(storeMatrix(m), m.data.slice(i * m.dim, (i + 1) * m.dim))[j] ?? NaN;
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => (s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN).toFixed(4);
  return `min ${at(0)}  median ${at(0.5)}  max ${at(1 - 1e-9)}  (${s.length})`;
};

console.log(
  `model ${values.model} (${values.dtype}, ${m.dim}-d); ${bases.length} base photos, ${variants.length} near-duplicates\n`,
);
console.log('cosine of a near-duplicate with its base:');
for (const kind of Object.keys(VARIANTS)) {
  const xs = variants
    .map((v, k) => ({ v, k }))
    .filter(({ v }) => v.kind === kind)
    .map(({ v, k }) => cos(v.base, bases.length + k));
  console.log(`  ${kind.padEnd(22)} ${stats(xs)}`);
}
const all = variants.map((v, k) => cos(v.base, bases.length + k));
console.log(`  ${'all kinds'.padEnd(22)} ${stats(all)}`);
const different: number[] = [];
const sameSource: number[] = [];
for (let i = 0; i < bases.length; i++) {
  for (let j = i + 1; j < bases.length; j++) {
    (Math.floor(i / 4) === Math.floor(j / 4) ? sameSource : different).push(cos(i, j));
  }
}
console.log('cosine of different base photos:');
console.log(`  ${'same source photo'.padEnd(22)} ${stats(sameSource)}`);
console.log(`  ${'different sources'.padEnd(22)} ${stats(different)}`);

console.log(`\nrankings of all ${m.n} embeddings by each one, fp16/int8 storage vs fp32:`);
const exact = storeMatrix(m);
for (const precision of PRECISIONS.filter((p) => p !== 'fp32')) {
  const rows = Array.from({ length: m.n }, (_, q) => q);
  const a = rankingAgreement(exact, storeMatrix(m, precision), rows, m.n);
  console.log(
    `  ${precision}: overlap@10 mean ${a.overlapAt10.mean.toFixed(3)} (min ${a.overlapAt10.min.toFixed(1)}), Kendall tau (all ${m.n - 1}) mean ${a.tau.mean.toFixed(4)} (min ${a.tau.min.toFixed(4)}), largest cosine error ${a.maxError.toExponential(1)}`,
  );
}
