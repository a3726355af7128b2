// Classify with each file read once (issue 16): the prepare side hashes a file from the bytes it
// reads for decoding, and leaves undecoded those whose embedding the library held when the call
// began. Here each prepared file is then matched by its hash, before the model runs it: to the
// library, to another file of the call (one picture under two names is encoded once) or to the
// store; only new content goes on to the model. The hash so never waits behind session.run.
import { imageEmbeddingKey, photoId } from '../../core/cache-keys.ts';
import type { PreparedBatch } from '../../core/embed-images.ts';
import type { ErrorInfo } from '../../core/errors.ts';
import type { KeywordsRead } from '../../core/xmp/embedded-keywords.ts';
import type { PhotoInput } from '../../shared/worker-api.ts';
import type { MumicStore } from '../../store/types.ts';
import { decodeImageBlob } from '../decode-browser.ts';
import { makeThumbnail } from '../image-tools.ts';
import { storedThumbnail, type Library } from '../library/library.ts';
import type { PreparedBlobs } from '../prepare-protocol.ts';

/** One file of a classify call on its way through. */
export interface Pending {
  input: PhotoInput;
  id: string;
  hash: string | undefined;
}

/** One distinct content to encode, and every input that has it. */
export interface EncodeJob {
  blob: Blob;
  hash: string | undefined;
  pending: Pending[];
  thumbnail: Blob | undefined;
  /** Its embedded keywords, read beside its hash (undefined: unread). */
  keywords?: KeywordsRead | undefined;
  /** Its outcome once sent (a copy found later gets the same). */
  outcome?: { embedding: Float32Array } | { error: ErrorInfo };
}

/** A photo finished: with its embedding, or with its error. */
export interface Done {
  pending: Pending;
  embedding?: Float32Array;
  thumbnail?: Blob | undefined;
  keywords?: KeywordsRead | undefined;
  error?: ErrorInfo;
}

/** Every file of a call as its own job: content is matched once its hash comes back. */
export function unreadJobs(inputs: readonly PhotoInput[]): Map<string, EncodeJob> {
  return new Map(
    inputs.map((input) => [
      `file:${input.key}`,
      {
        blob: input.file,
        hash: undefined,
        thumbnail: undefined,
        pending: [
          { input, hash: undefined, id: photoId(undefined, input.path, `${input.file.size}`) },
        ],
      },
    ]),
  );
}

interface Context {
  library: () => Library;
  store: MumicStore;
  dim: number;
  cropSize: number;
  /** Prepares files again without skipping any (their stored vector went meanwhile). */
  again: (jobs: readonly EncodeJob[], start: number) => Promise<PreparedBlobs>;
}

export class ReadOnce {
  /** Hashes whose embedding the library held when the call began: not decoded. */
  readonly known: ReadonlySet<string>;
  /** Photos found stored (library or store), and copies of content encoded in this call. */
  readonly cached: Done[] = [];
  readonly copies: Done[] = [];
  private readonly seen = new Map<string, EncodeJob>();

  constructor(private readonly ctx: Context) {
    const held = [...ctx.library().byHash].filter(([, v]) => v.embedding !== undefined);
    this.known = new Set(held.map(([h]) => h));
  }

