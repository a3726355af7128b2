// The label set on the page: the labels, which are on, the prompt template, the settings they
// are kept in, and sending the set to the worker (which encodes only what it lacks).
import { MumicError } from '../../core/errors.ts';
import {
  appendLabels,
  DEFAULT_LABELS,
  exportLabelSetJson,
  exportLabelSetText,
  labelsFromJsonValue,
  parseLabelSet,
  parseLabelSetText,
  type Label,
} from '../../core/labels/index.ts';
import { TEMPLATE_ENSEMBLES, type TemplateSet } from '../../core/prompts.ts';
import type { LabelProgress } from '../../shared/worker-api.ts';
import type { App } from '../app.ts';
import { downloadText } from '../download.ts';

export type TemplateName = keyof typeof TEMPLATE_ENSEMBLES;

interface LabelSettings {
  version: 1;
  labels: Label[];
  disabled: string[];
  template: string;
}

export class LabelState {
  labels: Label[] = [...DEFAULT_LABELS];
  disabled = new Set<string>();
  /** Bumped whenever `disabled` changes in place (the view redraws tiles on it). */
  disabledRevision = 0;
  template: TemplateName = 'default';
  labelWork: LabelProgress | undefined;
  labelsReady = false;
  labelSource = '';
  private byId = new Map<string, Label>(this.labels.map((l) => [l.id, l]));
  private request = 0;

  constructor(private readonly app: App) {}

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
    const stored = (await this.app.bridge.getSetting('labels')) as LabelSettings | undefined;
    if (stored?.version !== 1) return;
    this.labels = labelsFromJsonValue({ version: 1, labels: stored.labels });
    this.disabled = new Set(stored.disabled.filter((id) => typeof id === 'string'));
    if (Object.hasOwn(TEMPLATE_ENSEMBLES, stored.template)) {
      this.template = stored.template as TemplateName;
    }
    this.byId = new Map(this.labels.map((l) => [l.id, l]));
  }

  /** Back to the defaults (after everything was cleared). */
  reset(): void {
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

  private async setChanged(): Promise<void> {
    this.byId = new Map(this.labels.map((l) => [l.id, l]));
    if (this.app.filterLabel && !this.byId.has(this.app.filterLabel)) this.app.filterLabel = '';
    this.app.changed();
    void this.saveSettings();
    await this.apply();
  }

  private async saveSettings(): Promise<void> {
    const settings: LabelSettings = {
      version: 1,
      labels: this.labels.map((l) => ({ ...l })),
      disabled: [...this.disabled].filter((id) => this.byId.has(id)),
      template: this.template,
    };
    try {
      await this.app.bridge.putSetting('labels', settings);
      this.app.tabs.labelsChanged();
    } catch (e) {
      this.app.messages.warnStorage(e);
    }
  }

  /** Another tab changed the label set: the stored one is taken (nothing is saved back). */
  async takeStored(): Promise<void> {
    await this.loadSettings();
    if (this.app.filterLabel && !this.byId.has(this.app.filterLabel)) this.app.filterLabel = '';
    this.disabledRevision++;
    this.app.changed();
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
      this.labels = appendLabels(this.labels, [label]);
    } catch (error) {
      this.app.messages.notify(error);
      return undefined;
    }
    this.disabled.delete(label.id);
    await this.setChanged();
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
    await this.setChanged();
  }

  /** Disabled labels stay scored (scores are cheap); only what is shown changes. */
  async setEnabled(ids: readonly string[], enabled: boolean): Promise<void> {
    for (const id of ids) {
      if (enabled) this.disabled.delete(id);
      else this.disabled.add(id);
    }
    this.disabledRevision++;
    this.app.changed();
    await this.saveSettings();
  }

  async setTemplate(name: string): Promise<void> {
    if (!Object.hasOwn(TEMPLATE_ENSEMBLES, name)) return;
    this.template = name as TemplateName;
    await this.setChanged();
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
      this.labels = imported;
      this.disabled = new Set();
      messages.notifyInfo(`${imported.length} labels imported from ${file.name}.`);
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
        this.labels = appendLabels(this.labels, fresh);
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
    await this.setChanged();
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
    this.labels = [...DEFAULT_LABELS];
    this.disabled = new Set();
    await this.setChanged();
  }
}
