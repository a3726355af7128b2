// The page's state and actions, composed of one state per capability: the model (here), the
// photos and their batch queue (state/photo-state.ts), the labels (state/label-state.ts), the
// learning from answers (learning.ts) and the messages (state/notices.ts). Heavy work (decoding,
// inference, hashing, scoring) is in the worker; the page asks it through the bridge.
import { toErrorInfo, type ErrorInfo, type MumicError } from '../core/errors.ts';
import { DEFAULT_THRESHOLD } from '../core/score.ts';
import type {
  Counters,
  LoadProgress,
  ModelLoadRequest,
  ModelStatus,
} from '../shared/worker-api.ts';
import type { AppParams } from './app-params.ts';
import type { WorkerBridge } from './bridge.ts';
import { Learning } from './learning.ts';
import type { ModelPicker } from './model-picker-state.ts';
import type { ModelSwitch } from './state/model-switch.ts';
import { LabelState } from './state/label-state.ts';
import { KeywordState } from './state/keyword-state.ts';
import type { LibraryPreview } from './state/library-preview.ts';
import { Notices } from './state/notices.ts';
import { PhotoState } from './state/photo-state.ts';
import { SearchState } from './state/search-state.ts';
import { SidecarState } from './state/sidecar-state.ts';
import { TabSync } from './state/tab-sync.ts';

export type { LabelScoreView } from './state/score-columns.ts';
export type { Notice } from './state/notices.ts';
export type { BatchView, PhotoView, SkippedFile } from './state/photo-state.ts';
export type { TemplateName } from './state/label-state.ts';

export type SortOrder = 'added' | 'name' | 'score';

interface ViewSettings {
  threshold: number;
}

/** Photos shown at first; more on request, so thousands of photos stay quick to draw. */
export const PAGE_SIZE = 200;

export class App {
  // ---- model ----
  modelPhase: 'loading' | 'ready' | 'failed' = 'loading';
  modelStatus: ModelStatus | undefined;
  modelProgress: LoadProgress | undefined;
  modelError: ErrorInfo | undefined;
  counters: Counters = { imagesEncoded: 0, imagesEncodedBeside: 0, textsEncoded: 0 };
  /** The model start() loads, or last tried (the no-model screen names it). */
  modelRequest: ModelLoadRequest | undefined;
  /** Set by main.ts: the no-model screen's "choose a model folder". */
  modelPicker: ModelPicker | undefined;
  /** Set by main.ts: the model menu and the photos tagged with another model. */
  models: ModelSwitch | undefined;
  /** Set by main.ts: stored photos read by the page while the model loads. */
  preview: LibraryPreview | undefined;
  private tidyScheduled = false;
  /** The model start() loads, and whether its text tower was asked for early (wantText). */
  private modelLoad: Promise<unknown> | undefined;
  private textAsked = false;
  /** Worker failures with no finished chunk of photos between them (a second one stops). */
  private workerFailures = 0;

  // ---- what the grid shows ----
  threshold = DEFAULT_THRESHOLD;
  filterLabel = '';
  sort: SortOrder = 'added';
  shown = PAGE_SIZE;
  detailKey: number | undefined;

  // ---- capabilities ----
  readonly messages: Notices;
  readonly labelSet: LabelState;
  readonly library: PhotoState;
  readonly learning: Learning;
  readonly search: SearchState;
  readonly sidecars: SidecarState;
  readonly keywords: KeywordState;
  /** Other tabs of the app: what this one changed, and what they did (issue 10, item 6). */
  readonly tabs: TabSync;

