// The label set on the page: the labels, which are on, the prompt template, the settings they
// are kept in, and sending the set to the worker (which encodes only what it lacks).
import { hasErrorName, MumicError } from '../../core/errors.ts';
import {
  applyLabelChange,
  DEFAULT_LABELS,
  exportLabelSetJson,
  exportLabelSetText,
  LABEL_SETTINGS_KEY,
  parseLabelSet,
  parseLabelSetText,
  readLabelSettings,
  type Label,
  type LabelChange,
  type LabelSettings,
} from '../../core/labels/index.ts';
import { TEMPLATE_ENSEMBLES, type TemplateSet } from '../../core/prompts.ts';
import type { LabelProgress } from '../../shared/worker-api.ts';
import type { App } from '../app.ts';
import { downloadText } from '../download.ts';

export type TemplateName = keyof typeof TEMPLATE_ENSEMBLES;

export class LabelState {
  labels: Label[] = [...DEFAULT_LABELS];
  disabled = new Set<string>();
  /** Bumped whenever `disabled` changes in place (the view redraws tiles on it). */
  disabledRevision = 0;
  template: TemplateName = 'default';
  labelWork: LabelProgress | undefined;
  labelsReady = false;
  /** Changes shown but not yet scored (stored first, then applied): the set is not ready. */
  private changing = 0;
  labelSource = '';
  private byId = new Map<string, Label>(this.labels.map((l) => [l.id, l]));
  private request = 0;
  /** Changes made here that could not be stored yet (see change). */
  private readonly unsaved: { change: LabelChange; before: LabelSettings }[] = [];

  constructor(private readonly app: App) {}

  /** Every label shown is scored (tests read `data-labels-ready` from this). */
  get ready(): boolean {
    return this.labelsReady && !this.labelWork && this.changing === 0;
  }

  get templates(): TemplateSet {
    return TEMPLATE_ENSEMBLES[this.template] ?? TEMPLATE_ENSEMBLES['default'] ?? [];
  }

  label(id: string): Label | undefined {
    return this.byId.get(id);
  }

  get enabledLabels(): Label[] {
    return this.labels.filter((l) => !this.disabled.has(l.id));
  }

  /** Takes the stored label settings (throws when they no longer validate). */
  async loadSettings(): Promise<void> {
    const stored = readLabelSettings(await this.app.bridge.getSetting(LABEL_SETTINGS_KEY));
    if (stored) this.take(stored);
  }

  /** The set as it is kept. */
  private settings(): LabelSettings {
    return {
      version: 1,
      labels: this.labels.map((l) => ({ ...l })),
      disabled: [...this.disabled].filter((id) => this.byId.has(id)),
      template: this.template,
    };
  }

  private take(settings: LabelSettings): void {
    this.labels = settings.labels;
    this.disabled = new Set(settings.disabled);
    if (Object.hasOwn(TEMPLATE_ENSEMBLES, settings.template)) {
      this.template = settings.template as TemplateName;
    }
    this.byId = new Map(this.labels.map((l) => [l.id, l]));
    this.disabledRevision++;
  }

  /** Back to the defaults (after everything was cleared). */
  reset(): void {
    this.unsaved.length = 0;
    this.labels = [...DEFAULT_LABELS];
    this.byId = new Map(this.labels.map((l) => [l.id, l]));
    this.disabled = new Set();
    this.template = 'default';
  }

