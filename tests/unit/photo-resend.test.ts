// Photos sent again after a backend switch (issue 10, item 3; ui/state/resend.ts) already have an
// id: removed by id while their classify call runs, the record that call stores is removed when
// it arrives (else it comes back on reload); a call failing with a plain error lets them go.
import { describe, expect, it } from 'vitest';
import { MumicError } from '../../src/core/errors.ts';
import { answer, model, page, tick } from './fake-page.ts';

/** One photo tagged on the GPU, then named left behind by a switch: its file is sent again. */
async function resent() {
  const p = page();
  const file = new File(['x'], 'a.png', { type: 'image/png' });
  p.library.add({ files: [{ file, path: 'a.png' }], unreadable: [], truncated: false });
  await tick();
  answer(p.calls[0] as (typeof p.calls)[number], 'a');
  await tick();
  p.library.backendSwitched(model as never, ['a']);
  await tick();
  expect(p.calls).toHaveLength(2);
  return p;
}

describe('a photo sent again after a backend switch', () => {
  it('removed by id while its call runs, is removed again once that call stored it', async () => {
    const { library, calls, removed } = await resent();
    await library.removePhotos(['a']);
    expect(removed).toEqual([['a']]);
    answer(calls[1] as (typeof calls)[number], 'a');
    await tick();
    expect(library.photoById('a')).toBeUndefined();
    expect(removed).toEqual([['a'], ['a']]);
  });

  it('removed by another tab while its call runs, is removed once that call stored it', async () => {
    const { library, calls, removed } = await resent();
    library.forget(library.photoById('a')?.key ?? 0);
    answer(calls[1] as (typeof calls)[number], 'a');
    await tick();
    expect(library.photoById('a')).toBeUndefined();
    expect(removed).toEqual([['a']]);
  });

  it('its call failing with a plain error, a later switch sends it again', async () => {
    const { library, calls } = await resent();
    calls[1]?.reject(new MumicError('InferenceFailed', 'boom'));
    await tick();
    library.backendSwitched(model as never, ['a']);
    await tick();
    expect(calls).toHaveLength(3);
  });
});
