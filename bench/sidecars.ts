// npx tsx bench/sidecars.ts: the cost of sidecar work per photo, next to a photo's inference.
// Merging into a large sidecar and reading embedded keywords; medians of 5 rounds.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { labelKeywords, planSidecar, readEmbeddedKeywords } from '../src/core/xmp/index.ts';

const fixture = join(import.meta.dirname, '..', '..', 'shared', 'fixtures', 'clip-tiny', 'images');
const photo = readFileSync(join(fixture, 'chelsea.jpg'));
// A sidecar of about 10 KB with 60 keywords: larger than most real ones.
const existing = planSidecar(
  null,
  labelKeywords(
    Array.from({ length: 60 }, (_, i) => ({ name: `keyword ${i}`, category: 'Own' })),
    'me',
  ),
  'existing.xmp',
)
  .text.replaceAll('<mumic:', '<other:')
  .replaceAll('</mumic:', '</other:')
  .replace('xmlns:mumic=', 'xmlns:other=');
const wanted = labelKeywords(
  Array.from({ length: 8 }, (_, i) => ({ name: `label ${i}`, category: 'Rooms' })),
);

async function median(n: number, run: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let round = 0; round < 5; round++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await run();
    times.push((performance.now() - t0) / n);
  }
  return times.sort((a, b) => a - b)[2] ?? NaN;
}

console.log(`existing sidecar: ${existing.length} characters`);
const merge = await median(200, () => planSidecar(existing, wanted, 'a.xmp'));
const parser = new XMLParser({ ignoreAttributes: false, preserveOrder: true });
const parse = await median(200, () => parser.parse(existing));
console.log(`merge 8 labels into it: ${merge.toFixed(3)} ms`);
console.log(`(reference, same run: fast-xml-parser parse alone: ${parse.toFixed(3)} ms)`);
const read = await median(200, () => readEmbeddedKeywords(photo, 'chelsea.jpg'));
console.log(`read embedded keywords (${photo.length} B JPEG): ${read.toFixed(3)} ms`);
