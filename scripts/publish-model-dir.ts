// Moves a fully verified model folder into place, so the models directory never holds a half
// installed model under its real name.
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export async function publishModelDir(ready: string, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  // The previous install stays until the new one is in place, and comes back if that fails.
  const old = `${target}.old-${process.pid}`;
  let hadOld = false;
  try {
    await rename(target, old);
    hadOld = true;
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw cause;
  }
  try {
    await moveDir(ready, target);
  } catch (cause) {
    await rm(target, { recursive: true, force: true });
    if (hadOld) await rename(old, target);
    throw cause;
  }
  if (hadOld) await rm(old, { recursive: true, force: true });
}

/** rename, or copy + delete when the download cache is on another file system. */
async function moveDir(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'EXDEV') throw cause;
    await cp(from, to, { recursive: true });
    await rm(from, { recursive: true, force: true });
  }
}

/** The download cache folder of one model at one revision. */
export function stagingDir(cacheDir: string, id: string, tag: string): string {
  return join(cacheDir, `${id}@${tag}`);
}