  constructor(
    readonly bridge: WorkerBridge,
    readonly params: AppParams,
    readonly changed: () => void,
  ) {
    this.messages = new Notices(() => this.changed());
    this.tabs = new TabSync(this);
    this.labelSet = new LabelState(this);
    this.library = new PhotoState(this);
    this.search = new SearchState(this);
    const { messages, labelSet, library } = this;
    this.learning = new Learning({
      bridge,
      applyTable: (table) => library.applyTable(table),
      notify: (error) => messages.notify(error),
      notifyInfo: (text) => messages.notifyInfo(text),
      warnStorage: (error) => messages.warnStorage(error),
      changed: () => this.changed(),
      labels: () => labelSet.labels,
      addLabel: (text) => labelSet.addLabel(text),
      enable: async (id) => {
        if (labelSet.disabled.has(id)) await labelSet.setEnabled([id], true);
      },
      announce: (what) =>
        what === 'answers' ? this.tabs.answersChanged() : this.tabs.headChanged(),
    });
    this.sidecars = new SidecarState(this);
    this.keywords = new KeywordState(this);
  }

  /**
   * Settings, then the model, then the labels and the stored photos. `model` resolves to the
   * model's status as soon as it is loaded; `done` once labels and stored photos are in.
   */
  start(request: ModelLoadRequest): { model: Promise<ModelStatus>; done: Promise<void> } {
    // May run again: after a model folder is chosen on the no-model screen.
    this.modelRequest = request;
    this.modelPhase = 'loading';
    this.modelError = undefined;
    const settings = this.loadSettings();
    // Stored photos shown while the model loads (the worker's restore then takes them over).
    // A preview left by a start that never reached its restore (a failed model) goes first.
    this.endPreview();
    const preview = this.library.photos.length === 0 ? this.preview : undefined;
    const previewRead = preview
      ?.read(request.id, (records) => {
        if (preview.shown.size === records.length) performance.mark('mumic:preview-shown');
        this.library.restoreFrom(records);
        this.changed();
      })
      .catch(() => undefined);
    const model = this.bridge
      .loadModel(request, (p) => {
        // A finished file clears the bar (the text tower reports here too, later).
        this.modelProgress = p.total !== undefined && p.loaded >= p.total ? undefined : p;
        this.changed();
      })
      .then(
        (status) => {
          performance.mark('mumic:model-ready');
          // What the next start's preview reads (the scope of this model's photos).
          void previewRead?.then(() =>
            preview?.remember(request.id, status.dtypes.vision, (k, v) =>
              this.bridge.putSetting(k, v),
            ),
          );
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
          void this.library.pump();
          throw error;
        },
      );
    const done = (async () => {
      await settings;
      await this.sidecars.load();
      performance.mark('mumic:settings-loaded');
      await model;
      // The stored photos are shown first, then scored by the labels: encoding the labels loads
      // the text tower, which a library of thousands need not wait for to be shown.
      // Start-up stages as user timing marks (bench/library-app.ts reads them).
      try {
        let chunks = 0;
        preview?.stop();
        const previewed = preview?.shown;
        const restored = await this.bridge.restore((photos) => {
          if (chunks++ === 0) performance.mark('mumic:restore-first-chunk');
          this.library.restoreFrom(photos, undefined, previewed);
          this.changed();
        });
        performance.mark('mumic:restore-answered');
        this.library.restoreFrom(restored.photos, restored.table, previewed);
        // Previewed photos the worker does not hold (another scope after all) are not shown.
        this.endPreview();
        performance.mark('mumic:restored');
        this.changed();
        if (restored.storageError) this.messages.warnStorage(restored.storageError);
      } catch (error) {
        this.messages.notify(error);
      } finally {
        this.endPreview();
      }
      await this.labelSet.apply();
      performance.mark('mumic:labels-applied');
      await this.learning.load();
      this.library.restored = true;
      this.changed();
      void this.library.pump();
      this.tidyWhenIdle();
    })();
    this.modelLoad = model;
    this.textAsked = false;
    return { model, done };
  }

  /**
   * The person started typing a label or a search: the worker loads the text tower now, even
   * during a batch (otherwise it waits for the worker to be idle: worker/text-preload.ts).
   */
  wantText(): void {
    if (this.textAsked || !this.modelLoad) return;
    this.textAsked = true;
    this.modelLoad.then(() => this.bridge.textWanted()).catch(() => undefined);
  }

  /** The preview's tiles that the worker did not take over are dropped (none are its own). */
  private endPreview(): void {
    for (const id of this.preview?.end() ?? []) {
      const view = this.library.photoById(id);
      if (view) this.library.dropView(view.key);
    }
  }

