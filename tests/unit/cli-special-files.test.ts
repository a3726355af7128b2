// Issue 10, item 7: the CLI refuses what is not a regular file by name, without blocking on it.
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readRegularFile } from '../../src/cli/files.ts';
import { FIXTURE_DIR, fixtureImage } from '../fixture.ts';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '..', '..', 'bin', 'mumic.js');

/** A FIFO nobody writes to: opening it for reading the ordinary way blocks forever. */
function fifo(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'mumic-fifo-')), 'photo.jpg');
  execFileSync('mkfifo', [path]);
  return path;
}

/** The error `promise` rejects with, or a failure if it takes longer than `ms` (a hang). */
async function rejection(promise: Promise<unknown>, ms = 5000): Promise<Error> {
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms),
  );
  try {
    await Promise.race([promise, timeout]);
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('non-regular files', () => {
  it('a FIFO, /dev/zero and a folder are refused before reading', async () => {
    expect(await rejection(readRegularFile(fifo(), 1e6))).toMatchObject({
      name: 'NotARegularFile',
      message: expect.stringMatching(/named pipe/),
    });
    expect(await rejection(readRegularFile('/dev/zero', 1e6))).toMatchObject({
      name: 'NotARegularFile',
      message: expect.stringMatching(/device/),
    });
    expect(await rejection(readRegularFile(tmpdir(), 1e6))).toMatchObject({
      name: 'NotARegularFile',
      message: expect.stringMatching(/folder/),
    });
    expect(await rejection(readRegularFile(join(tmpdir(), 'no-such-file'), 1e6))).toMatchObject({
      name: 'FileUnreadable',
    });
  });

  it('classify: a FIFO photo fails alone, a FIFO label file fails the run, neither hangs', async () => {
    const pipe = fifo();
    const photo = join(mkdtempSync(join(tmpdir(), 'mumic-photo-')), 'cat.jpg');
    copyFileSync(fixtureImage('chelsea.jpg'), photo);
    const result = await run(
      cli,
      ['classify', '--model', FIXTURE_DIR, '--top', '1', pipe, '/dev/zero', photo],
      { timeout: 120_000 },
    ).catch((e: { code: number; stdout: string; stderr: string }) => e);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { file: string; labels?: unknown[]; error?: { name: string } });
    expect(lines.map((l) => [l.file, l.error?.name ?? l.labels?.length])).toEqual([
      [pipe, 'NotARegularFile'],
      ['/dev/zero', 'NotARegularFile'],
      [photo, 1],
    ]);
    // 1: some file failed. (13 was Node's "unsettled top-level await": the prepare threads'
    // ending once let the process exit before it was done, after every result was printed.)
    expect('code' in result ? result.code : 0).toBe(1);

    const labels = await run(cli, ['classify', '--model', FIXTURE_DIR, '--labels', fifo(), photo], {
      timeout: 120_000,
    }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect('code' in labels ? labels.code : 0).not.toBe(0);
    expect(labels.stderr).toMatch(/NotARegularFile|not an ordinary file|named pipe/);
  });
});