  /** The prepared batch less the files that need no run (they are queued in cached/copies). */
  async sort(
    jobs: readonly EncodeJob[],
    start: number,
    prepared: PreparedBlobs,
  ): Promise<PreparedBatch> {
    const drop = new Set<number>();
    const redo: EncodeJob[] = [];
    for (const [i, job] of jobs.entries()) {
      job.thumbnail = prepared.thumbnails[i];
      job.keywords = prepared.keywords?.[i] ?? job.keywords;
      const hash = prepared.hashes?.[i];
      if (hash === undefined) continue; // over the size limit or unreadable: as it is
      job.hash = hash;
      for (const p of job.pending) {
        p.hash = hash;
        p.id = photoId(hash, p.input.path, `${p.input.file.size}`);
      }
      if (prepared.failures.some((f) => f.index === start + i)) continue;
      const skipped = prepared.known?.includes(i) === true;
      if (await this.match(job, hash)) drop.add(i);
      else if (skipped) redo.push(job);
      else this.seen.set(hash, job);
    }
    const kept = prepared.indices.filter((index) => !drop.has(index - start));
    const pixels = keptRows(prepared.pixels, prepared.indices, kept, this.ctx.cropSize);
    const batch: PreparedBatch = { pixels, indices: kept, failures: prepared.failures };
    if (redo.length > 0) return this.merge(batch, jobs, start, redo);
    // A nested worker's embeddings, of the rows kept (ImageEmbedder.adopt takes them as they
    // are); vectors that are not one a row are not taken: the model runs those rows.
    const { embeddings, embeddedWith } = prepared;
    if (embeddings?.length !== prepared.indices.length * this.ctx.dim) return batch;
    const vectors = keptRows(embeddings, prepared.indices, kept, this.ctx.dim);
    return { ...batch, embeddings: vectors, embeddedWith } as PreparedBlobs;
  }

  /** Files whose hash was known but whose vector is no longer anywhere: prepared again. */
  private async merge(
    batch: PreparedBatch,
    jobs: readonly EncodeJob[],
    start: number,
    redo: EncodeJob[],
  ): Promise<PreparedBatch> {
    const size = this.ctx.cropSize;
    const rows = [...batch.indices];
    const parts = [batch.pixels];
    const failures = [...batch.failures];
    for (const job of redo) {
      const index = start + jobs.indexOf(job);
      const one = await this.ctx.again([job], index);
      job.thumbnail = one.thumbnails[0];
      failures.push(...one.failures);
      if (one.indices.length > 0) {
        rows.push(index);
        parts.push(one.pixels.subarray(0, size));
        if (job.hash !== undefined) this.seen.set(job.hash, job);
      }
    }
    const pixels = new Float32Array(rows.length * size);
    parts.reduce((at, part) => (pixels.set(part, at), at + part.length), 0);
    return { pixels, indices: rows, failures };
  }

  /** True when the content needs no run: stored, or another file of this call has it. */
  private async match(job: EncodeJob, hash: string): Promise<boolean> {
    const twin = this.seen.get(hash);
    if (twin) {
      if (twin.outcome) {
        const { outcome, thumbnail } = twin;
        const { keywords } = job;
        for (const pending of job.pending) {
          this.copies.push({ pending, ...outcome, thumbnail, keywords });
        }
      } else twin.pending.push(...job.pending);
      return true;
    }
    const { library, store, dim } = this.ctx;
    const scope = library().scope;
    let embedding = library().byHash.get(hash)?.embedding;
    if (!embedding) {
      const key = imageEmbeddingKey(scope[2], scope[3], hash);
      const [stored] = await store.getImageEmbeddings([key]).catch(() => [undefined]);
      if (stored instanceof Float32Array && stored.length === dim) embedding = stored;
    }
    if (!embedding) return false;
    let thumbnail = library().byHash.get(hash)?.thumbnail;
    thumbnail ??= await storedThumbnail(store, library(), hash);
    // The vector is stored but not the picture (a photo removed, then added again).
    thumbnail ??=
      job.thumbnail ??
      (await decodeImageBlob(job.blob)
        .then(makeThumbnail)
        .catch(() => undefined));
    const { keywords } = job;
    for (const pending of job.pending)
      this.cached.push({ pending, embedding, thumbnail, keywords });
    return true;
  }
}

/** The rows of `data` (one per index of `indices`, `size` values each) for the indices `kept`. */
function keptRows(
  data: Float32Array,
  indices: readonly number[],
  kept: readonly number[],
  size: number,
): Float32Array {
  if (kept.length === indices.length) return data;
  const out = new Float32Array(kept.length * size);
  kept.forEach((index, row) => {
    const from = indices.indexOf(index) * size;
    out.set(data.subarray(from, from + size), row * size);
  });
  return out;
}
