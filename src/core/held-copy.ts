// One copy of the vision tower held by a prepare thread (CLI) or a nested prepare worker (app),
// issue 16. Both swap it when the model changes, and both must never run a released session:
// the old copy is released only once the runs under way on it have ended, and swaps happen in
// the order asked, so no copy is left behind (not loading the same copy twice is the caller's).

interface Releasable {
  release(): Promise<void>;
}

export class HeldCopy<C extends Releasable> {
  private copy: C | undefined;
  /** The copy loaded by the latest swap (undefined while it loads, or if it failed or was none). */
  get current(): C | undefined {
    return this.copy;
  }

  private latest: Promise<C | undefined> = Promise.resolve(undefined);
  private asked = 0;
  private readonly runs = new Set<Promise<unknown>>();

  /**
   * Releases the copy held, once its runs have ended, then loads the next with `load` (none:
   * nothing is held after). Resolves with the new copy; rejects as `load` does.
   */
  swap(load?: () => Promise<C>): Promise<C | undefined> {
    const ask = ++this.asked;
    this.copy = undefined;
    const next = this.latest.then(async (old) => {
      await Promise.allSettled([...this.runs]);
      await old?.release().catch(() => undefined);
      const made = await load?.();
      // A later swap releases it in turn; until then it serves only if none was asked since.
      if (ask === this.asked) this.copy = made;
      return made;
    });
    this.latest = next.catch(() => undefined);
    return next;
  }

  /** Runs `work` on the current copy (undefined: none is loaded); a swap waits for it. */
  run<T>(work: (copy: C) => Promise<T>): Promise<T> | undefined {
    const copy = this.copy;
    if (!copy) return undefined;
    const run = work(copy);
    this.runs.add(run);
    return run.finally(() => this.runs.delete(run));
  }
}