  /**
   * Store housekeeping (thumbnails of old records moved) 10 s after start-up, put off while a
   * batch runs (a batch started during the move runs beside it: each chunk is one transaction);
   * tried again at the next start if it fails.
   */
  private tidyWhenIdle(): void {
    if (this.tidyScheduled) return;
    this.tidyScheduled = true;
    const later = (): void => {
      setTimeout(() => {
        if (this.library.batch?.running) later();
        else
          void Promise.resolve(this.bridge.tidyStore()).catch(() => {
            this.tidyScheduled = false;
          });
      }, 10_000);
    };
    later();
  }

  private async loadSettings(): Promise<void> {
    try {
      await this.labelSet.loadSettings();
      const view = (await this.bridge.getSetting('view')) as ViewSettings | undefined;
      if (typeof view?.threshold === 'number' && view.threshold >= 0 && view.threshold <= 1) {
        this.threshold = view.threshold;
      }
    } catch (error) {
      // Stored settings that no longer validate are dropped: the defaults apply.
      this.messages.notify(error);
    }
    this.changed();
  }

  async clearAll(): Promise<void> {
    this.tabs.clearing();
    await this.library.cancel();
    this.preview?.end();
    this.library.dropAll();
    this.messages.reset();
    try {
      await this.bridge.clearAll();
      this.tabs.cleared();
    } catch (error) {
      this.messages.notify(error);
    }
    this.resetAfterClear();
    // Model folders chosen from disk stay in Cache Storage: said, so "everything" is not a lie.
    this.messages.notifyInfo(
      'Photos, results, labels, answers and adapted labels were deleted. Model folders chosen from disk are kept; remove them from the model list.',
    );
    this.changed();
    if (this.modelPhase === 'ready') await this.labelSet.apply();
  }

  /**
   * Another tab cleared everything: this one empties too. Its batch stops and the worker drops
   * its library before taking the store's new epoch, so nothing of before is written back.
   */
  async clearedElsewhere(): Promise<void> {
    await this.library.cancel();
    this.preview?.end();
    this.library.dropAll();
    this.messages.reset();
    await this.bridge.clearedElsewhere();
    this.resetAfterClear();
    this.messages.notifyInfo('Everything was cleared in another tab of this app.');
    this.changed();
    if (this.modelPhase === 'ready') await this.labelSet.apply();
  }

  private resetAfterClear(): void {
    this.labelSet.reset();
    this.threshold = DEFAULT_THRESHOLD;
    this.filterLabel = '';
    this.learning.reset();
    this.keywords.reset();
  }

  /**
   * The worker stopped or hung and was terminated (ui/worker-supervisor.ts). Answers whether a
   * new one starts: it does once, with the model, labels and stored photos loaded again, and the
   * photos not finished resume; a second failure in a row stops with a message instead of looping.
   */
  workerFailed(error: MumicError): boolean {
    this.workerFailures++;
    const request = this.modelRequest;
    if (this.workerFailures >= 2 || !request) {
      this.modelPhase = 'failed';
      this.modelError = {
        name: 'WorkerFailed',
        message: `${error.message}, again after a restart. Reload the page to try again.`,
      };
      this.messages.notify(new Error(this.modelError.message));
      this.changed();
      void this.library.pump();
      return false;
    }
    this.messages.notifyInfo(
      `The background worker stopped (${error.message}). It was restarted: the model is loading again and the photos not finished will resume.`,
    );
    // After the supervisor has started the new worker.
    queueMicrotask(() => {
      const { model, done } = this.start(request);
      model.catch(() => undefined);
      done.catch(() => undefined);
    });
    return true;
  }

  /** A chunk of photos finished: the worker works again. */
  workerRecovered(): void {
    this.workerFailures = 0;
  }

  setThreshold(value: number): void {
    if (!(value >= 0 && value <= 1)) return;
    this.threshold = value;
    this.changed();
    this.bridge.putSetting('view', { threshold: value } satisfies ViewSettings).catch(() => {
      // A lost threshold is not worth a message.
    });
  }
}
