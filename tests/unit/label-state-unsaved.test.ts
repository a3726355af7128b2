// A label change that could not be stored stays on the page (the person is warned) and is stored,
// in order, before the next change: taking the stored set after that one must not drop it.
import { describe, expect, it } from 'vitest';
import { MumicError } from '../../src/core/errors.ts';
import {
  applyLabelChange,
  DEFAULT_LABELS,
  type LabelChange,
  type LabelSettings,
} from '../../src/core/labels/index.ts';
import type { App } from '../../src/ui/app.ts';
import { LabelState } from '../../src/ui/state/label-state.ts';

function page(failFirst: number) {
  // A set is stored already (the diff is applied to it, not to the page's fallback).
  let stored: unknown = {
    version: 1,
    labels: [...DEFAULT_LABELS],
    disabled: [],
    template: 'default',
  };
  let fails = failFirst;
  const warnings: unknown[] = [];
  const app = {
    modelPhase: 'loading',
    messages: {
      notify: () => undefined,
      notifyInfo: () => undefined,
      warnStorage: (e: unknown) => warnings.push(e),
    },
    tabs: { labelsChanged: () => undefined },
    bridge: {
      // The worker's changeLabelSettings over a store that fails its first writes.
      changeLabelSettings(change: LabelChange, fallback: LabelSettings) {
        if (fails-- > 0) return Promise.reject(new MumicError('StorageFailed', 'disk'));
        stored = applyLabelChange(stored, change, fallback);
        return Promise.resolve(stored);
      },
      getSetting: () => Promise.resolve(stored),
    },
    changed: () => undefined,
  } as unknown as App;
  return { state: new LabelState(app), warnings, stored: () => stored as LabelSettings };
}

const names = (labels: readonly { name: string }[]) => labels.map((l) => l.name);

describe('a label change that failed to store', () => {
  it('is kept and stored before the next change, not dropped by it', async () => {
    const { state, warnings, stored } = page(1);
    await state.addLabel('cat');
    expect(warnings).toHaveLength(1);
    expect(names(state.labels)).toContain('cat');
    await state.addLabel('dog');
    expect(names(state.labels)).toEqual(expect.arrayContaining(['cat', 'dog']));
    expect(names(stored().labels)).toEqual(expect.arrayContaining(['cat', 'dog']));
    expect(names(stored().labels).indexOf('cat')).toBeLessThan(
      names(stored().labels).indexOf('dog'),
    );
  });

  it('stays shown when another tab changes the set meanwhile', async () => {
    const { state } = page(1);
    await state.addLabel('cat');
    await state.takeStored();
    expect(names(state.labels)).toContain('cat');
  });
});
