// The page's state and actions. Heavy work (decoding, inference, hashing, scoring) is in the
// worker; this side keeps what is shown and asks the worker through the bridge.
import { MumicError, describeError, toErrorInfo, type ErrorInfo } from '../core/errors.ts';
import { judgeInputFile } from '../core/image-files.ts';
import {
  DEFAULT_LABELS,
  exportLabelSetJson,
  exportLabelSetText,
  labelsFromJsonValue,
  parseLabelSet,
  parseLabelSetText,
  type Label,
} from '../core/labels/index.ts';
import { TEMPLATE_ENSEMBLES, type TemplateSet } from '../core/prompts.ts';
import { resultsToCsv, resultsToJson, type ExportPhoto } from '../core/results-export.ts';
import { DEFAULT_THRESHOLD } from '../core/score.ts';
import { compareLabelScores } from '../core/score-rank.ts';
import type {
  BatchProgress,
  BatchUpdate,
  Counters,
  LabelProgress,
  LoadProgress,
  ModelStatus,
  PhotoInput,
  PhotoRecord,
  ScoreTable,
} from '../shared/worker-api.ts';
import type { AppParams } from './app-params.ts';
import type { WorkerBridge } from './bridge.ts';
import type { Collected, Picked } from './collect-files.ts';
import { downloadText } from './download.ts';
import { plural } from './format.ts';
import type { ModelPicker } from './model-picker-state.ts';
import { Learning } from './learning.ts';

export type SortOrder = 'added' | 'name' | 'score';

export interface PhotoView {
  /** The page's handle (ids come from the worker once the file is hashed). */
  key: number;
  id: string | undefined;
  /** SHA-256 of the content (what feedback is keyed by), once the worker has hashed it. */
  hash: string | undefined;
  name: string;
  path: string;
  size: number;
  /** The original file, this session only (after a reload only the thumbnail is kept). */
  file: File | undefined;
  state: 'queued' | 'done' | 'error';
  thumbUrl: string | undefined;
  error: ErrorInfo | undefined;
  row: { version: number; scores: Float32Array; cosines: Float32Array } | undefined;
}

export interface LabelScoreView {
  label: Label;
  score: number;
  cosine: number;
}

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  /** The error name (ERROR_NAMES) when it is an error. */
  name: string | undefined;
  text: string;
}

export interface SkippedFile {
  name: string;
  path: string;
  reason: string;
}

export interface BatchView extends BatchProgress {
  running: boolean;
  cancelling: boolean;
  queued: number;
}

export type TemplateName = keyof typeof TEMPLATE_ENSEMBLES;

interface LabelSettings {
  version: 1;
  labels: Label[];
  disabled: string[];
  template: string;
}

interface ViewSettings {
  threshold: number;
}

/** Photos shown at first; more on request, so thousands of photos stay quick to draw. */
export const PAGE_SIZE = 200;
/** Files sent to the worker per classify call (see pump). */
const INPUT_CHUNK = 24;

const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

export class App {
  // ---- model ----
  modelPhase: 'loading' | 'ready' | 'failed' = 'loading';
  modelStatus: ModelStatus | undefined;
  modelProgress: LoadProgress | undefined;
  modelError: ErrorInfo | undefined;
  counters: Counters = { imagesEncoded: 0, textsEncoded: 0 };

  // ---- labels ----
  labels: Label[] = [...DEFAULT_LABELS];
  disabled = new Set<string>();
  /** Bumped whenever `disabled` changes in place (the view redraws tiles on it). */
  disabledRevision = 0;
  template: TemplateName = 'default';
  labelWork: LabelProgress | undefined;
  labelsReady = false;
  labelSource = '';
  private labelsById = new Map<string, Label>(this.labels.map((l) => [l.id, l]));
  private labelRequest = 0;

