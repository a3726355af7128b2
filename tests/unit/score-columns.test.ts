// What the grid derives from every photo's scores at each render: the filter menu's count of
// photos per label and the sort by best score, over rows of several score-table versions (a
// label added or removed between them), photos not yet scored, NaN scores, the threshold's edge.
import { describe, expect, test } from 'vitest';
import type { Label } from '../../src/core/labels/index.ts';
import { PhotoView } from '../../src/ui/state/photo-view.ts';
import { ScoreColumns } from '../../src/ui/state/score-columns.ts';
import { sortPhotos } from '../../src/ui/state/shown-photos.ts';

const label = (id: string) => ({ id, name: id }) as Label;
const photo = (key: number) => new PhotoView(key, `p${key}`, `p${key}`, 1, undefined);

/** Photos 0-3: 0 and 1 scored by version 1 (a, b), 2 by version 2 (c, a), 3 not scored. */
function scored() {
  const photos = [0, 1, 2, 3].map(photo);
  const byId = (id: string) => photos[Number(id)];
  const columns = new ScoreColumns();
  // Version 1 knew a, b; version 2 has c, a (b removed, c added, in another order).
  columns.apply(
    {
      version: 1,
      labelIds: ['a', 'b'],
      photoIds: ['0', '1'],
      scores: Float32Array.of(0.5, 0.9, 0.2, Number.NaN),
      cosines: new Float32Array(4),
    },
    byId,
  );
  columns.apply(
    {
      version: 2,
      labelIds: ['c', 'a'],
      photoIds: ['2'],
      scores: Float32Array.of(0.7, 0.6),
      cosines: new Float32Array(2),
    },
    byId,
  );
  return { photos, columns };
}

describe('ScoreColumns', () => {
  test('counts each photo by its own version’s columns, at or above the threshold', () => {
    const { photos, columns } = scored();
    const counts = columns.counts(photos, ['a', 'b', 'c', 'd'].map(label), 0.5);
    expect(Object.fromEntries(counts)).toEqual({ a: 2, b: 1, c: 1 });
    expect(Object.fromEntries(columns.counts(photos, [label('a')], 0.61))).toEqual({});
  });

  test('best scores skip disabled labels, NaN and unscored photos', () => {
    const { photos, columns } = scored();
    const labels = ['a', 'b', 'c'].map(label);
    const f32 = (xs: number[]) => xs.map(Math.fround);
    expect([...columns.bestScores(photos, labels, new Set())]).toEqual(f32([0.9, 0.2, 0.7, -1]));
    const some = columns.bestScores(photos, labels, new Set(['b', 'c']));
    expect([...some]).toEqual(f32([0.5, 0.2, 0.6, -1]));
  });

  test('the sort by score: best first, ties in the order added, by one label when filtered', () => {
    const { photos, columns } = scored();
    const labels = ['a', 'b', 'c'].map(label);
    const by = {
      scoreOf: (p: PhotoView, id: string) => columns.scoreOf(p, id),
      bestScores: (list: readonly PhotoView[]) => columns.bestScores(list, labels, new Set()),
    };
    const keys = (list: PhotoView[]) => list.map((p) => p.key);
    expect(keys(sortPhotos(photos, '', 0, 'score', by))).toEqual([0, 2, 1, 3]);
    expect(keys(sortPhotos([photos[3], photos[1]] as PhotoView[], '', 0, 'score', by))).toEqual([
      1, 3,
    ]);
    // Filtered by "a" at 0.5: photos 0 (0.5) and 2 (0.6), the better first.
    expect(keys(sortPhotos(photos, 'a', 0.5, 'score', by))).toEqual([2, 0]);
    expect(keys(sortPhotos(photos, '', 0, 'added', by))).toEqual([0, 1, 2, 3]);
  });
});
