// When the text tower's idle load starts (src/worker/text-preload.ts): once nothing has run for a
// second (a batch's end, not a gap between its calls), never while image work runs.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IDLE_MS, IdlePreload } from '../../src/worker/text-preload.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Image work under way until `finish` is called. */
function busy(preload: IdlePreload): { finish: () => void; work: Promise<void> } {
  let finish = (): void => undefined;
  const work = preload.busyWhile(() => new Promise<void>((resolve) => (finish = resolve)));
  return { finish: () => finish(), work };
}

function scheduled(preload: IdlePreload): { loads: () => number } {
  let loads = 0;
  preload.schedule(() => Promise.resolve(loads++));
  return { loads: () => loads };
}

describe('the text tower idle load', () => {
  it('starts IDLE_MS after it was scheduled when nothing runs', async () => {
    const preload = new IdlePreload();
    const { loads } = scheduled(preload);
    await vi.advanceTimersByTimeAsync(IDLE_MS - 1);
    expect(loads()).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(loads()).toBe(1);
  });

  it('waits for work to end, then starts IDLE_MS later', async () => {
    const preload = new IdlePreload();
    const { loads } = scheduled(preload);
    const { finish, work } = busy(preload);
    await vi.advanceTimersByTimeAsync(5 * IDLE_MS);
    expect(loads()).toBe(0);
    finish();
    await work;
    await vi.advanceTimersByTimeAsync(IDLE_MS - 1);
    expect(loads()).toBe(0);
    await vi.advanceTimersByTimeAsync(110); // checked at most every 100 ms
    expect(loads()).toBe(1);
  });

  it('now() loads at once, during an image run, and replaces the scheduled load', async () => {
    const preload = new IdlePreload();
    const { loads } = scheduled(preload);
    const { finish, work } = busy(preload);
    let now = 0;
    await preload.now(() => Promise.resolve(now++));
    expect(now).toBe(1);
    finish();
    await work;
    await vi.advanceTimersByTimeAsync(5 * IDLE_MS);
    expect(loads()).toBe(0);
  });

  it('is forgotten when cancelled', async () => {
    const preload = new IdlePreload();
    const { loads } = scheduled(preload);
    preload.cancel();
    await vi.advanceTimersByTimeAsync(2 * IDLE_MS);
    expect(loads()).toBe(0);
  });
});
