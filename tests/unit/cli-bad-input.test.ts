// Issue 3: a folder of broken, odd and hostile files. Every file gets exactly one line; what can
// be decoded is classified, the rest fails alone with a distinct name; memory stays bounded.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { FIXTURE_DIR } from '../fixture.ts';
import { writeBadInputFolder } from '../image-makers.ts';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '..', '..', 'bin', 'mumic.js');

it('classify gives every file of the bad-input folder exactly one line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mumic-bad-'));
  const expected = await writeBadInputFolder(dir);
  const result = await run(cli, ['classify', '--model', FIXTURE_DIR, '--top', '3', dir], {
    env: { ...process.env, MUMIC_REPORT_RSS: '1' },
  }).catch((e: { code: number; stdout: string; stderr: string }) => e);
  expect('code' in result ? result.code : 0, result.stderr).toBe(1);
  const lines = result.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { file: string; labels?: unknown[]; error?: { name: string } });
  expect(lines.map((l) => l.file.slice(dir.length + 1)).sort()).toEqual(
    expected.map((e) => e.name).sort(),
  );
  for (const { name, error } of expected) {
    const line = lines.find((l) => l.file.endsWith(`/${name}`));
    if (error === null)
      expect(line?.labels, `${name}: ${JSON.stringify(line?.error)}`).toHaveLength(3);
    else expect(line?.error?.name, name).toBe(error);
  }
  const rssKiB = Number(/maxRSS (\d+)/.exec(result.stderr)?.[1]);
  console.log(
    `bad-input folder: ${lines.length} lines, peak RSS ${(rssKiB / 1024).toFixed(0)} MiB`,
  );
  expect(rssKiB / 1024 / 1024).toBeLessThan(1.5);
});