  // ---- photos ----
  photos: PhotoView[] = [];
  skipped: SkippedFile[] = [];
  batch: BatchView | undefined;
  private nextKey = 1;
  private readonly byKey = new Map<number, PhotoView>();
  private readonly byId = new Map<string, PhotoView>();
  private queue: PhotoView[] = [];
  private columns = new Map<number, Map<string, number>>();
  private latestVersion = -1;
  private staleIds = new Set<string>();
  private restored = false;

  // ---- view ----
  threshold = DEFAULT_THRESHOLD;
  filterLabel = '';
  sort: SortOrder = 'added';
  shown = PAGE_SIZE;
  detailKey: number | undefined;
  notices: Notice[] = [];
  private nextNotice = 1;
  private storageWarned = false;

  // ---- learning from feedback ----
  readonly learning: Learning;

  constructor(
    private readonly bridge: WorkerBridge,
    readonly params: AppParams,
    private readonly changed: () => void,
  ) {
    // Arrow functions: Learning reaches the App's private parts only through these.
    this.learning = new Learning({
      bridge,
      applyTable: (table) => this.applyTable(table),
      notify: (error) => this.notify(error),
      notifyInfo: (text) => this.notifyInfo(text),
      warnStorage: (error) => this.warnStorage(error),
      changed: () => this.changed(),
      labels: () => this.labels,
      addLabel: (text) => this.addLabel(text),
      enable: async (id) => {
        if (this.disabled.has(id)) await this.setEnabled([id], true);
      },
    });
  }

  // =========================================================================================
  // start-up

  /**
   * Settings, then the model, then the labels and the stored photos. `model` resolves to the
   * model's status as soon as it is loaded; `done` once labels and stored photos are in.
   */
  start(request: Parameters<WorkerBridge['loadModel']>[0]): {
    model: Promise<ModelStatus>;
    done: Promise<void>;
  } {
    // May run again: after a model folder is chosen on the no-model screen.
    this.modelRequest = request;
    this.modelPhase = 'loading';
    this.modelError = undefined;
    const settings = this.loadSettings();
    const model = this.bridge
      .loadModel(request, (p) => {
        // A finished file clears the bar (the text tower reports here too, later).
        this.modelProgress = p.total !== undefined && p.loaded >= p.total ? undefined : p;
        this.changed();
      })
      .then(
        (status) => {
          this.modelStatus = status;
          this.counters = status.counters;
          this.modelPhase = 'ready';
          this.modelProgress = undefined;
          this.changed();
          return status;
        },
        (error: unknown) => {
          this.modelPhase = 'failed';
          this.modelError = toErrorInfo(error);
          this.modelProgress = undefined;
          this.changed();
          void this.pump();
          throw error;
        },
      );
    const done = (async () => {
      await settings;
      await model;
      await this.applyLabels();
      try {
        const restored = await this.bridge.restore();
        this.restoreFrom(restored.photos, restored.table);
        if (restored.storageError) this.warnStorage(restored.storageError);
      } catch (error) {
        this.notify(error);
      }
      await this.learning.load();
      this.restored = true;
      this.changed();
      void this.pump();
    })();
    return { model, done };
  }

  private async loadSettings(): Promise<void> {
    try {
      const stored = (await this.bridge.getSetting('labels')) as LabelSettings | undefined;
      if (stored?.version === 1) {
        this.labels = labelsFromJsonValue({ version: 1, labels: stored.labels });
        this.disabled = new Set(stored.disabled.filter((id) => typeof id === 'string'));
        if (Object.hasOwn(TEMPLATE_ENSEMBLES, stored.template)) {
          this.template = stored.template as TemplateName;
        }
        this.labelsById = new Map(this.labels.map((l) => [l.id, l]));
      }
      const view = (await this.bridge.getSetting('view')) as ViewSettings | undefined;
      if (typeof view?.threshold === 'number' && view.threshold >= 0 && view.threshold <= 1) {
        this.threshold = view.threshold;
      }
    } catch (error) {
      // Stored settings that no longer validate are dropped: the defaults apply.
      this.notify(error);
    }
    this.changed();
  }

