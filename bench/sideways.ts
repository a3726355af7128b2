// A 12 MP photo stored sideways (EXIF orientation 5-8, as portrait phone photos are), prepared
// for the model two ways, per photo: turning the full-size pixels upright first (PIL's order,
// exif-transpose.ts) then preprocessing, against preprocessing the stored pixels with the
// orientation (resize.ts resamples as stored and turns only the 224 px result). Both give the same
// floats (checked here). Also sharp's decode with and without its `rotate()` for such a JPEG (the
// CLI's decoder). Milliseconds per photo, wall and CPU (every thread), median over the rounds.
//
//   npx tsx bench/sideways.ts [--rounds 5] [--orientations 6,3,8]
import { loadavg } from 'node:os';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { exifTranspose } from '../src/core/exif-transpose.ts';
import { parseImageProcessorConfig } from '../src/core/preprocess-config.ts';
import { preprocess } from '../src/core/preprocess.ts';
import type { DecodedImage } from '../src/core/types.ts';
import { BENCH_MODEL } from './ensure-model.ts';
import { photos12mp } from './photos-12mp.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    orientations: { type: 'string', default: '6,3,8' },
    model: { type: 'string', default: BENCH_MODEL },
  },
});
const rounds = Number(values.rounds);
const orientations = values.orientations.split(',').map(Number);
const config = parseImageProcessorConfig(
  JSON.parse(await readFile(join(values.model, 'preprocessor_config.json'), 'utf8')) as unknown,
);

/** Wall and CPU milliseconds of one call. */
async function timed(f: () => unknown): Promise<[number, number]> {
  const c = process.cpuUsage();
  const t = performance.now();
  await f();
  const u = process.cpuUsage(c);
  return [performance.now() - t, (u.user + u.system) / 1000];
}
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1] ?? NaN;

const photos: { stored: DecodedImage; jpeg: Buffer }[] = [];
for (const file of await photos12mp()) {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  const channels = info.channels as 1 | 3;
  const stored = { width: info.width, height: info.height, channels, data: new Uint8Array(data) };
  // The same pixels in a JPEG that says "stored sideways" (orientation 6), for the decode rows.
  const jpeg = await sharp(file).withMetadata({ orientation: 6 }).jpeg({ quality: 92 }).toBuffer();
  photos.push({ stored, jpeg });
}

const times = new Map<string, [number[], number[]]>();
const add = (stage: string, [wall, cpu]: [number, number]) => {
  const t = times.get(stage) ?? [[], []];
  times.set(stage, t);
  t[0].push(wall);
  t[1].push(cpu);
};
let differing = 0;
for (let r = 0; r <= rounds; r++) {
  const per = new Map<string, [number, number]>();
  const sum = (stage: string, t: [number, number]) => {
    const s = per.get(stage) ?? [0, 0];
    per.set(stage, [s[0] + t[0] / photos.length, s[1] + t[1] / photos.length]);
  };
  for (const { stored, jpeg } of photos) {
    sum('upright photo: preprocess', await timed(() => preprocess(stored, config)));
    for (const o of orientations) {
      let old: Float32Array = new Float32Array();
      let now: Float32Array = new Float32Array();
      let turned = stored;
      sum(
        `orientation ${o}: turn 12 MP (exifTranspose)`,
        await timed(() => {
          turned = exifTranspose(stored, o);
        }),
      );
      sum(
        `orientation ${o}: then preprocess`,
        await timed(() => (old = preprocess(turned, config))),
      );
      sum(
        `orientation ${o}: NEW preprocess as stored`,
        await timed(() => {
          now = preprocess({ ...stored, orientation: o }, config);
        }),
      );
      if (!Buffer.from(old.buffer).equals(Buffer.from(now.buffer))) differing++;
    }
    sum(
      'sharp decode, orientation 6 JPEG, rotate()',
      await timed(() => sharp(jpeg).rotate().raw().toBuffer()),
    );
    sum(
      'sharp decode, orientation 6 JPEG, as stored',
      await timed(() => sharp(jpeg).raw().toBuffer()),
    );
  }
  if (r > 0) for (const [stage, t] of per) add(stage, t); // round 0 warms up
}
console.log(
  `${photos.length} photos (4032 x 3024), ${rounds} rounds, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; ms per photo (median of rounds), wall / CPU:`,
);
for (const [stage, [wall, cpu]] of times) {
  console.log(
    `  ${median(wall).toFixed(1).padStart(7)} / ${median(cpu).toFixed(1).padStart(7)}  ${stage}`,
  );
}
console.log(`  preprocess outputs differing between the two ways: ${differing}`);