  /** Sends the label set to the worker (which encodes only what it lacks) and takes the scores. */
  async apply(): Promise<void> {
    const { app } = this;
    if (app.modelPhase !== 'ready') return;
    const request = ++this.request;
    this.labelWork = { done: 0, total: 0 };
    app.changed();
    let finished = false;
    try {
      const result = await app.bridge.setLabels(
        this.labels.map((l) => ({ id: l.id, prompt: l.prompt })),
        [...this.templates],
        (p) => {
          if (request === this.request && !finished) this.labelWork = p;
          app.changed();
        },
      );
      finished = true;
      app.counters = result.counters;
      app.library.applyTable(result.table);
      if (result.model) app.library.backendSwitched(result.model, result.leftBehind);
      if (request === this.request) {
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
      if (result.storageError) app.messages.warnStorage(result.storageError);
      if (app.library.restored) await app.learning.labelsChanged();
    } catch (error) {
      finished = true;
      if (request === this.request) this.labelWork = undefined;
      app.messages.notify(error);
    }
    app.changed();
  }

  /**
   * Makes a change: shown at once, then stored as a diff against the stored set (in one
   * transaction, so another tab's change made meanwhile is kept, issue 10 item 6), and the set
   * stored, which has both, is taken and sent to the worker. A change that could not be stored
   * stays here and is stored, in order, before the next one (taking the stored set must not drop
   * it). Throws (TooManyLabels) before anything changes when the change cannot be made.
   */
  private async change(change: LabelChange): Promise<void> {
    this.changing++;
    try {
      await this.changeAndApply(change);
    } finally {
      this.changing--;
      this.app.changed();
    }
  }

  private async changeAndApply(change: LabelChange): Promise<void> {
    const before = this.settings();
    const labelsBefore = this.labels;
    this.take(applyLabelChange(before, change, before));
    this.changedHere();
    const sending = [...this.unsaved.splice(0), { change, before }];
    let stored: LabelSettings | undefined;
    let refused = false;
    for (const [i, next] of sending.entries()) {
      try {
        stored = await this.app.bridge.changeLabelSettings(next.change, next.before);
      } catch (error) {
        // Another tab's labels and this change pass the limit: that change is not made.
        if (hasErrorName(error, 'TooManyLabels')) {
          this.app.messages.notify(error);
          refused = true;
          continue;
        }
        this.unsaved.unshift(...sending.slice(i));
        this.app.messages.warnStorage(error);
        break;
      }
    }
    // A change not stored yet stays as shown (the stored set lacks it): stored with the next one.
    const allStored = this.unsaved.length === 0;
    if (allStored && refused) {
      await this.loadSettings().catch(() => undefined);
      this.changedHere();
    } else if (allStored && stored) {
      this.take(stored);
      this.changedHere();
    }
    if (stored) this.app.tabs.labelsChanged();
    // Turning labels on or off changes no score (disabled labels are scored too).
    if (change.type !== 'enable' || !sameIds(this.labels, labelsBefore)) await this.apply();
  }

  private changedHere(): void {
    if (this.app.filterLabel && !this.byId.has(this.app.filterLabel)) this.app.filterLabel = '';
    this.app.changed();
  }

  /** Another tab changed the label set: the stored one is taken (nothing is saved back). */
  async takeStored(): Promise<void> {
    await this.loadSettings();
    // What this tab could not store yet stays shown (it is stored with the next change).
    for (const u of this.unsaved) this.take(applyLabelChange(this.settings(), u.change, u.before));
    this.changedHere();
    await this.apply();
  }

  /** A typed label: "name", or "Category: name | prompt" (the text label-set format). */
  async addLabel(text: string): Promise<Label | undefined> {
    let label: Label;
    try {
      const parsed = parseLabelSetText(text);
      if (parsed.length !== 1) throw new MumicError('InvalidLabelSet', 'type one label');
      label = parsed[0] as Label;
      this.checkNew(label);
      // Past the limit the whole set would be refused at the next start: refused here instead.
      await this.change({ type: 'add', labels: [label] });
    } catch (error) {
      this.app.messages.notify(error);
      return undefined;
    }
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
    await this.change({ type: 'remove', ids: [id] });
  }

  /** Disabled labels stay scored (scores are cheap); only what is shown changes. */
  async setEnabled(ids: readonly string[], enabled: boolean): Promise<void> {
    await this.change({ type: 'enable', ids: [...ids], enabled });
  }

  async setTemplate(name: string): Promise<void> {
    if (!Object.hasOwn(TEMPLATE_ENSEMBLES, name)) return;
    await this.change({ type: 'template', template: name });
  }

  async importLabels(file: File, mode: 'add' | 'replace'): Promise<void> {
    const { messages } = this.app;
    let imported: Label[];
    try {
      imported = parseLabelSet(await file.text(), file.name);
    } catch (error) {
      messages.notify(error);
      return;
    }
    if (mode === 'replace') {
      messages.notifyInfo(`${imported.length} labels imported from ${file.name}.`);
      await this.change({ type: 'replace', labels: imported });
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
      try {
        await this.change({ type: 'add', labels: fresh });
      } catch (error) {
        messages.notify(error);
        return;
      }
      const skipped = imported.length - fresh.length;
      messages.notifyInfo(
        `${fresh.length} labels added from ${file.name}` +
          (skipped > 0 ? `; ${skipped} were already there.` : '.'),
      );
    }
  }

  exportLabels(format: 'json' | 'text'): void {
    try {
      if (format === 'json') {
        downloadText('labels.json', exportLabelSetJson(this.labels), 'application/json');
      } else {
        downloadText('labels.txt', exportLabelSetText(this.labels), 'text/plain');
      }
    } catch (error) {
      this.app.messages.notify(error);
    }
  }

  async resetLabels(): Promise<void> {
    await this.change({ type: 'replace', labels: [...DEFAULT_LABELS] });
  }
}

const sameIds = (a: readonly Label[], b: readonly Label[]): boolean =>
  a.length === b.length && a.every((l, i) => l.id === b[i]?.id);
