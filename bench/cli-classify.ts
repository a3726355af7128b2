// `mumic classify` as a person runs it, on 12 MP JPEGs: wall time for 8 and for 40 photos, whose
// difference over 32 is the marginal cost per photo (model load, label vectors and thread boot
// are in both runs and cancel out), next to a bare session.run loop (one image per run, as q8
// runs) on the same model in the same round. The marginal CPU per photo (all threads, from
// /usr/bin/time) is printed too: the load of other processes inflates it far less than wall time.
//   npx tsx bench/cli-classify.ts [--rounds 3] [--prepare-workers default,1,2,fast,system-malloc]
//     [--photos 40]
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
import { median } from './median.ts';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    // Prepare-thread counts to compare within each round ("default": the CLI's own choice;
    // "fast": the default with --fast-decode; "system-malloc": the default with glibc's own
    // malloc settings, MUMIC_MALLOC=system, as before bin/malloc-env.js).
    'prepare-workers': { type: 'string', default: 'default' },
    photos: { type: 'string', default: '40' },
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
const few = 8;
const many = Number(values.photos);
const small = folder(few);
const large = folder(many);
const cli = join(import.meta.dirname, '..', 'bin', 'mumic.js');
const timeFile = join(root, 'time');

interface Usage {
  wall: number;
  cpu: number;
  sys: number;
  faults: number;
}

/** Wall, CPU (user + system, every thread) and system ms, minor page faults of one run. */
async function classify(dir: string, workers: string): Promise<Usage> {
  const extra =
    workers === 'default' || workers === 'system-malloc'
      ? []
      : workers === 'fast'
        ? ['--fast-decode']
        : ['--prepare-workers', workers];
  const env = { ...process.env, MUMIC_MALLOC: workers === 'system-malloc' ? 'system' : undefined };
  const args = ['classify', '--model', BENCH_MODEL, ...extra, dir];
  const t = performance.now();
  await run('/usr/bin/time', ['-f', '%U %S %R', '-o', timeFile, process.execPath, cli, ...args], {
    maxBuffer: 1 << 26,
    env,
  });
  const wall = performance.now() - t;
  const [user = NaN, sys = NaN, faults = NaN] = readFileSync(timeFile, 'utf8')
    .trim()
    .split(/\s+/)
    .map(Number);
  return { wall, cpu: (user + sys) * 1000, sys: sys * 1000, faults };
}

const model = readFileSync(join(BENCH_MODEL, onnxPath('vision', 'q8')));
const settings = values['prepare-workers'].split(',');
const marginal = new Map(settings.map((s) => [s, [] as number[]]));
const marginalCpu = new Map(settings.map((s) => [s, [] as number[]]));
const bare: number[] = [];
for (let r = 1; r <= Number(values.rounds); r++) {
  const b = await bareRuns(model, [224, 224], 1, 32);
  bare.push(b.msPerImage);
  console.log(
    `round ${r}: bare session.run ${b.msPerImage.toFixed(0)} ms/image (${(b.cpuMsPerImage ?? NaN).toFixed(0)} CPU ms)`,
  );
  for (const workers of settings) {
    const a = await classify(small, workers);
    const z = await classify(large, workers);
    const m = (z.wall - a.wall) / (many - few);
    const c = (z.cpu - a.cpu) / (many - few);
    const sys = (z.sys - a.sys) / (many - few);
    const faults = (z.faults - a.faults) / (many - few);
    marginal.get(workers)?.push(m);
    marginalCpu.get(workers)?.push(c);
    console.log(
      `  prepare workers ${workers}: ${few} photos ${a.wall.toFixed(0)} ms, ${many} photos ${z.wall.toFixed(0)} ms -> ${m.toFixed(0)} ms/photo marginal, ${c.toFixed(0)} CPU ms/photo (system ${sys.toFixed(0)}), ${faults.toFixed(0)} minor page faults/photo`,
    );
  }
}
rmSync(root, { recursive: true, force: true });
for (const workers of settings) {
  const m = median(marginal.get(workers) ?? []);
  console.log(
    `median, prepare workers ${workers}: ${m.toFixed(0)} ms/photo marginal (target <= 130), ${median(marginalCpu.get(workers) ?? []).toFixed(0)} CPU ms/photo; bare ${median(bare).toFixed(0)} ms/image, ratio to bare ${(median(bare) / m).toFixed(2)}x`,
  );
}
