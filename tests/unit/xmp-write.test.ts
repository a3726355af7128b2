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
import { sidecarWriter, writeAtomically } from '../../src/cli/xmp-sidecars.ts';
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

it('refuses a second photo for one NAME.xmp, and writes nothing on a dry run', async () => {
  const labels = [{ id: 'pool', name: 'Pool', prompt: 'pool', category: 'Outdoor' }];
  const dry = sidecarWriter({ xmp: true, 'dry-run': true });
  expect(await dry?.write(join(dir, 'x.jpg'), labels)).toMatchObject({
    file: join(dir, 'x.jpg.xmp'),
    action: 'created',
    dry_run: true,
    added: ['Pool'],
  });
  const base = sidecarWriter({ xmp: true, 'xmp-name': 'base', 'keyword-root': 'tags' });
  expect(await base?.write(join(dir, 'c.jpg'), labels)).toMatchObject({ action: 'created' });
  const clash = await base?.write(join(dir, 'c.png'), labels);
  expect(clash && 'error' in clash && clash.error.name).toBe('SidecarNameClash');
  expect(readFileSync(join(dir, 'c.xmp'), 'utf8')).toContain('tags|Outdoor|Pool');
  expect(readdirSync(dir)).not.toContain('x.jpg.xmp');
  expect(() => sidecarWriter({ 'dry-run': true })).toThrow('--dry-run needs --xmp');
});
