// The page's side of learning from a person (issue 6): their answers per photo and label, the
// adapt action and the head in use. Training and storage are in the worker; this keeps what is
// shown and asks the bridge.
import type { FeedbackValue } from '../core/adapt/feedback.ts';
import { MumicError } from '../core/errors.ts';
import type { Label } from '../core/labels/index.ts';
import type {
  AdaptOutcome,
  AdaptRequest,
  HeadChange,
  HeadState,
  PhotoFeedback,
  ScoreTable,
} from '../shared/worker-api.ts';
import type { WorkerBridge } from './bridge.ts';
import { downloadText } from './download.ts';
import { formatBytes, plural } from './format.ts';

/** What Learning needs of the App (kept narrow so the two stay apart). */
export interface LearningHost {
  readonly bridge: WorkerBridge;
  applyTable(table: ScoreTable): void;
  notify(error: unknown): void;
  notifyInfo(text: string): void;
  warnStorage(error: unknown): void;
  changed(): void;
  labels(): readonly Label[];
  /** Adds a typed label; the label added, or undefined (the reason was shown). */
  addLabel(text: string): Promise<Label | undefined>;
  /** Shows a hidden label again. */
  enable(id: string): Promise<void>;
  /** Tells other tabs the answers or the head changed (state/tab-sync.ts). */
  announce(what: 'answers' | 'head'): void;
}

/** Head and answer files beyond these sizes are refused before they are read. */
const MAX_HEAD_FILE = 64e6;
const MAX_FEEDBACK_FILE = 256e6;

const tooLarge = (name: 'InvalidHead' | 'InvalidFeedback', file: File, max: number) =>
  new MumicError(
    name,
    `${file.name} is ${formatBytes(file.size)}; at most ${formatBytes(max)} is read`,
  );

/** A photo as Learning needs it: feedback is keyed by the content hash. */
export interface FeedbackTarget {
  hash: string | undefined;
}

export interface FeedbackCounts {
  confirmed: number;
  rejected: number;
  photos: number;
}

export class Learning {
  /** Answers by content hash, then label id. */
  private readonly answers = new Map<string, Map<string, FeedbackValue>>();
  /** Bumped on every change of answers or head (the view redraws tiles on it). */
  revision = 0;
  head: HeadState | null = null;
  /** The last adapt run's feedback figures (this session). */
  last: Pick<AdaptOutcome, 'used' | 'ignored' | 'elapsedMs'> | undefined;
  busy: 'adapting' | 'importing' | undefined;
  settings: Required<AdaptRequest> = { gamma: 0, residual: true, mode: 'per-label' };

  constructor(private readonly host: LearningHost) {}

  /** Stored answers and the head in use (after the model and labels are in). */
  async load(): Promise<void> {
    try {
      this.replaceAll(await this.host.bridge.listFeedback());
      this.head = await this.host.bridge.headState();
    } catch (error) {
      this.host.warnStorage(error);
    }
    this.bump();
  }

  /** The head's fit changes with the label set: ask again after every label change. */
  async labelsChanged(): Promise<void> {
    try {
      this.head = await this.host.bridge.headState();
      this.bump();
    } catch (error) {
      this.host.notify(error);
    }
  }

  answer(photo: FeedbackTarget, labelId: string): FeedbackValue | undefined {
    return photo.hash === undefined ? undefined : this.answers.get(photo.hash)?.get(labelId);
  }

  /** Label ids with an answer on the photo. */
  answered(photo: FeedbackTarget): ReadonlyMap<string, FeedbackValue> {
    return (photo.hash !== undefined && this.answers.get(photo.hash)) || new Map();
  }

  isAdapted(labelId: string): boolean {
    return this.head?.adapted.includes(labelId) ?? false;
  }

  counts(): FeedbackCounts {
    let confirmed = 0;
    let rejected = 0;
    for (const labels of this.answers.values()) {
      for (const v of labels.values()) {
        if (v === 1) confirmed++;
        else rejected++;
      }
    }
    return { confirmed, rejected, photos: this.answers.size };
  }

  /** Confirms (1), rejects (−1) or clears (null) a label on a photo; saved at once. */
  async set(photo: FeedbackTarget, label: Label, value: FeedbackValue | null): Promise<void> {
    const hash = photo.hash;
    if (hash === undefined) return;
    const previous = this.answer(photo, label.id);
    this.put(hash, label.id, value);
    this.bump();
    try {
      await this.host.bridge.setFeedback([{ hash, label: label.id, value, text: label.prompt }]);
      this.host.announce('answers');
    } catch (error) {
      // Not stored: show the answer as it really is.
      this.put(hash, label.id, previous ?? null);
      this.bump();
      this.host.notify(error);
    }
  }

