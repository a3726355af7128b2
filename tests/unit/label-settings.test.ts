// Two tabs changing the label set at the same instant (issue 10, item 6): each change is applied
// as a diff to the stored set in one IndexedDB transaction, so neither tab's label is lost. The
// pages are the app's LabelState over two worker services whose stores share one IndexedDB.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import {
  applyLabelChange,
  DEFAULT_LABELS,
  LABEL_SETTINGS_KEY,
  MAX_LABELS,
  readLabelSettings,
  type Label,
  type LabelChange,
  type LabelSettings,
} from '../../src/core/labels/index.ts';
import { IdbStore } from '../../src/store/idb-store.ts';
import type { App } from '../../src/ui/app.ts';
import { LabelState } from '../../src/ui/state/label-state.ts';
import { createWorkerApi } from '../../src/worker/service.ts';
import { fakePreparer } from '../fake-preparer.ts';

const preparer = fakePreparer({ floats: 1, pixel: () => 0 });

/** A tab: its page's label set over its own worker and store connection. */
function tab(factory: IDBFactory) {
  const bridge = createWorkerApi({ store: new IdbStore(factory), models: { preparer } });
  const errors: unknown[] = [];
  let told = 0;
  const app = {
    modelPhase: 'loading',
    filterLabel: '',
    bridge,
    messages: {
      notify: (e: unknown) => errors.push(e),
      notifyInfo: () => undefined,
      warnStorage: (e: unknown) => errors.push(e),
    },
    tabs: { labelsChanged: () => told++ },
    changed: () => undefined,
  } as unknown as App;
  const state = new LabelState(app);
  return { state, bridge, errors, told: () => told };
}

const names = (labels: readonly Label[]) => labels.map((l) => l.name);

describe('label set changed in two tabs at once', () => {
  it('keeps both labels typed at the same instant, and each tab ends with both', async () => {
    const factory = new IDBFactory();
    const a = tab(factory);
    const b = tab(factory);
    await Promise.all([a.state.loadSettings(), b.state.loadSettings()]);
    // Neither awaits the other: both change the set they hold before either is stored.
    await Promise.all([a.state.addLabel('a red kite'), b.state.addLabel('a blue kayak')]);

    const stored = readLabelSettings(await a.bridge.getSetting(LABEL_SETTINGS_KEY));
    expect(names(stored?.labels ?? [])).toEqual([
      ...names(DEFAULT_LABELS),
      'a red kite',
      'a blue kayak',
    ]);
    // The tab whose write came second took the stored set with the other's label in it; the
    // first hears of the second's through the channel (takeStored reads the same set).
    expect(names(b.state.labels)).toContain('a red kite');
    await a.state.takeStored();
    expect(names(a.state.labels)).toEqual(names(b.state.labels));
    expect([a.errors, b.errors]).toEqual([[], []]);
    expect([a.told(), b.told()]).toEqual([1, 1]);
  });

  it('keeps a label added in one tab while the other removes another and turns one off', async () => {
    const factory = new IDBFactory();
    const a = tab(factory);
    const b = tab(factory);
    const [first, second] = DEFAULT_LABELS as [Label, Label];
    await Promise.all([
      a.state.addLabel('a red kite'),
      b.state.removeLabel(first.id),
      b.state.setEnabled([second.id], false),
    ]);
    const stored = readLabelSettings(await a.bridge.getSetting(LABEL_SETTINGS_KEY));
    expect(names(stored?.labels ?? [])).toContain('a red kite');
    expect(names(stored?.labels ?? [])).not.toContain(first.name);
    expect(stored?.disabled).toEqual([second.id]);
  });
});

describe('applyLabelChange', () => {
  const base: LabelSettings = {
    version: 1,
    labels: [...DEFAULT_LABELS],
    disabled: [],
    template: 'default',
  };
  const label = (name: string): Label => ({ id: name, name, prompt: name, category: 'Custom' });

  it('keeps a label added in both tabs once, by name whatever its case', () => {
    const once = applyLabelChange(base, { type: 'add', labels: [label('kite')] }, base);
    const twice = applyLabelChange(once, { type: 'add', labels: [label('Kite')] }, base);
    expect(names(twice.labels).filter((n) => n.toLowerCase() === 'kite')).toEqual(['kite']);
  });

  it('refuses passing the limit with the two tabs\u2019 labels together', () => {
    const full: LabelSettings = {
      ...base,
      labels: Array.from({ length: MAX_LABELS }, (_, i) => label(`l${i}`)),
    };
    expect(() =>
      applyLabelChange(full, { type: 'add', labels: [label('one more')] }, base),
    ).toThrow(expect.objectContaining({ name: 'TooManyLabels' }));
  });

  it('starts from the page set when nothing (or nothing readable) is stored', () => {
    const change: LabelChange = { type: 'add', labels: [label('kite')] };
    expect(names(applyLabelChange(undefined, change, base).labels)).toContain('kite');
    const broken = { version: 1, labels: [{ prompt: 3 }] };
    expect(applyLabelChange(broken, change, base).labels).toHaveLength(DEFAULT_LABELS.length + 1);
  });
});
