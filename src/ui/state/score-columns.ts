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

  bestScore(view: PhotoView, labels: readonly Label[], disabled: ReadonlySet<string>): number {
    let best = -1;
    for (const label of labels) {
      if (disabled.has(label.id)) continue;
      const s = this.scoreOf(view, label.id);
      if (s !== undefined && s > best) best = s;
    }
    return best;
  }

  /** Per label, how many photos score at or above the threshold. */
  counts(photos: readonly PhotoView[], labels: readonly Label[], threshold: number) {
    const counts = new Map<string, number>();
    for (const p of photos) {
      if (!this.index(p)) continue;
      for (const label of labels) {
        const s = this.scoreOf(p, label.id);
        if (s !== undefined && s >= threshold)
          counts.set(label.id, (counts.get(label.id) ?? 0) + 1);
      }
    }
    return counts;
  }
}