  /** A label the photo has that is not among its scores' top: added (if new) and confirmed. */
  async addMissing(photo: FeedbackTarget, text: string): Promise<boolean> {
    const name = text.trim();
    if (!name) return false;
    const find = () => {
      const lower = name.toLowerCase();
      return this.host.labels().find((l) => l.id === name || l.name.toLowerCase() === lower);
    };
    const label = find() ?? (await this.host.addLabel(name));
    if (!label) return false;
    // Confirming a label means wanting to see it.
    await this.host.enable(label.id);
    await this.set(photo, label, 1);
    return true;
  }

  async adapt(): Promise<void> {
    if (this.busy) return;
    this.busy = 'adapting';
    this.host.changed();
    try {
      const outcome = await this.host.bridge.adapt({ ...this.settings });
      this.last = { used: outcome.used, ignored: outcome.ignored, elapsedMs: outcome.elapsedMs };
      this.take(outcome);
      this.host.announce('head');
      const n = outcome.head.adapted.length;
      this.host.notifyInfo(
        n === 0
          ? 'Adapted: no label changed (zero-shot scored the held-out answers best).'
          : `Adapted ${plural(n, 'label')} from ${plural(outcome.used.entries, 'answer')} on ${plural(outcome.used.photos, 'photo')}.`,
      );
    } catch (error) {
      this.host.notify(error);
    } finally {
      this.busy = undefined;
      this.bump();
    }
  }

  async clearHead(): Promise<void> {
    if (await this.run(() => this.host.bridge.clearHead())) {
      this.last = undefined;
      this.host.notifyInfo('Back to zero-shot scores.');
    }
  }

  async importHead(file: File): Promise<void> {
    const ok = await this.run(async () => {
      if (file.size > MAX_HEAD_FILE) throw tooLarge('InvalidHead', file, MAX_HEAD_FILE);
      return this.host.bridge.importHead(await file.text());
    });
    if (ok && this.head) {
      this.host.notifyInfo(
        `Head ${file.name} imported: ${plural(this.head.adapted.length, 'label')} adapted.`,
      );
    }
  }

  async exportHead(): Promise<void> {
    try {
      downloadText('mumic-head.json', await this.host.bridge.exportHead(), 'application/json');
    } catch (error) {
      this.host.notify(error);
    }
  }

  async exportFeedback(): Promise<void> {
    try {
      const json = await this.host.bridge.exportFeedback();
      downloadText('mumic-feedback.json', json, 'application/json');
    } catch (error) {
      this.host.notify(error);
    }
  }

  async importFeedback(file: File): Promise<void> {
    this.busy = 'importing';
    this.host.changed();
    try {
      if (file.size > MAX_FEEDBACK_FILE) throw tooLarge('InvalidFeedback', file, MAX_FEEDBACK_FILE);
      const result = await this.host.bridge.importFeedback(await file.text());
      this.replaceAll(result.feedback);
      this.host.announce('answers');
      this.host.notifyInfo(
        `Feedback ${file.name}: ${result.added} new, ${result.replaced} changed, ` +
          `${result.unchanged} already known.`,
      );
    } catch (error) {
      this.host.notify(error);
    } finally {
      this.busy = undefined;
      this.bump();
    }
  }

  /** After "clear all" (the worker forgot everything). */
  reset(): void {
    this.answers.clear();
    this.head = null;
    this.last = undefined;
    this.bump();
  }

  private async run(job: () => Promise<HeadChange>): Promise<boolean> {
    try {
      this.take(await job());
      this.host.announce('head');
      return true;
    } catch (error) {
      this.host.notify(error);
      return false;
    } finally {
      this.bump();
    }
  }

  private take(change: HeadChange): void {
    this.head = change.head;
    this.host.applyTable(change.table);
    if (change.storageError) {
      // Said every time (not once per session like other storage warnings): the head is lost.
      const { name, message } = change.storageError;
      this.host.notify(
        new MumicError(
          name === 'StorageQuotaExceeded' ? name : 'StorageFailed',
          `The adapted head could not be saved, so it is lost on reload (${message}).`,
        ),
      );
    }
  }

  /** Stored feedback has one entry per cell (its key), so entries are taken as they come. */
  private replaceAll(feedback: readonly PhotoFeedback[]): void {
    this.answers.clear();
    for (const f of feedback) this.put(f.hash, f.label, f.value);
  }

  private put(hash: string, label: string, value: FeedbackValue | null): void {
    let labels = this.answers.get(hash);
    if (value === null) {
      labels?.delete(label);
      if (labels?.size === 0) this.answers.delete(hash);
      return;
    }
    if (!labels) {
      labels = new Map();
      this.answers.set(hash, labels);
    }
    labels.set(label, value);
  }

  private bump(): void {
    this.revision++;
    this.host.changed();
  }
}
