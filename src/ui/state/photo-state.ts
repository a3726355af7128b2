// The photos on the page: taking files in, the batch queue (one classify call at a time, in
// chunks), results streaming in, removal, and what the grid shows (filtered and sorted).
import type { Label } from '../../core/labels/index.ts';
import { hasErrorName, toErrorInfo } from '../../core/errors.ts';
import type {
  BatchProgress,
  BatchUpdate,
  ModelStatus,
  PhotoInput,
  PhotoRecord,
  ScoreTable,
} from '../../shared/worker-api.ts';
import type { App } from '../app.ts';
import type { Collected } from '../collect-files.ts';
import { plural } from '../format.ts';
import { intake, type SkippedFile } from './intake.ts';
import { PhotoView } from './photo-view.ts';
import { Resend } from './resend.ts';
import { ScoreColumns, type LabelScoreView } from './score-columns.ts';
import { ShownPhotos } from './shown-photos.ts';
import { ThumbnailFetcher } from './thumbnail-fetcher.ts';

export { PhotoView, type SkippedFile };

export interface BatchView extends BatchProgress {
  running: boolean;
  cancelling: boolean;
  queued: number;
}

/** Files sent to the worker per classify call (see pump). */
const INPUT_CHUNK = 24;

export class PhotoState {
  photos: PhotoView[] = [];
  skipped: SkippedFile[] = [];
  batch: BatchView | undefined;
  /** Stored photos are in (new ones wait for them, so a stored photo keeps its place). */
  restored = false;
  private nextKey = 1;
  private readonly byKey = new Map<number, PhotoView>();
  private readonly byId = new Map<string, PhotoView>();
  private queue: PhotoView[] = [];
  private readonly scores = new ScoreColumns();
  private readonly staleIds = new Set<string>();
  /** Photos removed while their classify call was under way: the worker still stores them. */
  private readonly removedInFlight = new Set<number>();
  /** Photos sent again after a backend switch (state/resend.ts). */
  private readonly resend = new Resend();
  /** Bumped on every change of the photos or their scores (what the grid shows is kept per). */
  private revision = 0;
  private readonly shown: ShownPhotos;
  /** The batch under way (pump), so a cancel can wait for its end. */
  private running = Promise.resolve();
  readonly thumbnails: ThumbnailFetcher;

  constructor(private readonly app: App) {
    this.thumbnails = new ThumbnailFetcher(app);
    this.shown = new ShownPhotos(app, this.scores);
  }

  photo(key: number): PhotoView | undefined {
    return this.byKey.get(key);
  }

  photoById(id: string): PhotoView | undefined {
    return this.byId.get(id);
  }

  /** Stored photos (a chunk without a table: shown unscored); `previewed` take these records. */
  restoreFrom(records: PhotoRecord[], table?: ScoreTable, previewed?: Set<string>): void {
    for (const record of records.sort((a, b) => a.seq - b.seq)) {
      const shown = this.byId.get(record.id);
      if (shown && previewed?.delete(record.id)) this.applyRecord(shown, record);
      if (shown) continue;
      const view = this.newView(record.name, record.path, record.size, undefined);
      this.photos.push(view);
      this.applyRecord(view, record);
      view.fetchThumbnail = this.thumbnails.want;
    }
    if (table) this.applyTable(table);
    this.revision++;
  }

  /** Takes the images of a drop, paste or pick; lists the rest with the reason. */
  add(collected: Collected): void {
    const { taken, skipped } = intake(collected);
    this.skipped.push(...skipped);
    if (collected.truncated) {
      this.app.messages.notifyInfo(`Only the first ${collected.files.length} files were taken.`);
    }
    const added: PhotoView[] = [];
    for (const { file, path } of taken) {
      // Not file.size (a file-system look-up on this thread for a file on disk): the worker's.
      const view = this.newView(file.name, path, 0, file);
      this.photos.push(view);
      this.queue.push(view);
      added.push(view);
    }
    this.revision++;
    this.app.keywords.photosAdded(added);
    this.app.changed();
    void this.pump();
  }

  private newView(name: string, path: string, size: number, file: File | undefined): PhotoView {
    const view = new PhotoView(this.nextKey++, name, path, size, file);
    this.byKey.set(view.key, view);
    return view;
  }

  /** Runs queued photos through the worker, one classify call at a time; resolves at its end. */
  pump(): Promise<void> {
    const { app } = this;
    if (app.modelPhase === 'failed') {
      // Nothing can be tagged: say so on each waiting photo.
      for (const v of this.queue) {
        v.state = 'error';
        v.error = app.modelError ?? { name: 'ModelNotLoaded', message: '' };
      }
      this.queue = [];
      this.revision++;
      app.changed();
      return Promise.resolve();
    }
    if (app.modelPhase !== 'ready' || !this.restored || this.batch?.running) return this.running;
    if (this.queue.length === 0) return Promise.resolve();
    return (this.running = this.runBatch());
  }

