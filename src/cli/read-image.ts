import { MAX_FILE_BYTES } from '../core/image-header.ts';
import type { DecodedImage } from '../core/types.ts';
import { decodeImage, type DecodeOptions } from './decode-node.ts';
import { readRegularFile } from './files.ts';

/**
 * Reads and decodes one image file; its kind and size are checked before the bytes are read.
 * `onRead` is told how many bytes were read.
 */
export async function readImageFile(
  path: string,
  options?: DecodeOptions,
  onRead?: (bytes: number) => void,
): Promise<DecodedImage> {
  const bytes = await readRegularFile(path, MAX_FILE_BYTES);
  onRead?.(bytes.byteLength);
  return await decodeImage(bytes, options);
}
