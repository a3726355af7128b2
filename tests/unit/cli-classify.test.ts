// Issue 3: with the template "{}" (label text verbatim), `mumic classify` must rank each photo's
// labels in the order of the reference image-text cosine.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { FIXTURE_DIR, cosine, reference } from '../fixture.ts';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '..', '..', 'bin', 'mumic.js');

it('ranks labels as the reference cosines do', async () => {
  // Reference texts that are valid label names (no control characters, not empty, not too long).
  const labels = Object.keys(reference.texts).filter(
    (t) => t.trim() !== '' && t.length < 100 && !/[\t\n]/.test(t),
  );
  const file = join(mkdtempSync(join(tmpdir(), 'mumic-labels-')), 'labels.json');
  writeFileSync(file, JSON.stringify({ version: 1, labels: labels.map((name) => ({ name })) }));
  const images = join(FIXTURE_DIR, 'images');
  const { stdout } = await run(cli, [
    'classify',
    '--model',
    FIXTURE_DIR,
    '--dtype',
    'fp32',
    '--labels',
    file,
    '--template',
    '{}',
    images,
  ]);
  const lines = stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { file: string; labels: { label: string; score: number }[] });
  expect(lines).toHaveLength(readdirSync(images).length);
  for (const line of lines) {
    const image = reference.images[line.file.split('/').pop() ?? '']?.image_embeds ?? [];
    const expected = [...labels].sort(
      (a, b) =>
        cosine(image, reference.texts[b]?.text_embeds ?? []) -
        cosine(image, reference.texts[a]?.text_embeds ?? []),
    );
    expect(
      line.labels.map((l) => l.label),
      line.file,
    ).toEqual(expected);
    const scores = line.labels.map((l) => l.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  }
});
