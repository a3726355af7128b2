// Issue 6 through the CLI: adapt writes a head; eval and classify use it; a head for another
// dtype or a corrupt head is refused with its own error name.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { FIXTURE_DIR, fixtureImage } from '../fixture.ts';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '..', '..', 'bin', 'mumic.js');
const failure = (e: { code: number; stdout: string; stderr: string }) => e;

it('adapt → head → eval/classify, and refuses mismatched or corrupt heads', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mumic-adapt-'));
  const truth = join(dir, 'truth.csv');
  const labels = join(dir, 'labels.txt');
  const head = join(dir, 'head.json');
  writeFileSync(labels, 'bedroom\npool\nsea view\n');
  writeFileSync(
    truth,
    [
      'file,labels',
      `${fixtureImage('astronaut.png')},bedroom;pool`,
      `${fixtureImage('chelsea.jpg')},sea view`,
      `${fixtureImage('camera-gray.png')},pool`,
      `${fixtureImage('tall-chelsea.jpg')},sea view;bedroom`,
    ].join('\n'),
  );
  const model = ['--model', FIXTURE_DIR, '--labels', labels];
  const { stdout } = await run(cli, ['adapt', ...model, '--truth', truth, '--out', head]);
  const summary = JSON.parse(stdout) as {
    photos: number;
    evaluation: { before: object; after: object };
  };
  expect(summary.photos).toBe(4);
  expect(summary.evaluation.after).toHaveProperty('macro_mAP');
  const written = JSON.parse(readFileSync(head, 'utf8')) as {
    format: string;
    model: { dtype: string };
  };
  expect(written).toMatchObject({ format: 'mumic-head', model: { dtype: 'q8' } });

  const evaluated = await run(cli, ['eval', ...model, '--truth', truth, '--head', head]);
  expect(JSON.parse(evaluated.stdout)).toHaveProperty('macro_mAP');
  const classified = await run(cli, [
    'classify',
    ...model,
    '--head',
    head,
    fixtureImage('chelsea.jpg'),
  ]);
  expect((JSON.parse(classified.stdout) as { labels: unknown[] }).labels).toHaveLength(3);

  const other = await run(cli, [
    'classify',
    ...model,
    '--dtype',
    'fp32',
    '--head',
    head,
    fixtureImage('tiny.png'),
  ]).catch(failure);
  expect(other.stderr).toMatch(/HeadMismatch/);
  writeFileSync(head, '{"format": "mumic-head"');
  const corrupt = await run(cli, [
    'classify',
    ...model,
    '--head',
    head,
    fixtureImage('tiny.png'),
  ]).catch(failure);
  expect(corrupt.stderr).toMatch(/InvalidHead/);
});
