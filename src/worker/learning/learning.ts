// Learning capability: a person's answers (feedback), adaptation on the stored embeddings, and
// the adapted head of each photo scope (trained, imported, exported, cleared). The encoders
// never run here.
import {
  mergeFeedback,
  parseFeedbackFile,
  parseHead,
  serializeFeedback,
  serializeHead,
  type PhotoFeedback,
} from '../../core/adapt/index.ts';
import { MumicError, toErrorInfo, type ErrorInfo } from '../../core/errors.ts';
import { SerialQueue } from '../../runtime/serial-queue.ts';
import type {
  AdaptOutcome,
  AdaptRequest,
  FeedbackChange,
  FeedbackImport,
  HeadChange,
  HeadState,
  WorkerApi,
} from '../../shared/worker-api.ts';
import type { MumicStore, StoredHead } from '../../store/types.ts';
import { describeHead, trainHead } from '../adaptation.ts';
import type { LabelBank } from '../label-bank.ts';
import type { Labels } from '../labels/labels.ts';
import type { Library, PhotoLibrary } from '../library/library.ts';
import type { ModelHost } from '../models/model-host.ts';

type LearningMethods =
  | 'listFeedback'
  | 'setFeedback'
  | 'exportFeedback'
  | 'importFeedback'
  | 'adapt'
  | 'headState'
  | 'exportHead'
  | 'importHead'
  | 'clearHead';

export class Learning implements Pick<WorkerApi, LearningMethods> {
  /** Answers are read, merged and written one call at a time (an import cannot undo a click). */
  readonly feedbackQueue = new SerialQueue();

  constructor(
    private readonly store: MumicStore,
    private readonly models: ModelHost,
    private readonly bank: LabelBank,
    private readonly labels: Labels,
    private readonly library: PhotoLibrary,
  ) {}

  listFeedback(): Promise<PhotoFeedback[]> {
    return this.store.listFeedback();
  }

  setFeedback(changes: FeedbackChange[]): Promise<void> {
    return this.feedbackQueue.run(async () => {
      const at = Date.now();
      const set: PhotoFeedback[] = [];
      const cleared: { hash: string; label: string }[] = [];
      for (const c of changes) {
        if (c.value === null) cleared.push({ hash: c.hash, label: c.label });
        else set.push({ hash: c.hash, label: c.label, value: c.value, text: c.text, at });
      }
      await this.store.putFeedback(set);
      await this.store.deleteFeedback(cleared);
    });
  }

  async exportFeedback(): Promise<string> {
    return serializeFeedback(await this.store.listFeedback());
  }

  importFeedback(json: string): Promise<FeedbackImport> {
    const incoming = parseFeedbackFile(json);
    return this.feedbackQueue.run(async () => {
      const merge = mergeFeedback(await this.store.listFeedback(), incoming);
      await this.store.putFeedback(merge.changed);
      return {
        added: merge.added,
        replaced: merge.replaced,
        unchanged: merge.unchanged,
        feedback: merge.merged,
      };
    });
  }

  adapt(request?: AdaptRequest): Promise<AdaptOutcome> {
    // In the label queue: a label change cannot swap the set out from under the training.
    return this.labels.queue.run(async () => {
      const started = performance.now();
      // Label vectors of the text dtype in use (a backend switch may have changed it).
      await this.labels.follow();
      const { request: model, encoder } = this.models.require();
      const library = await this.library.current();
      const { head, used, ignored } = trainHead(
        await this.store.listFeedback(),
        this.bank.zeroShot,
        (hash) => library.byHash.get(hash)?.embedding,
        { id: model.id, visionDtype: encoder.dtypes.vision },
        request,
      );
      const change = await this.useHead(library, { head, source: 'trained' });
      return {
        ...change,
        head: change.head as HeadState,
        used,
        ignored,
        elapsedMs: performance.now() - started,
      };
    });
  }

  async headState(): Promise<HeadState | null> {
    const library = await this.library.current();
    return describeHead(this.bank, library.head?.source ?? 'trained');
  }

  async exportHead(): Promise<string> {
    const head = (await this.library.current()).head?.head;
    if (!head) throw new MumicError('InvalidArgument', 'There is no adapted head to export yet.');
    return serializeHead(head);
  }

  importHead(json: string): Promise<HeadChange> {
    return this.labels.queue.run(async () => {
      const { request, info, encoder } = this.models.require();
      const library = await this.library.current();
      const zeroShot = this.bank.zeroShot;
      const head = parseHead(json, {
        modelId: request.id,
        dtype: encoder.dtypes.vision,
        projectionDim: info.projectionDim,
        labelIds: zeroShot.ids,
        labelTexts: zeroShot.prompts,
        templates: zeroShot.templateKey,
      });
      return this.useHead(library, { head, source: 'imported' });
    });
  }

  clearHead(): Promise<HeadChange> {
    return this.labels.queue.run(async () => this.useHead(await this.library.current(), undefined));
  }

  /** Makes `stored` the scope's head (kept in the store) and rescores every stored photo. */
  private async useHead(library: Library, stored: StoredHead | undefined): Promise<HeadChange> {
    library.head = stored;
    this.bank.setHead(stored?.head);
    let storageError: ErrorInfo | undefined;
    try {
      if (stored) await this.store.putHead(library.scope, stored);
      else await this.store.deleteHead(library.scope);
    } catch (error) {
      // Still in use for this session; the page says it will not survive a reload.
      storageError = toErrorInfo(error);
    }
    return {
      head: describeHead(this.bank, stored?.source ?? 'trained'),
      table: this.library.score(library),
      storageError,
    };
  }
}
