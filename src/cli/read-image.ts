import { open } from 'node:fs/promises';
import { MumicError } from '../core/errors.ts';
import { MAX_FILE_BYTES } from '../core/image-header.ts';
import type { DecodedImage } from '../core/types.ts';
import { decodeImage } from './decode-node.ts';

/** Reads and decodes one image file; size is checked before the bytes are read. */
export async function readImageFile(path: string): Promise<DecodedImage> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (cause) {
    throw new MumicError('FileUnreadable', `cannot open ${path}: ${(cause as Error).message}`, {
      cause,
    });
  }
  try {
    const { size } = await handle.stat();
    if (size > MAX_FILE_BYTES) {
      throw new MumicError(
        'FileTooLarge',
        `${path} is ${size} bytes; the limit is ${MAX_FILE_BYTES}`,
      );
    }
    return await decodeImage(new Uint8Array(await handle.readFile()));
  } finally {
    await handle.close();
  }
}
