// A model file's download, checked against index.json as it streams to its reader, then stored in
// Cache Storage. The reader's stream ends once the file is checked, not once it is stored: the
// browser takes seconds to store a 100 MB tower, time in which the reader can already create its
// session. The file is handed to the cache as a Blob, not as a stream: a streamed body is pumped by
// this thread, so a session created meanwhile held the store back by as long as it took
// (docs/PERFORMANCE.md). Whether it was stored is told by `storedOutcome` (docs/OFFLINE.md).
import { MumicError } from '../core/errors.ts';
import { fileMismatch, type IndexedFile } from '../core/model-index.ts';
import { Sha256 } from '../core/sha256.ts';
import { isQuotaError, storageError } from '../core/storage-errors.ts';
import { SHA_HEADER } from './cached-response.ts';

export interface StoreTarget {
  id: string;
  path: string;
}

export interface StoreReports {
  /** Usage and quota, for the message of a full storage. */
  estimate: () => Promise<{ usage?: number; quota?: number }>;
  /** A full storage; without it, the outcome rejects with StorageQuotaExceeded. */
  onStorageError?: ((error: MumicError) => void) | undefined;
  /** Other storage failures: the file is used, not stored. */
  onStorageWarning?: ((error: MumicError) => void) | undefined;
}

/** The outcome of each stored download, by the response that delivered it. */
const outcomes = new WeakMap<Response, Promise<void>>();

/**
 * Settles once the file `res` delivered is stored for offline use; rejects with
 * StorageQuotaExceeded when storage is full (unless reported through onStorageError). Resolves at
 * once for a response that is not being stored, and once a download fails (nothing is stored; its
 * reader hears why).
 */
export function storedOutcome(res: Response): Promise<void> {
  return outcomes.get(res) ?? Promise.resolve();
}

/**
 * Streams `res` to the caller while hashing it, and stores it once whole and checked. A mismatch
 * with index.json errors the caller's stream (ModelFileInvalid, naming the file), and nothing is
 * stored; nor is a failed download, or one cancelled before its end. Only the returned Response
 * carries the outcome: a fetch that wraps it in another loses it (`storedOutcome` then resolves
 * at once).
 */
export function verifyAndStore(
  res: Response,
  target: StoreTarget,
  expected: IndexedFile | undefined,
  cache: Cache,
  key: string,
  reports: StoreReports,
): Response {
  let hash: Sha256 | undefined;
  let size = 0;
  // A Blob per chunk as it arrives: a copy the reader cannot change (a Blob of Blobs is not copied
  // again). Until stored, the file is held twice; in Chromium this copy is in the browser process.
  let parts: Blob[] = [];
  let settle!: (outcome: Promise<void>) => void;
  const outcome = new Promise<void>((resolve) => (settle = resolve));
  outcome.catch(() => undefined); // a reader that never asks is not an unhandled rejection

  const store = async (file: Blob): Promise<void> => {
    const headers = new Headers(res.headers);
    if (expected?.sha256) headers.set(SHA_HEADER, expected.sha256);
    try {
      await cache.put(
        key,
        new Response(file, { status: 200, statusText: res.statusText, headers }),
      );
    } catch (cause) {
      const what = `${target.path} of model ${target.id} for offline use`;
      if (!isQuotaError(cause)) {
        reports.onStorageWarning?.(storageError(cause, { what }));
        return;
      }
      const { usage, quota } = await reports.estimate();
      const error = storageError(cause, { what, bytes: size, usage, quota });
      if (!reports.onStorageError) throw error;
      reports.onStorageError(error);
    }
  };

  const checked = new TransformStream<Uint8Array, Uint8Array>({
    async start() {
      if (expected) hash = await Sha256.create();
    },
    transform(chunk, controller) {
      hash?.update(chunk);
      size += chunk.byteLength;
      parts.push(new Blob([chunk as BlobPart]));
      controller.enqueue(chunk);
    },
    flush(controller) {
      const why = expected && hash ? fileMismatch(expected, { size, sha256: hash.hex() }) : '';
      if (why) {
        parts = [];
        controller.error(
          new MumicError(
            'ModelFileInvalid',
            `${target.path} of model ${target.id} is damaged (${why}); it was not stored. Reinstall the model (npm run models) and reload.`,
          ),
        );
        return;
      }
      // The parts are taken here, whole and checked: nothing after can change what is stored.
      const file = new Blob(parts);
      parts = [];
      settle(store(file));
    },
  });
  // A download that failed, was cancelled or did not match is not stored: its outcome settles at
  // once (its reader hears why), so that nothing waiting for it hangs. After a good one, this
  // settle is a no-op: the store's outcome was settled first.
  (res.body as ReadableStream<Uint8Array>).pipeTo(checked.writable).catch(() => {
    parts = [];
    settle(Promise.resolve());
  });
  const delivered = new Response(checked.readable, {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
  });
  outcomes.set(delivered, outcome);
  return delivered;
}
