// Where the prepare threads' copies of the vision tower start to pay in `mumic classify`: runs of
// N small photos (2 MP, or the fixture photos), timed with the copies (MUMIC_EMBED_BESIDE=1, loaded whatever the run's
// size) and without (=0), alternated within each round. A copy costs its load (about a second of
// a core); the CLI loads them from EMBED_BESIDE_MIN_FILES photos up (src/cli/load-model.ts).
//
//   npx tsx bench/cli-beside.ts [--counts 16,64,256,512] [--rounds 3] [--photos 2mp|fixture]
import { execFile } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { benchImages } from './bench-images.ts';
import { photos2mp } from './browser-photos.ts';
import { BENCH_MODEL, ensureBenchLabelFile, ensureBenchModel } from './ensure-model.ts';
import { median } from './median.ts';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    counts: { type: 'string', default: '16,64,256,512' },
    // 2mp: phone photos scaled to 2 MP (bench/browser-photos.ts); fixture: the fixture photos.
    photos: { type: 'string', default: '2mp' },
    rounds: { type: 'string', default: '3' },
  },
});
ensureBenchModel();
await ensureBenchLabelFile();
const photos = values.photos === 'fixture' ? benchImages(7) : await photos2mp();
const root = mkdtempSync(join(tmpdir(), 'mumic-beside-bench-'));
const cli = join(import.meta.dirname, '..', 'bin', 'mumic.js');
const counts = values.counts.split(',').map(Number);

/** A folder of `n` photos (hard links, cycling through the photos). */
function folder(n: number): string {
  const dir = join(root, String(n));
  mkdirSync(dir);
  for (let i = 0; i < n; i++) {
    const from = photos[i % photos.length] as string;
    linkSync(from, join(dir, `p${String(i).padStart(3, '0')}${extname(from)}`));
  }
  return dir;
}

async function classify(dir: string, beside: '0' | '1'): Promise<number> {
  const t = performance.now();
  await run(process.execPath, [cli, 'classify', '--model', BENCH_MODEL, dir], {
    maxBuffer: 1 << 26,
    env: { ...process.env, MUMIC_EMBED_BESIDE: beside },
  });
  return performance.now() - t;
}

const dirs = new Map(counts.map((n) => [n, folder(n)]));
const times = new Map(counts.map((n) => [n, { with: [] as number[], without: [] as number[] }]));
try {
  for (let r = 1; r <= Number(values.rounds); r++) {
    for (const n of counts) {
      const dir = dirs.get(n) as string;
      const t = times.get(n);
      // Which goes first alternates between rounds.
      const order: ('0' | '1')[] = r % 2 ? ['1', '0'] : ['0', '1'];
      for (const beside of order) {
        const ms = await classify(dir, beside);
        (beside === '1' ? t?.with : t?.without)?.push(ms);
      }
    }
    console.log(`round ${r} done (load ${loadavg()[0]?.toFixed(2)})`);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
for (const n of counts) {
  const t = times.get(n);
  const w = median(t?.with ?? []);
  const wo = median(t?.without ?? []);
  console.log(
    `${String(n).padStart(3)} photos: with copies ${w.toFixed(0)} ms, without ${wo.toFixed(0)} ms ` +
      `(median of ${values.rounds}; with / without ${(w / wo).toFixed(2)})`,
  );
}
