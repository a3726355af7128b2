// What the grid derives from all photos (the filtered and sorted list, the count per label, the
// failed count), each kept with the inputs it was made from: a render while nothing changed
// (scrolling, drawing the next tiles, a search shown) reuses them instead of walking every photo.
import type { App, SortOrder } from '../app.ts';
import type { PhotoView } from './photo-view.ts';
import type { ScoreColumns } from './score-columns.ts';

type Inputs = readonly unknown[];

class Kept<T> {
  private inputs: Inputs | undefined;
  private value: T | undefined;

  get(inputs: Inputs, make: () => T): T {
    const same =
      this.inputs !== undefined &&
      this.inputs.length === inputs.length &&
      this.inputs.every((x, i) => Object.is(x, inputs[i]));
    if (!same || this.value === undefined) {
      this.value = make();
      this.inputs = inputs;
    }
    return this.value;
  }
}

export class ShownPhotos {
  private readonly list = new Kept<PhotoView[]>();
  private readonly perLabel = new Kept<Map<string, number>>();
  private readonly totals = new Kept<{ failed: number; scored: boolean }>();

  constructor(
    private readonly app: App,
    private readonly scores: ScoreColumns,
  ) {}

  /** `revision` changes with every change of the photos or their scores. */
  visible(revision: number, photos: PhotoView[]): PhotoView[] {
    const { filterLabel, threshold, sort } = this.app;
    const { labels, disabled, disabledRevision } = this.app.labelSet;
    const inputs = [revision, filterLabel, threshold, sort, labels, disabledRevision];
    return this.list.get(inputs, () =>
      sortPhotos(photos, filterLabel, threshold, sort, {
        scoreOf: (p, id) => this.scores.scoreOf(p, id),
        bestScores: (list) => this.scores.bestScores(list, labels, disabled),
      }),
    );
  }

  /** Per label, how many photos score at or above the threshold. */
  counts(revision: number, photos: PhotoView[]): Map<string, number> {
    const { labels } = this.app.labelSet;
    const { threshold } = this.app;
    return this.perLabel.get([revision, threshold, labels], () =>
      this.scores.counts(photos, labels, threshold),
    );
  }

  /** How many photos failed, and whether any is scored or failed. */
  tally(revision: number, photos: PhotoView[]): { failed: number; scored: boolean } {
    return this.totals.get([revision], () => ({
      failed: photos.filter((p) => p.state === 'error').length,
      scored: photos.some((p) => p.state !== 'queued'),
    }));
  }
}

/** The photos to show: filtered by label (at or above the threshold), then sorted. */
export function sortPhotos(
  photos: PhotoView[],
  filterLabel: string,
  threshold: number,
  sort: SortOrder,
  scores: {
    scoreOf: (p: PhotoView, labelId: string) => number | undefined;
    /** The best score of each photo of a list, in its order. */
    bestScores: (list: readonly PhotoView[]) => ArrayLike<number>;
  },
): PhotoView[] {
  let list = photos;
  if (filterLabel) {
    list = list.filter((p) => (scores.scoreOf(p, filterLabel) ?? -1) >= threshold);
  }
  if (sort === 'name') {
    list = [...list].sort((a, b) => a.path.localeCompare(b.path));
  } else if (sort === 'score') {
    const keys = filterLabel
      ? list.map((p) => scores.scoreOf(p, filterLabel) ?? -1)
      : scores.bestScores(list);
    // Highest first; equal keys keep the order added (the sort is stable over the positions).
    const order = list.map((_, i) => i).sort((a, b) => (keys[b] ?? -1) - (keys[a] ?? -1));
    list = order.map((i) => list[i] as PhotoView);
  }
  return list;
}
