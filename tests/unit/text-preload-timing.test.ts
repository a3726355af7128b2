// When the text tower's idle load starts (src/worker/text-preload.ts): a second after the model's
// load when nothing runs, soon after image work ends (a batch's end), never while it runs.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AFTER_WORK_MS, IDLE_MS, IdlePreload } from '../../src/worker/text-preload.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

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

  it('waits for work to end, then starts AFTER_WORK_MS later', async () => {
    const preload = new IdlePreload();
    const { loads } = scheduled(preload);
    let finish = (): void => undefined;
    const work = preload.busyWhile(() => new Promise<void>((resolve) => (finish = resolve)));
    await vi.advanceTimersByTimeAsync(5 * IDLE_MS);
    expect(loads()).toBe(0);
    finish();
    await work;
    await vi.advanceTimersByTimeAsync(AFTER_WORK_MS - 1);
    expect(loads()).toBe(0);
    await vi.advanceTimersByTimeAsync(AFTER_WORK_MS);
    expect(loads()).toBe(1);
  });

  it('now() loads at once, during an image run, and replaces the scheduled load', async () => {
    const preload = new IdlePreload();
    const { loads } = scheduled(preload);
    let finish = (): void => undefined;
    const work = preload.busyWhile(() => new Promise<void>((resolve) => (finish = resolve)));
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
