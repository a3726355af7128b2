// The library views of the page: a ranking ("Find photos" by words, or "more like this" from a
// photo) that replaces the grid's order while active, and the near-duplicate groups. The worker
// ranks and groups; this keeps what it answered, by photo id, and the actions on it.
import { DEFAULT_DUPLICATE_COSINE } from '../../core/library/duplicates.ts';
import type { DuplicatesResult, PhotoRanking } from '../../shared/worker-api.ts';
import { PAGE_SIZE, type App } from '../app.ts';
import type { PhotoView } from './photo-state.ts';

export interface RankingView {
  kind: 'search' | 'similar';
  /** The words searched for, or the name of the photo compared with. */
  query: string;
  /** Photo id → rank (1 = best) and cosine. */
  byId: Map<string, { rank: number; cosine: number }>;
  /** The ranked ids the page has (the first pages; more are asked for as more are shown). */
  ids: string[];
  /** How many photos the ranking holds in all. */
  total: number;
  /** The worker's name for it (morePhotos). */
  handle: number;
  textMs: number;
  rankMs: number;
}

export interface DuplicateGroupView {
  /** Photo ids, the reference first; cosines with it in the same order. */
  ids: string[];
  cosines: number[];
}

export class SearchState {
  /** What the search box holds (a search runs when it is submitted). */
  text = '';
  ranking: RankingView | undefined;
  busy = false;
  /** Bumped on every change of the ranking (tiles redraw on it). */
  revision = 0;
  duplicates: { groups: DuplicateGroupView[]; minCosine: number; elapsedMs: number } | undefined;
  minCosine = DEFAULT_DUPLICATE_COSINE;
  /** Answers to older requests are dropped. */
  private request = 0;
  private cachedList:
    { revision: number; photos: PhotoView[]; have: number; list: PhotoView[] } | undefined;
  /** A morePhotos call under way (one at a time). */
  private extending: Promise<void> | undefined;

  constructor(private readonly app: App) {}

  async search(text: string): Promise<void> {
    this.text = text;
    const query = text.trim();
    if (!query) return this.clear();
    await this.run('search', query, () =>
      this.app.bridge.searchPhotos(query, [...this.app.labelSet.templates], this.firstPage()),
    );
  }

  async similar(view: PhotoView): Promise<void> {
    const id = view.id;
    if (id === undefined) return;
    this.text = '';
    await this.run('similar', view.name, () => this.app.bridge.similarPhotos(id, this.firstPage()));
  }

  private run(
    kind: RankingView['kind'],
    query: string,
    ask: () => Promise<PhotoRanking>,
  ): Promise<void> {
    return this.latest(ask, (answer) => {
      this.app.counters = answer.counters;
      const byId = new Map<string, { rank: number; cosine: number }>();
      answer.ids.forEach((id, i) => byId.set(id, { rank: i + 1, cosine: answer.cosines[i] ?? 0 }));
      const { total, ranking: handle } = answer;
      this.ranking = { kind, query, byId, ids: answer.ids, total, handle, ...timing(answer) };
      this.revision++;
    });
  }

  /** What a ranking is first asked for: the tiles the grid shows at once, not the library. */
  private firstPage(): number {
    return Math.max(this.app.shown, PAGE_SIZE);
  }

  /**
   * Makes sure the first `count` ranked photos are on the page (the grid shows more of a
   * ranking): asks the worker for the rest of them, once at a time.
   */
  showUpTo(count: number): void {
    const ranking = this.ranking;
    if (!ranking || this.extending || ranking.ids.length >= Math.min(count, ranking.total)) return;
    const request = this.request;
    this.extending = this.app.bridge
      .morePhotos(ranking.handle, count)
      .then((answer) => {
        if (!answer || request !== this.request || this.ranking !== ranking) return;
        for (let i = ranking.ids.length; i < answer.ids.length; i++) {
          const id = answer.ids[i] as string;
          ranking.ids.push(id);
          ranking.byId.set(id, { rank: i + 1, cosine: answer.cosines[i] ?? 0 });
        }
      })
      .catch((error: unknown) => this.app.messages.notify(error))
      .finally(() => {
        this.extending = undefined;
        this.app.changed();
        // Asked for more again while this one ran.
        this.showUpTo(this.app.shown);
      });
  }

  /** Asks the worker; only the latest request's answer (or error) is taken. */
  private async latest<T>(ask: () => Promise<T>, take: (answer: T) => void): Promise<void> {
    const request = ++this.request;
    this.busy = true;
    this.app.changed();
    try {
      const answer = await ask();
      if (request === this.request) take(answer);
    } catch (error) {
      if (request === this.request) this.app.messages.notify(error);
    } finally {
      if (request === this.request) this.busy = false;
      this.app.changed();
    }
  }

  /** Back to the normal view. */
  clear(): void {
    this.request++;
    this.text = '';
    this.busy = false;
    if (this.ranking) {
      this.ranking = undefined;
      this.revision++;
    }
    this.app.changed();
  }

  /** The searched words as a label (the only way a query becomes one). */
  async addAsLabel(): Promise<void> {
    const query = this.ranking?.kind === 'search' ? this.ranking.query : this.text.trim();
    if (!query) return;
    const label = await this.app.labelSet.addLabel(query);
    if (label) this.app.messages.notifyInfo(`“${label.name}” is now a label.`);
  }

  rankOf(view: PhotoView): { rank: number; cosine: number } | undefined {
    return view.id === undefined ? undefined : this.ranking?.byId.get(view.id);
  }

  /** The ranked photos, best first (photos not ranked, e.g. failed ones, are left out). */
  rankedPhotos(): PhotoView[] {
    const { photos } = this.app.library;
    const cached = this.cachedList;
    const have = this.ranking?.ids.length ?? 0;
    if (cached?.revision === this.revision && cached.photos === photos && cached.have === have) {
      return cached.list;
    }
    const list: PhotoView[] = [];
    for (const id of this.ranking?.ids ?? []) {
      const view = this.app.library.photoById(id);
      if (view) list.push(view);
    }
    this.cachedList = { revision: this.revision, photos, have, list };
    return list;
  }

  // ---- near-duplicates ---------------------------------------------------------------------

  async findDuplicates(minCosine = this.minCosine): Promise<void> {
    this.minCosine = minCosine;
    await this.latest(
      () => this.app.bridge.duplicatePhotos(minCosine),
      (answer: DuplicatesResult) => {
        this.duplicates = answer;
      },
    );
  }

  closeDuplicates(): void {
    this.duplicates = undefined;
    this.app.changed();
  }

  /** Keeps photo `keepId` of a group and removes the group's others from the library. */
  async keepOne(group: DuplicateGroupView, keepId: string): Promise<void> {
    const { library } = this.app;
    if (!group.ids.includes(keepId)) return;
    const remove = group.ids.filter((id) => id !== keepId);
    if (this.duplicates) {
      const groups = this.duplicates.groups.filter((g) => g !== group);
      this.duplicates = { ...this.duplicates, groups };
    }
    await library.removePhotos(remove);
    if (this.ranking) {
      this.revision++;
      this.cachedList = undefined;
    }
    this.app.changed();
  }

  /** The photos of a group that are still on the page, in the group's order. */
  groupPhotos(group: DuplicateGroupView): PhotoView[] {
    return group.ids
      .map((id) => this.app.library.photoById(id))
      .filter((p): p is PhotoView => p !== undefined);
  }
}

function timing(answer: PhotoRanking): { textMs: number; rankMs: number } {
  return { textMs: answer.textMs, rankMs: answer.rankMs };
}
