// Issue 16: classify with each file read once. The prepare side hashes each file beside its
// decode; here the prepared batch is sorted by hash before the model runs it: content the library
// holds, content the store holds, and a second file of the same content need no run.
import { describe, expect, test } from 'vitest';
import { imageEmbeddingKey, photoId, photoScope } from '../../src/core/cache-keys.ts';
import type { KeywordsRead } from '../../src/core/xmp/embedded-keywords.ts';
import type { PhotoInput } from '../../src/shared/worker-api.ts';
import type { MumicStore } from '../../src/store/types.ts';
import { ReadOnce, unreadJobs, type EncodeJob } from '../../src/worker/classify/read-once.ts';
import type { Library } from '../../src/worker/library/library.ts';
import type { PreparedBlobs } from '../../src/worker/prepare-protocol.ts';

const ROW = 2; // floats per prepared image
const scope = photoScope('m', 'q8');
const vec = (x: number) => Float32Array.of(x, x, x);
const thumb = (name: string) => new Blob([name]);
const keywords = (word: string): KeywordsRead => ({
  keywords: { subject: [word], hierarchicalSubject: [], tagsList: [], iptc: [], exif: [] },
});
const subject = (read: KeywordsRead | undefined) =>
  read && 'keywords' in read ? read.keywords.subject[0] : undefined;

function library(): Library {
  return {
    scopeKey: 'm/q8',
    scope,
    records: new Map(),
    embeddings: new Map(),
    byHash: new Map([['held', { embedding: vec(1), thumbnail: thumb('held') }]]),
    nextSeq: 0,
    loadError: undefined,
    head: undefined,
  };
}

/** A store holding only the vector of hash "stored". */
const store = {
  getImageEmbeddings: (keys: readonly unknown[]) =>
    Promise.resolve(
      keys.map((k) =>
        JSON.stringify(k) === JSON.stringify(imageEmbeddingKey('m', 'q8', 'stored'))
          ? vec(2)
          : undefined,
      ),
    ),
  getThumbnails: () => Promise.resolve([]),
} as unknown as MumicStore;

const input = (key: number): PhotoInput => ({
  key,
  file: new Blob([`file ${key}`]),
  name: `p${key}.jpg`,
  path: `dir/p${key}.jpg`,
});

/** A sorter over the library above and the store above (vectors of 3, images of ROW). */
function sorterWith(again: ConstructorParameters<typeof ReadOnce>[0]['again']): ReadOnce {
  const lib = library();
  return new ReadOnce({ library: () => lib, store, dim: 3, cropSize: ROW, again });
}

describe('ReadOnce', () => {
  test('only new content goes on to the model; the rest is matched by hash', async () => {
    const again: number[] = [];
    const sorter = sorterWith((jobs, start) => {
      again.push(start);
      return Promise.resolve({
        pixels: Float32Array.of(9, 9),
        indices: [start],
        failures: [],
        thumbnails: [thumb('again')],
      });
    });
    expect([...sorter.known]).toEqual(['held']);
    const jobs = [...unreadJobs([0, 1, 2, 3, 4, 5].map(input)).values()];
    expect(jobs[0]?.pending[0]?.id).toBe(photoId(undefined, 'dir/p0.jpg', '6'));
    // 0 held (left undecoded), 1 new, 2 a copy of 1, 3 in the store, 4 failed to decode,
    // 5 known when the call began but since removed everywhere: prepared again.
    const prepared: PreparedBlobs = {
      pixels: Float32Array.of(1, 1, 2, 2, 3, 3),
      indices: [11, 12, 13],
      failures: [{ index: 14, error: { name: 'ImageDecodeFailed', message: 'x' } }],
      thumbnails: [undefined, thumb('t1'), thumb('t2'), thumb('t3'), undefined, undefined],
      hashes: ['held', 'new', 'new', 'stored', 'bad', 'gone'],
      known: [0, 5],
      keywords: ['k0', 'k1', 'k1', 'k3', 'k4', 'k5'].map(keywords),
    };
    const batch = await sorter.sort(jobs, 10, prepared);
    expect(batch.indices).toEqual([11, 15]);
    expect([...batch.pixels]).toEqual([1, 1, 9, 9]);
    expect(batch.failures.map((f) => f.index)).toEqual([14]);
    expect(again).toEqual([15]);
    const cached = sorter.cached.map((d) => [d.pending.input.key, d.embedding?.[0]]);
    expect(cached).toEqual([
      [0, 1],
      [3, 2],
    ]);
    expect(await sorter.cached[0]?.thumbnail?.text()).toBe('held');
    expect(await sorter.cached[1]?.thumbnail?.text()).toBe('t3');
    // Each file's keywords, read beside its hash, go with it whatever its way.
    expect(sorter.cached.map((d) => subject(d.keywords))).toEqual(['k0', 'k3']);
    expect(jobs.map((j) => subject(j.keywords))).toEqual(['k0', 'k1', 'k1', 'k3', 'k4', 'k5']);
    // The copy rides with the first file of its content: one run, both photos.
    const first = jobs[1] as EncodeJob;
    expect(first.pending.map((p) => p.input.key)).toEqual([1, 2]);
    expect(first.pending[1]?.id).toBe(photoId('new', 'dir/p2.jpg', '6'));
    expect(sorter.copies).toEqual([]);

    // A later copy of content already run gets its outcome, without a run.
    first.outcome = { embedding: vec(7) };
    const later = [...unreadJobs([input(6)]).values()];
    const rest = await sorter.sort(later, 20, {
      pixels: Float32Array.of(4, 4),
      indices: [20],
      failures: [],
      thumbnails: [thumb('t6')],
      hashes: ['new'],
      known: [],
      keywords: [keywords('k6')],
    });
    expect(rest.indices).toEqual([]);
    expect(rest.pixels.length).toBe(0);
    expect(sorter.copies.map((d) => [d.pending.input.key, d.embedding?.[0]])).toEqual([[6, 7]]);
    expect(subject(sorter.copies[0]?.keywords)).toBe('k6');
  });

  test("a nested worker's vectors stay with the rows kept when matched rows leave", async () => {
    const sorter = sorterWith(() => Promise.reject(new Error('nothing is prepared again')));
    const jobs = [...unreadJobs([0, 1, 2].map(input)).values()];
    // 0 new, 1 in the store (found only now: decoded and run on the copy), 2 new.
    const prepared: PreparedBlobs = {
      pixels: Float32Array.of(1, 1, 2, 2, 3, 3),
      indices: [0, 1, 2],
      failures: [],
      thumbnails: [undefined, undefined, undefined],
      hashes: ['a', 'stored', 'b'],
      known: [],
      embeddings: Float32Array.of(1, 1, 1, 2, 2, 2, 3, 3, 3),
      embeddedWith: 'q8',
    };
    const batch = (await sorter.sort(jobs, 0, prepared)) as PreparedBlobs;
    expect(batch.indices).toEqual([0, 2]);
    expect([...batch.pixels]).toEqual([1, 1, 3, 3]);
    expect([...(batch.embeddings ?? [])]).toEqual([1, 1, 1, 3, 3, 3]);
    expect(batch.embeddedWith).toBe('q8');
  });
});
