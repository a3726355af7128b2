// Cancelling a batch (ui/state/photo-state.ts): the cancel ends only once the batch has, so what
// the batch says last (its "Cancelled" notice) comes before what the caller says next; Clear all
// in the middle of a batch once showed the batch's notice after its own (a CI failure).
import { describe, expect, it } from 'vitest';
import { answer, page, tick } from './fake-page.ts';

function addPhotos(p: ReturnType<typeof page>, n: number): void {
  const files = Array.from({ length: n }, (_, i) => ({
    file: new File(['x'], `p${i}.png`, { type: 'image/png' }),
    path: `p${i}.png`,
  }));
  p.library.add({ files, unreadable: [], truncated: false });
}

describe('cancelling a batch', () => {
  it('ends after the running call has ended and the batch has posted its notice', async () => {
    const p = page();
    addPhotos(p, 30); // two chunks (24 + 6): the second is still queued at the cancel
    await tick();
    expect(p.calls).toHaveLength(1);
    let cancelled = false;
    const cancelling = p.library.cancel().then(() => (cancelled = true));
    await tick();
    expect(cancelled).toBe(false);
    answer(p.calls[0] as (typeof p.calls)[number], 'a');
    await cancelling;
    expect(p.notices).toEqual(['Cancelled: 6 photos were not tagged.']);
    expect(p.library.batch?.running).toBe(false);
  });

  it('says nothing when nothing was left untagged', async () => {
    const p = page();
    addPhotos(p, 1);
    await tick();
    const cancelling = p.library.cancel();
    answer(p.calls[0] as (typeof p.calls)[number], 'a');
    await cancelling;
    expect(p.notices).toEqual([]);
  });
});
