// A model folder chosen from disk, as a ModelSource: the same loader and encoder that read a
// served folder read the chosen files, so a folder is checked exactly as the app will use it.
import { MumicError } from '../core/errors.ts';
import type { ModelSource } from '../core/types.ts';
import { Sha256 } from '../core/sha256.ts';

export class BlobModelSource implements ModelSource {
  constructor(
    private readonly files: ReadonlyMap<string, Blob>,
    readonly location: string,
  ) {}

  async read(
    path: string,
    onProgress?: (loaded: number, total: number | undefined) => void,
  ): Promise<Uint8Array> {
    const blob = this.files.get(path);
    if (!blob) throw new MumicError('ModelFileMissing', `${path} is missing from ${this.location}`);
    onProgress?.(0, blob.size);
    const bytes = new Uint8Array(await readBlob(blob, path, this.location));
    onProgress?.(bytes.byteLength, blob.size);
    return bytes;
  }

  exists(path: string): Promise<boolean> {
    return Promise.resolve(this.files.has(path));
  }
}

/** A file's bytes; a file that changed or went away since it was chosen fails by name. */
async function readBlob(blob: Blob, path: string, location: string): Promise<ArrayBuffer> {
  try {
    return await blob.arrayBuffer();
  } catch (cause) {
    throw unreadable(path, location, cause);
  }
}

function unreadable(path: string, location: string, cause: unknown): MumicError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new MumicError(
    'FileUnreadable',
    `${path} in ${location} could not be read (${why}); was it moved or changed? Choose the folder again`,
    { cause },
  );
}

/**
 * SHA-256 of a file, as it streams from disk: a model file of hundreds of MB is never held whole.
 * `onBytes` is told each chunk's size.
 */
export async function hashBlob(
  blob: Blob,
  path: string,
  location: string,
  onBytes?: (bytes: number) => void,
): Promise<string> {
  // Made before the read, so that a hasher that cannot start is not reported as the file's fault.
  const hash = await Sha256.create();
  try {
    const reader = (blob.stream() as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      hash.update(value);
      onBytes?.(value.byteLength);
    }
  } catch (cause) {
    throw unreadable(path, location, cause);
  }
  if (hash.length !== blob.size) {
    throw unreadable(path, location, new Error(`${hash.length} of ${blob.size} bytes read`));
  }
  return hash.hex();
}

/** Reads a few bytes at an offset (for the ONNX framing check). */
export function sliceReader(blob: Blob): (offset: number, length: number) => Promise<Uint8Array> {
  return async (offset, length) =>
    new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
}
