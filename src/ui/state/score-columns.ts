// Scores as the page keeps them: each photo's row of one score table version, read through that
// version's columns, so a row made before a label change is still read right.
import type { Label } from '../../core/labels/index.ts';
import { compareLabelScores } from '../../core/score-rank.ts';
import type { ScoreTable } from '../../shared/worker-api.ts';
import type { PhotoView } from './photo-state.ts';

export interface LabelScoreView {
  label: Label;
  score: number;
  cosine: number;
}

export class ScoreColumns {
  private columns = new Map<number, Map<string, number>>();
  private latestVersion = -1;

  /**
   * Takes a table's rows into the photos (by id). Returns the ids scored before the newest label
   * change, to ask for again.
   */
  apply(table: ScoreTable, byId: (id: string) => PhotoView | undefined): string[] {
    let index = this.columns.get(table.version);
    if (!index) {
      index = new Map(table.labelIds.map((id, j) => [id, j]));
      this.columns.set(table.version, index);
    }
    const m = table.labelIds.length;
    table.photoIds.forEach((id, i) => {
      const view = byId(id);
      if (!view || (view.row && view.row.version > table.version)) return;
      view.row = {
        version: table.version,
        scores: table.scores.subarray(i * m, (i + 1) * m),
        cosines: table.cosines.subarray(i * m, (i + 1) * m),
      };
    });
    const stale = table.version < this.latestVersion ? table.photoIds : [];
    this.latestVersion = Math.max(this.latestVersion, table.version);
    return stale;
  }

  private index(view: PhotoView): Map<string, number> | undefined {
    return view.row ? this.columns.get(view.row.version) : undefined;
  }

  /**
   * Every enabled label's score for a photo, best first (empty before it is scored); only those
   * `keep` accepts, if given (a tile's chips: filtered before the sort, which is most of the cost).
   */
  scoresOf(
    view: PhotoView,
    labels: readonly Label[],
    disabled: ReadonlySet<string>,
    keep?: (label: Label, score: number) => boolean,
  ) {
    const row = view.row;
    const index = this.index(view);
    if (!row || !index) return [];
    const out: LabelScoreView[] = [];
    for (const label of labels) {
      if (disabled.has(label.id)) continue;
      const j = index.get(label.id);
      if (j === undefined) continue;
      const score = row.scores[j] ?? Number.NaN;
      if (keep && !keep(label, score)) continue;
      out.push({ label, score, cosine: row.cosines[j] ?? Number.NaN });
    }
    return out.sort((a, b) =>
      compareLabelScores(
        { label: a.label.id, score: a.score, cosine: a.cosine },
        { label: b.label.id, score: b.score, cosine: b.cosine },
      ),
    );
  }

  scoreOf(view: PhotoView, labelId: string): number | undefined {
    const j = this.index(view)?.get(labelId);
    return view.row && j !== undefined ? view.row.scores[j] : undefined;
  }

  /** How many labels of the set a photo has no score for yet (a label just added). */
  missingScores(view: PhotoView, labels: readonly Label[]): number {
    const index = this.index(view);
    if (!index) return labels.length;
    return labels.filter((l) => !index.has(l.id)).length;
  }

  /**
   * Each photo's best score over the labels not disabled (-1 before it is scored): the key of the
   * sort by score, over the whole library at every render while photos stream in.
   */
  bestScores(
    photos: readonly PhotoView[],
    labels: readonly Label[],
    disabled: ReadonlySet<string>,
  ): Float32Array {
    const enabled = labels.filter((l) => !disabled.has(l.id));
    const best = new Float32Array(photos.length).fill(-1);
    const read = this.rowReader(enabled);
    photos.forEach((p, i) => {
      const row = read(p);
      if (!row) return;
      const { at, scores } = row;
      let top = -1;
      for (let k = 0; k < at.length; k++) {
        const j = at[k] ?? -1;
        const score = j >= 0 ? (scores[j] ?? Number.NaN) : Number.NaN;
        if (score > top) top = score;
      }
      best[i] = top;
    });
    return best;
  }

  /**
   * Per label, how many photos score at or above the threshold (labels with none left out). Run
   * at every render while photos stream in, over the whole library, and at every move of the
   * threshold (10,000 photos x 120 labels: 21-36 ms in Chromium with a lookup per score, 3-5 ms
   * with the columns looked up once per row version; bench/label-counts.ts).
   */
  counts(photos: readonly PhotoView[], labels: readonly Label[], threshold: number) {
    const tally = new Int32Array(labels.length);
    const read = this.rowReader(labels);
    for (const p of photos) {
      const row = read(p);
      if (!row) continue;
      const { at, scores } = row;
      for (let k = 0; k < at.length; k++) {
        const j = at[k] ?? -1;
        if (j >= 0 && (scores[j] ?? Number.NaN) >= threshold) tally[k] = (tally[k] ?? 0) + 1;
      }
    }
    const counts = new Map<string, number>();
    labels.forEach((label, k) => {
      const n = tally[k] ?? 0;
      if (n > 0) counts.set(label.id, n);
    });
    return counts;
  }

  /**
   * For a pass over many photos: a photo's scores and the column of each of `labels` in them (-1:
   * its version has no such label), the columns looked up once per row version; undefined before
   * it is scored.
   */
  private rowReader(
    labels: readonly Label[],
  ): (view: PhotoView) => { at: Int32Array; scores: Float32Array } | undefined {
    const byVersion = new Map<number, Int32Array>();
    return ({ row }) => {
      if (!row) return undefined;
      let at = byVersion.get(row.version);
      if (!at) {
        const index = this.columns.get(row.version);
        if (!index) return undefined;
        at = Int32Array.from(labels, (l) => index.get(l.id) ?? -1);
        byVersion.set(row.version, at);
      }
      return { at, scores: row.scores };
    };
  }
}
