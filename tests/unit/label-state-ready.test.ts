// A typed label is shown at once, then stored, then scored: until it is scored the set is not
// ready (`data-labels-ready`), so nobody reads a score that is not there yet (an e2e test once read
// the new label's score while its store write waited for the worker, busy loading the text tower).
import { expect, it } from 'vitest';
import {
  applyLabelChange,
  DEFAULT_LABELS,
  type LabelChange,
  type LabelSettings,
} from '../../src/core/labels/index.ts';
import type { App } from '../../src/ui/app.ts';
import { LabelState } from '../../src/ui/state/label-state.ts';

it('is not ready from the change until its scores are in', async () => {
  let stored: unknown = {
    version: 1,
    labels: [...DEFAULT_LABELS],
    disabled: [],
    template: 'default',
  };
  let release = (): void => undefined;
  const scored: string[][] = [];
  const app = {
    modelPhase: 'ready',
    messages: {
      notify: () => undefined,
      notifyInfo: () => undefined,
      warnStorage: () => undefined,
    },
    tabs: { labelsChanged: () => undefined },
    library: { applyTable: () => undefined, restored: false },
    counters: {},
    bridge: {
      // The store write waits (the worker is busy) until the test releases it.
      changeLabelSettings: (change: LabelChange, fallback: LabelSettings) =>
        new Promise((resolve) => {
          release = () => resolve((stored = applyLabelChange(stored, change, fallback)));
        }),
      setLabels: (labels: { id: string }[]) => {
        scored.push(labels.map((l) => l.id));
        return Promise.resolve({ counters: {}, table: {}, fromStore: 0, fromFile: 0, encoded: 1 });
      },
    },
    changed: () => undefined,
  } as unknown as App;
  const state = new LabelState(app);
  state.labelsReady = true;
  expect(state.ready).toBe(true);
  const adding = state.addLabel('cat');
  expect(state.labels.map((l) => l.name)).toContain('cat');
  expect(state.ready).toBe(false);
  release();
  await adding;
  expect(scored.at(-1)).toContain('cat');
  expect(state.ready).toBe(true);
});
