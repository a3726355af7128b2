// Issue 15: sidecars are replaced atomically, keep their permissions and symlinks, and a failed
// write leaves neither a truncated sidecar nor a temporary file.
import {
  chmodSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { writeAtomically } from '../../src/cli/xmp-sidecars.ts';
import { MumicError } from '../../src/core/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'mumic-write-'));

it('replaces the content, keeping mode and symlink', async () => {
  const target = join(dir, 'target.xmp');
  writeFileSync(target, 'old');
  chmodSync(target, 0o640);
  const link = join(dir, 'a.jpg.xmp');
  symlinkSync(target, link);
  await writeAtomically(link, 'new');
  expect(lstatSync(link).isSymbolicLink()).toBe(true);
  expect(readFileSync(target, 'utf8')).toBe('new');
  expect(statSync(target).mode & 0o777).toBe(0o640);
  expect(readdirSync(dir).sort()).toEqual(['a.jpg.xmp', 'target.xmp']);
});

it('fails by name, leaving nothing behind', async () => {
  let error: unknown;
  try {
    await writeAtomically(join(dir, 'missing', 'b.jpg.xmp'), 'x');
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(MumicError);
  expect((error as MumicError).name).toBe('SidecarUnwritable');
  expect((error as MumicError).message).toContain('b.jpg.xmp');
  expect(readdirSync(dir).sort()).toEqual(['a.jpg.xmp', 'target.xmp']);
});
