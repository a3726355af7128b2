// The page refuses labels past MAX_LABELS when they are added (typed or imported in "add" mode):
// a stored set past the limit would be refused whole at the next start (issue 10, item 7).
import { describe, expect, it } from 'vitest';
import { MAX_LABELS, type Label } from '../../src/core/labels/index.ts';
import type { App } from '../../src/ui/app.ts';
import { LabelState } from '../../src/ui/state/label-state.ts';

function fullSet(): { state: LabelState; errors: unknown[] } {
  const errors: unknown[] = [];
  const app = {
    modelPhase: 'loading',
    messages: { notify: (e: unknown) => errors.push(e), notifyInfo: () => undefined },
    bridge: { putSetting: () => Promise.resolve() },
    changed: () => undefined,
  } as unknown as App;
  const state = new LabelState(app);
  state.labels = Array.from({ length: MAX_LABELS }, (_, i): Label => ({
    id: `l${i}`,
    name: `l${i}`,
    prompt: `l${i}`,
    category: '',
  }));
  return { state, errors };
}

const nameOf = (e: unknown): string | undefined => (e as { name?: string }).name;

describe('label limit on the page', () => {
  it('a typed label past the limit is refused by name, the set left as it was', async () => {
    const { state, errors } = fullSet();
    expect(await state.addLabel('one more')).toBeUndefined();
    expect(state.labels).toHaveLength(MAX_LABELS);
    expect(errors.map(nameOf)).toEqual(['TooManyLabels']);
  });

  it('importing in add mode past the limit is refused by name', async () => {
    const { state, errors } = fullSet();
    await state.importLabels(new File(['extra one\nextra two\n'], 'more.txt'), 'add');
    expect(state.labels).toHaveLength(MAX_LABELS);
    expect(errors.map(nameOf)).toEqual(['TooManyLabels']);
  });
});