  private restoreFrom(records: PhotoRecord[], table: ScoreTable): void {
    for (const record of records.sort((a, b) => a.seq - b.seq)) {
      if (this.byId.has(record.id)) continue;
      const view = this.newView(record.name, record.path, record.size, undefined);
      this.photos.push(view);
      this.applyRecord(view, record);
    }
    this.applyTable(table);
  }

  // =========================================================================================
  // photos in

  /** Takes the images of a drop, paste or pick; lists the rest with the reason. */
  add(collected: Collected): void {
    for (const u of collected.unreadable) {
      this.skipped.push({ name: baseName(u.path), path: u.path, reason: u.reason });
    }
    if (collected.truncated) {
      this.notifyInfo(`Only the first ${collected.files.length} files were taken.`);
    }
    const taken: Picked[] = [];
    for (const picked of collected.files) {
      const verdict = judgeInputFile(picked.path, picked.file.type);
      if (verdict.take) taken.push(picked);
      else this.skipped.push({ name: picked.file.name, path: picked.path, reason: verdict.reason });
    }
    for (const { file, path } of taken) {
      // Not file.size: for a file on disk that is a file-system look-up on this thread; the
      // worker reports the size.
      const view = this.newView(file.name, path, 0, file);
      this.photos.push(view);
      this.queue.push(view);
    }
    this.changed();
    void this.pump();
  }

  private newView(name: string, path: string, size: number, file: File | undefined): PhotoView {
    const view: PhotoView = {
      key: this.nextKey++,
      id: undefined,
      hash: undefined,
      name,
      path,
      size,
      file,
      state: 'queued',
      thumbUrl: undefined,
      error: undefined,
      row: undefined,
    };
    this.byKey.set(view.key, view);
    return view;
  }

