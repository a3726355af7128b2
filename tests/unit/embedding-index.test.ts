// The worker's contiguous matrix of the library (src/worker/library/embedding-index.ts) follows
// the library's map as photos are added, removed and replaced: the same rows as a fresh build.
import { describe, expect, it } from 'vitest';
import { unitMatrix } from '../../src/core/library/index.ts';
import { EmbeddingIndex } from '../../src/worker/library/embedding-index.ts';

const DIM = 4;
const vec = (seed: number) => Float32Array.from({ length: DIM }, (_, k) => Math.sin(seed * 7 + k));

/** What a fresh build of the map gives: ids in order, unit rows. */
function fresh(map: Map<string, Float32Array>) {
  const ids = [...map.keys()];
  const rows = new Float32Array(ids.length * DIM);
  ids.forEach((id, i) => rows.set(map.get(id) as Float32Array, i * DIM));
  return { ids, data: unitMatrix(rows, DIM).data };
}

function expectInSync(index: EmbeddingIndex, map: Map<string, Float32Array>) {
  const got = index.sync(map, DIM, (id) => `hash-${id}`);
  const want = fresh(map);
  // Same rows by id (a replaced vector may move to the end: row order is not part of it).
  const rowsOf = (ids: readonly string[], data: Float32Array) =>
    new Map(ids.map((id, i) => [id, Array.from(data.subarray(i * DIM, (i + 1) * DIM))]));
  expect(got.matrix.n).toBe(want.ids.length);
  expect(rowsOf(got.ids, got.matrix.data)).toEqual(rowsOf(want.ids, want.data));
  expect(got.hashes).toEqual(got.ids.map((id) => `hash-${id}`));
}

describe('EmbeddingIndex', () => {
  it('appends new photos, compacts removed ones, re-reads a replaced vector', () => {
    const map = new Map<string, Float32Array>();
    const index = new EmbeddingIndex();
    expectInSync(index, map);
    for (let i = 0; i < 5; i++) map.set(`p${i}`, vec(i));
    expectInSync(index, map);
    map.delete('p1');
    map.delete('p3');
    expectInSync(index, map);
    for (let i = 5; i < 2000; i++) map.set(`p${i}`, vec(i));
    expectInSync(index, map);
    map.set('p0', vec(99));
    expectInSync(index, map);
    map.clear();
    expectInSync(index, map);
  });

  it('gives its buffer back when most photos are gone (Clear all)', () => {
    const map = new Map<string, Float32Array>();
    for (let i = 0; i < 5000; i++) map.set(`p${i}`, vec(i));
    const index = new EmbeddingIndex();
    expect(index.sync(map, DIM, () => undefined).matrix.data.buffer.byteLength).toBeGreaterThan(
      5000 * DIM * 4,
    );
    map.clear();
    expect(index.sync(map, DIM, () => undefined).matrix.data.buffer.byteLength).toBe(
      1024 * DIM * 4,
    );
    map.set('again', vec(1));
    expectInSync(index, map);
  });

  it('leaves out a vector of another length or without direction', () => {
    const map = new Map([
      ['a', vec(1)],
      ['zero', new Float32Array(DIM)],
      ['short', new Float32Array(2).fill(1)],
    ]);
    const got = new EmbeddingIndex().sync(map, DIM, () => undefined);
    expect([...got.ids]).toEqual(['a']);
  });

  it('starts over for another library', () => {
    const index = new EmbeddingIndex();
    index.sync(new Map([['a', vec(1)]]), DIM, () => undefined);
    const other = new Map([['b', vec(2)]]);
    expectInSync(index, other);
  });
});
