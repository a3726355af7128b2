// Loads the text tower while the worker is idle, so that the first label a person types is scored
// as fast as the next ones (its session is otherwise created, and warmed up, only then: seconds
// with a B/32-sized model). It waits for image work to pause (a batch's end, not a gap between
// its runs), so it does not slow a batch, unless the person starts typing a label or a search
// (`now`): then the tower is what they wait for, and a batch pausing for its creation is not.

/** Quiet time before the load starts when no image work ran since it was scheduled. */
export const IDLE_MS = 1000;
/**
 * Quiet time after image work (a classify call, a run). The page sends a batch's next call within
 * milliseconds of the last one's answer, so this is a batch's end; on a first visit the person may
 * type a label right then, and the load downloads the text tower first (docs/PERFORMANCE.md).
 */
export const AFTER_WORK_MS = 300;

export class IdlePreload {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = 0;
  private lastBusy = Number.NEGATIVE_INFINITY;
  private generation = 0;

  /** Runs `work` (an image run, or a whole classify call) and counts it as busy time. */
  async busyWhile<T>(work: () => Promise<T>): Promise<T> {
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      this.lastBusy = performance.now();
    }
  }

  /**
   * Calls `load` once nothing has run for AFTER_WORK_MS, or for IDLE_MS since now if nothing runs
   * (replacing any load not yet started).
   */
  schedule(load: () => Promise<unknown>): void {
    this.cancel();
    const generation = this.generation;
    const scheduled = performance.now();
    const check = (): void => {
      if (generation !== this.generation) return;
      const worked = this.lastBusy > scheduled;
      const wait = worked ? AFTER_WORK_MS : IDLE_MS;
      const quiet = performance.now() - (worked ? this.lastBusy : scheduled);
      if (this.running > 0 || quiet < wait) {
        this.timer = setTimeout(check, this.running > 0 ? AFTER_WORK_MS : wait - quiet);
        return;
      }
      this.timer = undefined;
      // A failure is not reported here: the first label that needs the tower reports it.
      load().catch(() => undefined);
    };
    this.timer = setTimeout(check, AFTER_WORK_MS);
  }

  /** Starts the load at once, busy or not (replacing the scheduled one); resolves when loaded. */
  async now(load: () => Promise<unknown>): Promise<void> {
    this.cancel();
    // As above: the label or search that needs the tower reports a failure.
    await load().catch(() => undefined);
  }

  /** Forgets the scheduled load (another model is being loaded). */
  cancel(): void {
    this.generation++;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