  private async runBatch(): Promise<void> {
    const { app } = this;
    const started = performance.now();
    /** Totals of the chunks already finished in this batch. */
    const before = { done: 0, encoded: 0, fromCache: 0, failed: 0 };
    let inFlight = 0;
    let cancelled = 0;
    const progress = (p?: BatchProgress): BatchView => ({
      done: before.done + (p?.done ?? 0),
      total: before.done + inFlight + this.queue.length,
      encoded: before.encoded + (p?.encoded ?? 0),
      fromCache: before.fromCache + (p?.fromCache ?? 0),
      failed: before.failed + (p?.failed ?? 0),
      elapsedMs: performance.now() - started,
      running: true,
      cancelling: this.batch?.cancelling ?? false,
      queued: this.queue.length,
    });
    this.batch = progress();
    app.changed();
    let workerFailed = false;
    while (this.queue.length > 0 && !this.batch.cancelling && !workerFailed) {
      // A chunk per call: posting a File costs the main thread a file-system look-up (~0.5 ms);
      // a thousand at once would freeze the page.
      const views = this.queue
        .splice(0, INPUT_CHUNK)
        .filter((v) => v.file && this.byKey.has(v.key));
      inFlight = views.length;
      if (views.length === 0) continue;
      const inputs: PhotoInput[] = views.map((v) => ({
        key: v.key,
        file: v.file as File,
        name: v.name,
        path: v.path,
      }));
      let chunkDone = false;
      try {
        const summary = await app.bridge.classify(inputs, (u) => {
          // The worker answers after its last update; a late one must not undo the totals.
          // Set first: the render the update asks for sees them (the last result is not held).
          if (!chunkDone) this.batch = progress(u.progress);
          this.onUpdate(u);
        });
        chunkDone = true;
        app.counters = summary.counters;
        for (const key of summary.cancelled) if (this.dropCancelled(key)) cancelled++;
        before.done += summary.progress.done;
        before.encoded += summary.progress.encoded;
        before.fromCache += summary.progress.fromCache;
        before.failed += summary.progress.failed;
        app.workerRecovered();
      } catch (error) {
        chunkDone = true;
        if (hasErrorName(error, 'WorkerFailed')) {
          // The worker was replaced (App.workerFailed): what it had not finished goes first
          // once the new one has the model, or fails by name when the page gave up.
          const unfinished = (v: PhotoView) => v.state === 'queued' || this.resend.has(v);
          this.queue.unshift(...views.filter((v) => unfinished(v) && this.byKey.has(v.key)));
          workerFailed = true;
          inFlight = 0;
          break;
        }
        app.messages.notify(error);
        for (const v of views) {
          this.resend.done(v);
          if (v.state === 'queued') {
            v.state = 'error';
            v.error = toErrorInfo(error);
          }
        }
        this.revision++;
      }
      inFlight = 0;
      this.batch = progress();
      app.changed();
    }
    if (this.batch.cancelling) {
      for (const v of this.queue.splice(0)) if (this.dropCancelled(v.key)) cancelled++;
      if (cancelled > 0)
        app.messages.notifyInfo(
          `Cancelled: ${plural(cancelled, 'photo was', 'photos were')} not tagged.`,
        );
    }
    this.batch = { ...progress(), running: false, cancelling: false };
    app.changed();
    // Resumes when the new worker is ready (pump waits for that), or names the failure.
    if (workerFailed) void this.pump();
  }

  private onUpdate(u: BatchUpdate): void {
    const lateRemovals: string[] = [];
    for (const { key, record, keywords } of u.photos) {
      let view = this.byKey.get(key);
      if (this.removedInFlight.delete(key)) lateRemovals.push(record.id);
      if (!view) continue;
      this.resend.done(view);
      const existing = this.byId.get(record.id);
      if (existing && existing !== view) {
        // The same file again: it keeps its place; the new tile goes.
        existing.file = view.file;
        this.dropView(view.key);
        view = existing;
      }
      this.applyRecord(view, record);
      this.app.keywords.read(view, keywords);
    }
    this.applyTable(u.table);
    this.app.counters = u.counters;
    if (u.model) this.backendSwitched(u.model, u.leftBehind);
    if (u.storageError) this.app.messages.warnStorage(u.storageError);
    else this.app.tabs.photosAdded(u.photos.map((p) => p.record.id));
    // Stored after the person removed them: removed now (the update comes after the write).
    const late = lateRemovals.filter((id) => !this.byId.has(id));
    const { bridge, tabs, messages } = this.app;
    const failed = (error: unknown) => messages.notify(error);
    if (late.length > 0) bridge.removePhotos(late).then(() => tabs.photosRemoved(late), failed);
    this.app.changed();
  }

  private applyRecord(view: PhotoView, record: PhotoRecord): void {
    this.revision++;
    if (view.id !== undefined && view.id !== record.id) this.byId.delete(view.id);
    view.takeRecord(record);
    this.byId.set(record.id, view);
  }

  applyTable(table: ScoreTable): void {
    this.revision++;
    const stale = this.scores.apply(table, (id) => this.byId.get(id));
    if (stale.length > 0) {
      // Scored just before the labels changed: ask again.
      for (const id of stale) this.staleIds.add(id);
      void this.rescoreStale();
    }
  }

