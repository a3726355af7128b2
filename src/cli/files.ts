import { constants } from 'node:fs';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { MumicError, type ErrorName } from '../core/errors.ts';

/** What a path is, for the message refusing it. */
function kindOf(info: import('node:fs').Stats): string {
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * The bytes of a regular file of at most `maxBytes`. Anything else is refused before a byte is
 * read, by name: a FIFO would block forever and /dev/zero read until memory ran out. Opened
 * non-blocking (opening a FIFO otherwise waits for a writer), then checked on the open handle,
 * so the path cannot be swapped between the check and the read.
 */
export async function readRegularFile(
  path: string,
  maxBytes: number,
  tooLarge: ErrorName = 'FileTooLarge',
): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') {
      throw new MumicError('NotARegularFile', `${path} is a folder, not a file`, { cause });
    }
    throw new MumicError('FileUnreadable', `cannot open ${path}: ${(cause as Error).message}`, {
      cause,
    });
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      throw new MumicError('NotARegularFile', `${path} is ${kindOf(info)}, not a file`);
    }
    if (info.size > maxBytes) {
      throw new MumicError(tooLarge, `${path} is ${info.size} bytes; the limit is ${maxBytes}`);
    }
    return await readExactly(handle, info.size, maxBytes, () => {
      throw new MumicError(tooLarge, `${path} grew past ${maxBytes} bytes while being read`);
    });
  } catch (cause) {
    if (cause instanceof MumicError) throw cause;
    throw new MumicError('FileUnreadable', `cannot read ${path}: ${(cause as Error).message}`, {
      cause,
    });
  } finally {
    await handle.close();
  }
}

/**
 * The whole file in one buffer of its size, read in place: no chunk list joined at the end and
 * no second copy (a 12 MP photo is 4 MB). A file that grew since `stat` is read to its end.
 */
async function readExactly(
  handle: FileHandle,
  size: number,
  maxBytes: number,
  tooLarge: () => never,
): Promise<Uint8Array> {
  const buffer = new Uint8Array(size);
  let length = 0;
  while (length < size) {
    const { bytesRead } = await handle.read(buffer, length, size - length, null);
    if (bytesRead === 0) return buffer.subarray(0, length); // it shrank
    length += bytesRead;
  }
  const probe = new Uint8Array(1);
  if ((await handle.read(probe, 0, 1, null)).bytesRead === 0) return buffer;
  // It grew: the rest, from the current position.
  const rest = await handle.readFile();
  if (size + 1 + rest.length > maxBytes) tooLarge();
  const whole = new Uint8Array(size + 1 + rest.length);
  whole.set(buffer);
  whole.set(probe, size);
  whole.set(rest, size + 1);
  return whole;
}

/**
 * Expands arguments into files: a folder contributes its files recursively, sorted, hidden
 * entries skipped. A path that does not exist is kept, so it fails alone with its own error line.
 */
export async function collectFiles(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (info?.isDirectory()) out.push(...(await walk(path)));
    else out.push(path);
  }
  return out;
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}
