// What the grid derives from all photos (the filtered and sorted list, the count per label, the
// failed count), each kept with the inputs it was made from: a render while nothing changed
// (scrolling, drawing the next tiles, a search shown) reuses them instead of walking every photo.
import type { SortOrder } from '../app.ts';
import type { PhotoView } from './photo-view.ts';

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

  visible(inputs: Inputs, make: () => PhotoView[]): PhotoView[] {
    return this.list.get(inputs, make);
  }

  counts(inputs: Inputs, make: () => Map<string, number>): Map<string, number> {
    return this.perLabel.get(inputs, make);
  }

  tally(inputs: Inputs, make: () => { failed: number; scored: boolean }) {
    return this.totals.get(inputs, make);
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
    bestScore: (p: PhotoView) => number;
  },
): PhotoView[] {
  let list = photos;
  if (filterLabel) {
    list = list.filter((p) => (scores.scoreOf(p, filterLabel) ?? -1) >= threshold);
  }
  if (sort === 'name') {
    list = [...list].sort((a, b) => a.path.localeCompare(b.path));
  } else if (sort === 'score') {
    const key = (p: PhotoView): number =>
      filterLabel ? (scores.scoreOf(p, filterLabel) ?? -1) : scores.bestScore(p);
    const keys = new Map(list.map((p) => [p, key(p)]));
    list = [...list].sort((a, b) => (keys.get(b) ?? -1) - (keys.get(a) ?? -1));
  }
  return list;
}
