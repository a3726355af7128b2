// `mumic classify` as a person runs it, on 12 MP JPEGs: wall time for 8 and for 40 photos, whose
// difference over 32 is the marginal cost per photo (model load, label vectors and thread boot
// are in both runs and cancel out), next to a bare session.run loop (one image per run, as q8
// runs) on the same model in the same run.
//   npx tsx bench/cli-classify.ts [--rounds 3] [--prepare-workers N]
import { execFile } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { onnxPath } from '../src/core/model-files.ts';
import { BENCH_MODEL, ensureBenchLabelFile, ensureBenchModel } from './ensure-model.ts';
import { bareRuns } from './node-pipeline.ts';
import { photos12mp } from './photos-12mp.ts';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    'prepare-workers': { type: 'string' },
  },
});
ensureBenchModel();
await ensureBenchLabelFile();
const photos = await photos12mp();
const root = mkdtempSync(join(tmpdir(), 'mumic-classify-bench-'));
/** A folder of `n` photos (hard links, cycling through the 12 MP photos). */
function folder(n: number): string {
  const dir = join(root, String(n));
  mkdirSync(dir);
  for (let i = 0; i < n; i++) {
    linkSync(photos[i % photos.length] as string, join(dir, `p${String(i).padStart(3, '0')}.jpg`));
  }
  return dir;
}
const small = folder(8);
const large = folder(40);
const cli = join(import.meta.dirname, '..', 'bin', 'mumic.js');
const extra = values['prepare-workers'] ? ['--prepare-workers', values['prepare-workers']] : [];
async function classify(dir: string): Promise<number> {
  const t = performance.now();
  await run(cli, ['classify', '--model', BENCH_MODEL, ...extra, dir], { maxBuffer: 1 << 26 });
  return performance.now() - t;
}
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1] ?? NaN;

const model = readFileSync(join(BENCH_MODEL, onnxPath('vision', 'q8')));
const marginal: number[] = [];
const bare: number[] = [];
for (let r = 1; r <= Number(values.rounds); r++) {
  const b = await bareRuns(model, [224, 224], 1, 32);
  const t8 = await classify(small);
  const t40 = await classify(large);
  const m = (t40 - t8) / 32;
  marginal.push(m);
  bare.push(b.msPerImage);
  console.log(
    `round ${r}: classify 8 photos ${t8.toFixed(0)} ms, 40 photos ${t40.toFixed(0)} ms -> ${m.toFixed(0)} ms/photo marginal; bare session.run ${b.msPerImage.toFixed(0)} ms/image`,
  );
}
rmSync(root, { recursive: true, force: true });
console.log(
  `median: ${median(marginal).toFixed(0)} ms/photo marginal (target <= 130), bare ${median(bare).toFixed(0)} ms/image, ratio to bare ${(median(bare) / median(marginal)).toFixed(2)}x`,
);
