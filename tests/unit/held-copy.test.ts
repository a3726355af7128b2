// The copy of the vision tower a prepare thread or worker holds (src/core/held-copy.ts): never
// released under a run, swapped in the order asked, none left behind.
import { describe, expect, test } from 'vitest';
import { HeldCopy } from '../../src/core/held-copy.ts';

/** A copy that logs its life. */
function copy(name: string, log: string[]) {
  return {
    name,
    release: () => {
      log.push(`release ${name}`);
      return Promise.resolve();
    },
  };
}

function later<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('HeldCopy', () => {
  test('a copy is released only once the runs on it have ended', async () => {
    const log: string[] = [];
    const held = new HeldCopy<ReturnType<typeof copy>>();
    expect(held.run(() => Promise.resolve(1))).toBeUndefined(); // none loaded yet
    await held.swap(() => Promise.resolve(copy('a', log)));
    const running = later<string>();
    const run = held.run((c) => running.promise.then((v) => `${c.name}:${v}`));
    const swapped = held.swap(() => {
      log.push('load b');
      return Promise.resolve(copy('b', log));
    });
    expect(held.current).toBeUndefined(); // no new run starts on the copy going away
    await Promise.resolve();
    expect(log).toEqual([]);
    log.push('run ends');
    running.resolve('done');
    expect(await run).toBe('a:done');
    expect((await swapped)?.name).toBe('b');
    expect(log).toEqual(['run ends', 'release a', 'load b']);
    expect(held.current?.name).toBe('b');
  });

  test('swaps run in the order asked; a superseded copy is released, never current', async () => {
    const log: string[] = [];
    const held = new HeldCopy<ReturnType<typeof copy>>();
    const slow = later<ReturnType<typeof copy>>();
    const first = held.swap(() => slow.promise);
    const second = held.swap(() => Promise.resolve(copy('b', log)));
    const none = held.swap(); // nothing held after
    slow.resolve(copy('a', log));
    expect((await first)?.name).toBe('a');
    expect((await second)?.name).toBe('b');
    expect(await none).toBeUndefined();
    expect(log).toEqual(['release a', 'release b']);
    expect(held.current).toBeUndefined();
  });

  test('a failed load rejects its swap, and the next swap still runs', async () => {
    const log: string[] = [];
    const held = new HeldCopy<ReturnType<typeof copy>>();
    const failed = held.swap(() => Promise.reject(new Error('no such dtype')));
    const next = held.swap(() => Promise.resolve(copy('b', log)));
    await expect(failed).rejects.toThrow('no such dtype');
    expect((await next)?.name).toBe('b');
    expect(held.current?.name).toBe('b');
  });
});