  /** Runs queued photos through the worker, one classify call at a time. */
  private async pump(): Promise<void> {
    if (this.modelPhase === 'failed') {
      // Nothing can be tagged: say so on each waiting photo.
      for (const v of this.queue) {
        v.state = 'error';
        v.error = this.modelError ?? { name: 'ModelNotLoaded', message: '' };
      }
      this.queue = [];
      this.changed();
      return;
    }
    if (this.modelPhase !== 'ready' || !this.restored || this.batch?.running) return;
    if (this.queue.length === 0) return;
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
    this.changed();
    while (this.queue.length > 0 && !this.batch.cancelling) {
      // A chunk per call: posting a File costs the main thread a file-system look-up (~0.5 ms),
      // so a thousand files at once would freeze the page; chunks spread that out.
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
        const summary = await this.bridge.classify(inputs, (u) => {
          this.onUpdate(u);
          // The worker answers after its last update; a late one must not undo the totals.
          if (!chunkDone) this.batch = progress(u.progress);
        });
        chunkDone = true;
        this.counters = summary.counters;
        for (const key of summary.cancelled) this.dropView(key);
        cancelled += summary.cancelled.length;
        before.done += summary.progress.done;
        before.encoded += summary.progress.encoded;
        before.fromCache += summary.progress.fromCache;
        before.failed += summary.progress.failed;
      } catch (error) {
        chunkDone = true;
        this.notify(error);
        for (const v of views) {
          if (v.state === 'queued') {
            v.state = 'error';
            v.error = toErrorInfo(error);
          }
        }
      }
      inFlight = 0;
      this.batch = progress();
      this.changed();
    }
    if (this.batch.cancelling) {
      cancelled += this.queue.length;
      for (const v of this.queue.splice(0)) this.dropView(v.key);
      this.notifyInfo(`Cancelled: ${plural(cancelled, 'photo was', 'photos were')} not tagged.`);
    }
    this.batch = { ...progress(), running: false, cancelling: false };
    this.changed();
  }

  private onUpdate(u: BatchUpdate): void {
    for (const { key, record } of u.photos) {
      let view = this.byKey.get(key);
      if (!view) continue;
      const existing = this.byId.get(record.id);
      if (existing && existing !== view) {
        // The same file again: it keeps its place; the new tile goes.
        existing.file = view.file;
        this.dropView(view.key);
        view = existing;
      }
      this.applyRecord(view, record);
    }
    this.applyTable(u.table);
    this.counters = u.counters;
    if (u.storageError) this.warnStorage(u.storageError);
    this.changed();
  }

  private applyRecord(view: PhotoView, record: PhotoRecord): void {
    if (view.id !== undefined && view.id !== record.id) this.byId.delete(view.id);
    view.id = record.id;
    view.hash = record.hash;
    view.size = record.size;
    this.byId.set(record.id, view);
    view.error = record.error;
    view.state = record.error ? 'error' : 'done';
    if (record.thumbnail) {
      if (view.thumbUrl) URL.revokeObjectURL(view.thumbUrl);
      view.thumbUrl = URL.createObjectURL(record.thumbnail);
    }
    if (record.error) view.row = undefined;
  }

  private applyTable(table: ScoreTable): void {
    let index = this.columns.get(table.version);
    if (!index) {
      index = new Map(table.labelIds.map((id, j) => [id, j]));
      this.columns.set(table.version, index);
    }
    const m = table.labelIds.length;
    table.photoIds.forEach((id, i) => {
      const view = this.byId.get(id);
      if (!view || (view.row && view.row.version > table.version)) return;
      view.row = {
        version: table.version,
        scores: table.scores.subarray(i * m, (i + 1) * m),
        cosines: table.cosines.subarray(i * m, (i + 1) * m),
      };
    });
    if (table.version < this.latestVersion) {
      // Scored just before the labels changed: ask again.
      for (const id of table.photoIds) this.staleIds.add(id);
      void this.rescoreStale();
    }
    this.latestVersion = Math.max(this.latestVersion, table.version);
  }

  private async rescoreStale(): Promise<void> {
    await Promise.resolve();
    const ids = [...this.staleIds];
    this.staleIds.clear();
    if (ids.length === 0) return;
    try {
      this.applyTable(await this.bridge.scorePhotos(ids));
      this.changed();
    } catch (error) {
      this.notify(error);
    }
  }

  private dropView(key: number): void {
    const view = this.byKey.get(key);
    if (!view) return;
    this.byKey.delete(key);
    if (view.id !== undefined && this.byId.get(view.id) === view) this.byId.delete(view.id);
    if (view.thumbUrl) URL.revokeObjectURL(view.thumbUrl);
    this.photos = this.photos.filter((p) => p !== view);
    if (this.detailKey === key) this.detailKey = undefined;
  }

  async cancel(): Promise<void> {
    if (this.batch?.running) {
      // The running chunk stops at its next photo or batch; pump drops the rest of the queue.
      this.batch = { ...this.batch, cancelling: true };
      this.changed();
      await this.bridge.cancel();
    } else {
      for (const v of this.queue.splice(0)) this.dropView(v.key);
      this.changed();
    }
  }

  async removePhoto(key: number): Promise<void> {
    const view = this.byKey.get(key);
    if (!view) return;
    this.queue = this.queue.filter((v) => v !== view);
    this.dropView(key);
    this.changed();
    if (view.id !== undefined) {
      try {
        await this.bridge.removePhotos([view.id]);
      } catch (error) {
        this.notify(error);
      }
    }
  }

  async clearAll(): Promise<void> {
    await this.cancel();
    for (const view of [...this.photos]) this.dropView(view.key);
    this.skipped = [];
    this.notices = [];
    this.storageWarned = false;
    try {
      await this.bridge.clearAll();
    } catch (error) {
      this.notify(error);
    }
    this.labels = [...DEFAULT_LABELS];
    this.labelsById = new Map(this.labels.map((l) => [l.id, l]));
    this.disabled = new Set();
    this.template = 'default';
    this.threshold = DEFAULT_THRESHOLD;
    this.filterLabel = '';
    this.learning.reset();
    this.notifyInfo('Everything stored by this page was deleted.');
    this.changed();
    if (this.modelPhase === 'ready') await this.applyLabels();
  }

  // =========================================================================================
  // labels

  get templates(): TemplateSet {
    return TEMPLATE_ENSEMBLES[this.template] ?? TEMPLATE_ENSEMBLES['default'] ?? [];
  }

  label(id: string): Label | undefined {
    return this.labelsById.get(id);
  }

  get enabledLabels(): Label[] {
    return this.labels.filter((l) => !this.disabled.has(l.id));
  }

  /** Sends the label set to the worker (which encodes only what it lacks) and takes the scores. */
  private async applyLabels(): Promise<void> {
    if (this.modelPhase !== 'ready') return;
    const request = ++this.labelRequest;
    this.labelWork = { done: 0, total: 0 };
    this.changed();
    let finished = false;
    try {
      const result = await this.bridge.setLabels(
        this.labels.map((l) => ({ id: l.id, prompt: l.prompt })),
        [...this.templates],
        (p) => {
          if (request === this.labelRequest && !finished) this.labelWork = p;
          this.changed();
        },
      );
      finished = true;
      this.counters = result.counters;
      this.applyTable(result.table);
      if (request === this.labelRequest) {
        this.labelsReady = true;
        this.labelWork = undefined;
        const parts = [
          result.fromStore > 0 ? `${result.fromStore} stored` : '',
          result.fromFile > 0 ? `${result.fromFile} from the model's precomputed file` : '',
          result.encoded > 0 ? `${result.encoded} encoded now` : '',
        ].filter(Boolean);
        if (parts.length > 0) this.labelSource = `Label vectors: ${parts.join(', ')}.`;
        if (result.fileNote) this.labelSource += ` (${result.fileNote})`;
      }
      if (result.storageError) this.warnStorage(result.storageError);
      if (this.restored) await this.learning.labelsChanged();
    } catch (error) {
      finished = true;
      if (request === this.labelRequest) this.labelWork = undefined;
      this.notify(error);
    }
    this.changed();
  }

  private async labelsChanged(): Promise<void> {
    this.labelsById = new Map(this.labels.map((l) => [l.id, l]));
    if (this.filterLabel && !this.labelsById.has(this.filterLabel)) this.filterLabel = '';
    this.changed();
    void this.saveLabelSettings();
    await this.applyLabels();
  }

  private async saveLabelSettings(): Promise<void> {
    const settings: LabelSettings = {
      version: 1,
      labels: this.labels.map((l) => ({ ...l })),
      disabled: [...this.disabled].filter((id) => this.labelsById.has(id)),
      template: this.template,
    };
    await this.bridge.putSetting('labels', settings).catch((e: unknown) => this.warnStorage(e));
  }

  /** A typed label: "name", or "Category: name | prompt" (the text label-set format). */
  async addLabel(text: string): Promise<Label | undefined> {
    let label: Label | undefined;
    try {
      const parsed = parseLabelSetText(text);
      if (parsed.length !== 1) throw new Error('type one label');
      label = parsed[0];
      this.checkNew(label as Label);
    } catch (error) {
      this.notify(error);
      return undefined;
    }
    if (!label) return undefined;
    this.labels = [...this.labels, label];
    this.disabled.delete(label.id);
    await this.labelsChanged();
    return label;
  }

  private checkNew(label: Label, labels: readonly Label[] = this.labels): void {
    const name = label.name.toLowerCase();
    const clash = labels.find((l) => l.id === label.id || l.name.toLowerCase() === name);
    if (clash) {
      throw new MumicError('InvalidLabelSet', `"${clash.name}" is already a label.`);
    }
  }

  async removeLabel(id: string): Promise<void> {
    this.labels = this.labels.filter((l) => l.id !== id);
    this.disabled.delete(id);
    await this.labelsChanged();
  }

  /** Disabled labels stay scored (scores are cheap); only what is shown changes. */
  async setEnabled(ids: readonly string[], enabled: boolean): Promise<void> {
    for (const id of ids) {
      if (enabled) this.disabled.delete(id);
      else this.disabled.add(id);
    }
    this.disabledRevision++;
    this.changed();
    await this.saveLabelSettings();
  }

  async setTemplate(name: string): Promise<void> {
    if (!Object.hasOwn(TEMPLATE_ENSEMBLES, name)) return;
    this.template = name as TemplateName;
    await this.labelsChanged();
  }

  async importLabels(file: File, mode: 'add' | 'replace'): Promise<void> {
    let imported: Label[];
    try {
      imported = parseLabelSet(await file.text(), file.name);
    } catch (error) {
      this.notify(error);
      return;
    }
    if (mode === 'replace') {
      this.labels = imported;
      this.disabled = new Set();
      this.notifyInfo(`${imported.length} labels imported from ${file.name}.`);
    } else {
      const fresh: Label[] = [];
      for (const label of imported) {
        try {
          this.checkNew(label, [...this.labels, ...fresh]);
          fresh.push(label);
        } catch {
          // Already there: skipped (and counted below).
        }
      }
      this.labels = [...this.labels, ...fresh];
      const skipped = imported.length - fresh.length;
      this.notifyInfo(
        `${fresh.length} labels added from ${file.name}` +
          (skipped > 0 ? `; ${skipped} were already there.` : '.'),
      );
    }
    await this.labelsChanged();
  }

  exportLabels(format: 'json' | 'text'): void {
    try {
      if (format === 'json') {
        downloadText('labels.json', exportLabelSetJson(this.labels), 'application/json');
      } else {
        downloadText('labels.txt', exportLabelSetText(this.labels), 'text/plain');
      }
    } catch (error) {
      this.notify(error);
    }
  }

  async resetLabels(): Promise<void> {
    this.labels = [...DEFAULT_LABELS];
    this.disabled = new Set();
    await this.labelsChanged();
  }

  // =========================================================================================
  // scores

  /** Every enabled label's score for a photo, best first (empty before it is scored). */
  scoresOf(view: PhotoView): LabelScoreView[] {
    const row = view.row;
    if (!row) return [];
    const index = this.columns.get(row.version);
    if (!index) return [];
    const out: LabelScoreView[] = [];
    for (const label of this.labels) {
      if (this.disabled.has(label.id)) continue;
      const j = index.get(label.id);
      if (j === undefined) continue;
      out.push({ label, score: row.scores[j] ?? Number.NaN, cosine: row.cosines[j] ?? Number.NaN });
    }
    return out.sort((a, b) =>
      compareLabelScores(
        { label: a.label.id, score: a.score, cosine: a.cosine },
        { label: b.label.id, score: b.score, cosine: b.cosine },
      ),
    );
  }

  scoreOf(view: PhotoView, labelId: string): number | undefined {
    const row = view.row;
    const j = row ? this.columns.get(row.version)?.get(labelId) : undefined;
    return row && j !== undefined ? row.scores[j] : undefined;
  }

  /** How many labels of the current set a photo has no score for yet (a label just added). */
  missingScores(view: PhotoView): number {
    const index = view.row ? this.columns.get(view.row.version) : undefined;
    if (!index) return this.labels.length;
    return this.labels.filter((l) => !index.has(l.id)).length;
  }

  bestScore(view: PhotoView): number {
    let best = -1;
    const index = view.row ? this.columns.get(view.row.version) : undefined;
    if (!view.row || !index) return best;
    for (const label of this.labels) {
      if (this.disabled.has(label.id)) continue;
      const j = index.get(label.id);
      const s = j === undefined ? undefined : view.row.scores[j];
      if (s !== undefined && s > best) best = s;
    }
    return best;
  }

  /** The photos to show: filtered by label (above threshold), then sorted. */
  visiblePhotos(): PhotoView[] {
    let list = this.photos;
    if (this.filterLabel) {
      list = list.filter((p) => (this.scoreOf(p, this.filterLabel) ?? -1) >= this.threshold);
    }
    if (this.sort === 'name') {
      list = [...list].sort((a, b) => a.path.localeCompare(b.path));
    } else if (this.sort === 'score') {
      const key = (p: PhotoView): number =>
        this.filterLabel ? (this.scoreOf(p, this.filterLabel) ?? -1) : this.bestScore(p);
      const keys = new Map(list.map((p) => [p, key(p)]));
      list = [...list].sort((a, b) => (keys.get(b) ?? -1) - (keys.get(a) ?? -1));
    }
    return list;
  }

  /** Per enabled label, how many photos score at or above the threshold. */
  labelCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const p of this.photos) {
      const index = p.row ? this.columns.get(p.row.version) : undefined;
      if (!p.row || !index) continue;
      for (const label of this.labels) {
        const j = index.get(label.id);
        const s = j === undefined ? undefined : p.row.scores[j];
        if (s !== undefined && s >= this.threshold) {
          counts.set(label.id, (counts.get(label.id) ?? 0) + 1);
        }
      }
    }
    return counts;
  }

  setThreshold(value: number): void {
    if (!(value >= 0 && value <= 1)) return;
    this.threshold = value;
    this.changed();
    this.bridge.putSetting('view', { threshold: value } satisfies ViewSettings).catch(() => {
      // A lost threshold is not worth a message.
    });
  }

  exportResults(format: 'csv' | 'json'): void {
    const photos: ExportPhoto[] = this.photos
      .filter((p) => p.state !== 'queued')
      .map((p) =>
        p.error || !p.row
          ? { file: p.path, error: p.error ?? { name: 'Error', message: 'not scored' } }
          : {
              file: p.path,
              labels: this.scoresOf(p).map((s) => ({
                id: s.label.id,
                name: s.label.name,
                score: s.score,
                cosine: s.cosine,
              })),
            },
      );
    const status = this.modelStatus;
    if (format === 'csv') {
      downloadText('mumic-results.csv', resultsToCsv(photos, this.threshold), 'text/csv');
    } else {
      const json = resultsToJson(photos, {
        model: status?.id ?? '',
        dtype: status?.dtypes.vision ?? '',
        templates: this.templates,
        threshold: this.threshold,
      });
      downloadText('mumic-results.json', json, 'application/json');
    }
  }

  // =========================================================================================
  // messages

  notify(error: unknown): void {
    const info = toErrorInfo(error);
    this.notices = [
      ...this.notices,
      { id: this.nextNotice++, kind: 'error', name: info.name, text: describeError(error) },
    ];
    this.changed();
  }

  notifyInfo(text: string): void {
    this.notices = [
      ...this.notices,
      { id: this.nextNotice++, kind: 'info', name: undefined, text },
    ];
    this.changed();
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
    this.changed();
  }

  private warnStorage(error: unknown): void {
    if (this.storageWarned) return;
    this.storageWarned = true;
    this.notify(error);
  }

  photo(key: number): PhotoView | undefined {
    return this.byKey.get(key);
  }

  // =========================================================================================
  // local model folders (issue 5)

  /** The model start() loads, or last tried (the no-model screen names it). */
  modelRequest: Parameters<WorkerBridge['loadModel']>[0] | undefined;
  /** Set by main.ts: the no-model screen's "choose a model folder". */
  modelPicker: ModelPicker | undefined;
}