  private async rescoreStale(): Promise<void> {
    await Promise.resolve();
    const ids = [...this.staleIds];
    this.staleIds.clear();
    if (ids.length === 0) return;
    try {
      this.applyTable(await this.app.bridge.scorePhotos(ids));
      this.app.changed();
    } catch (error) {
      this.app.messages.notify(error);
    }
  }

  /** The backend switched (a batch or a label set says): photos are sent again (resend.ts). */
  backendSwitched(model: ModelStatus, leftBehind: readonly string[] = []): void {
    this.resend.switched(model, leftBehind, this.app, (id) => this.byId.get(id), this.queue);
    void this.pump();
  }

  /** Cancelled before it was tagged: a new photo goes; one tagged before and sent again stays. */
  private dropCancelled(key: number): boolean {
    const view = this.byKey.get(key);
    if (!view || this.resend.kept(view)) return false;
    this.dropView(key);
    return true;
  }

  /** Also for photos another tab removed (state/tab-sync.ts). */
  dropView(key: number): void {
    const view = this.byKey.get(key);
    if (!view) return;
    this.resend.done(view);
    this.byKey.delete(key);
    this.revision++;
    if (view.id !== undefined && this.byId.get(view.id) === view) this.byId.delete(view.id);
    view.releaseThumbnail();
    this.photos = this.photos.filter((p) => p !== view);
    if (this.app.detailKey === key) this.app.detailKey = undefined;
  }

  async cancel(): Promise<void> {
    if (this.batch?.running) {
      // The running chunk stops at its next photo or batch; pump drops the rest of the queue.
      this.batch = { ...this.batch, cancelling: true };
      this.app.changed();
      // Ended (its notice posted) before the caller goes on: Clear all's notice comes last. This
      // batch's promise, not a later one's; a failure in it is its own to report.
      const batch = this.running.catch(() => undefined);
      // A dead worker cannot be asked; the supervisor has already stopped its calls.
      await this.app.bridge.cancel().catch(() => undefined);
      await batch;
    } else {
      for (const v of this.queue.splice(0)) this.dropCancelled(v.key);
      this.app.changed();
    }
  }

  /** Removed here or in another tab (state/tab-sync.ts): off the page and the queue. */
  forget(key: number): PhotoView | undefined {
    const view = this.byKey.get(key);
    if (!view) return undefined;
    const waiting = this.queue.includes(view);
    this.queue = this.queue.filter((v) => v !== view);
    // Sent to the worker but not back yet (new, or sent again): removed when its result arrives.
    const sent = (view.id === undefined && view.state === 'queued') || this.resend.has(view);
    if (!waiting && sent) this.removedInFlight.add(key);
    this.dropView(key);
    return view;
  }

  async removePhoto(key: number): Promise<void> {
    const view = this.forget(key);
    if (!view) return;
    this.app.changed();
    if (view.id !== undefined) await this.removeStored([view.id]);
  }

  /** Removes photos by id from the page and the library, in one worker call. */
  async removePhotos(ids: readonly string[]): Promise<void> {
    const views = ids.map((id) => this.byId.get(id)).filter((v) => v !== undefined);
    for (const view of views) this.forget(view.key);
    this.app.changed();
    await this.removeStored(views.map((v) => v.id as string));
  }

  private async removeStored(ids: string[]): Promise<void> {
    try {
      await this.app.bridge.removePhotos(ids);
      this.app.tabs.photosRemoved(ids);
    } catch (error) {
      this.app.messages.notify(error);
    }
  }

  /** Drops every photo and what was skipped (everything is being cleared). */
  dropAll(): void {
    for (const view of [...this.photos]) this.dropView(view.key);
    this.skipped = [];
    this.removedInFlight.clear();
    this.resend.clear();
  }

  /** Every enabled label's score for a photo, best first (empty before it is scored). */
  scoresOf(view: PhotoView, keep?: (label: Label, score: number) => boolean): LabelScoreView[] {
    const { labels, disabled } = this.app.labelSet;
    return this.scores.scoresOf(view, labels, disabled, keep);
  }

  scoreOf(view: PhotoView, labelId: string): number | undefined {
    return this.scores.scoreOf(view, labelId);
  }

  /** How many labels of the current set a photo has no score for yet (a label just added). */
  missingScores(view: PhotoView): number {
    return this.scores.missingScores(view, this.app.labelSet.labels);
  }

  /** The photos to show: filtered by label (above threshold), then sorted (kept until a change). */
  visiblePhotos(): PhotoView[] {
    return this.shown.visible(this.revision, this.photos);
  }

  /** Per label, how many photos score at or above the threshold (kept until a change). */
  labelCounts(): Map<string, number> {
    return this.shown.counts(this.revision, this.photos);
  }

  /** How many photos failed, and whether any is scored or failed (kept until a change). */
  tally(): { failed: number; scored: boolean } {
    return this.shown.tally(this.revision, this.photos);
  }
}
