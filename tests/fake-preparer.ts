// The tests' one stand-in for the prepare pool: no decoder, but the pool's contract. With `known`
// each file is hashed (crypto.subtle SHA-256, as the real one) and its keywords read from the bytes
// it reads, and files
// with a known hash are left undecoded; files over the size limit are not read and fail by name,
// a failed read is `FileUnreadable`, and a "file" whose text starts with "bad" fails to decode.
import type { ContentHash } from '../src/core/cache-keys.ts';
import type { ErrorInfo } from '../src/core/errors.ts';
import { keywordsOf, type KeywordsRead } from '../src/core/xmp/embedded-keywords.ts';
import { MAX_FILE_BYTES } from '../src/core/image-header.ts';
import { sha256Hex } from '../src/worker/image-tools.ts';
import type { Preparer } from '../src/worker/models/model-host.ts';
import type { PreparedBlobs } from '../src/worker/prepare-protocol.ts';

/** Floats per "image", and each float from the file's bytes (equal files, equal pixels). */
export interface FakePixels {
  floats: number;
  pixel: (bytes: Uint8Array, k: number) => number;
}

export function fakePreparer({ floats, pixel }: FakePixels): Preparer {
  return {
    configure: () => undefined,
    depth: 1,
    async prepare(blobs, start, _processor, _thumbnails, known): Promise<PreparedBlobs> {
      const pixels: number[] = [];
      const indices: number[] = [];
      const failures: { index: number; error: ErrorInfo }[] = [];
      const hashes: (ContentHash | undefined)[] = blobs.map(() => undefined);
      const keywords: (KeywordsRead | undefined)[] = blobs.map(() => undefined);
      const skipped: number[] = [];
      const fail = (i: number, name: ErrorInfo['name']) =>
        failures.push({ index: start + i, error: { name, message: 'fake' } });
      for (const [i, blob] of blobs.entries()) {
        if (blob.size > MAX_FILE_BYTES) {
          fail(i, 'FileTooLarge');
          continue;
        }
        let bytes: Uint8Array<ArrayBuffer>;
        try {
          bytes = new Uint8Array(await blob.arrayBuffer());
        } catch {
          fail(i, 'FileUnreadable');
          continue;
        }
        if (known) {
          const hash = await sha256Hex(bytes);
          hashes[i] = hash;
          keywords[i] = await keywordsOf(bytes, blob instanceof File ? blob.name : '');
          if (known.has(hash)) {
            skipped.push(i);
            continue;
          }
        }
        if (new TextDecoder().decode(bytes).startsWith('bad')) {
          fail(i, 'ImageDecodeFailed');
          continue;
        }
        indices.push(start + i);
        for (let k = 0; k < floats; k++) pixels.push(pixel(bytes, k));
      }
      const batch = {
        pixels: Float32Array.from(pixels),
        indices,
        failures,
        thumbnails: blobs.map(() => undefined),
      };
      return known ? { ...batch, hashes, known: skipped, keywords } : batch;
    },
  };
}
