// Loads the text tower while the worker is idle, so that the first label a person types is scored
// as fast as the next ones (its session is otherwise created, and warmed up, only then: seconds
// with a B/32-sized model). It waits for image work to pause (a batch's end, not a gap between
// its runs), so it does not slow a batch, unless the person starts typing a label or a search
// (`now`): then the tower is what they wait for, and a batch pausing for its creation is not.

/** Quiet time before the load starts, and between checks while image work runs. */
export const IDLE_MS = 1000;

export class IdlePreload {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = 0;
  private lastBusy = 0;
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

  /** Calls `load` once nothing has run for IDLE_MS (replacing any load not yet started). */
  schedule(load: () => Promise<unknown>): void {
    this.cancel();
    const generation = this.generation;
    const check = (): void => {
      if (generation !== this.generation) return;
      const quiet = performance.now() - this.lastBusy;
      if (this.running > 0 || quiet < IDLE_MS) {
        this.timer = setTimeout(check, Math.max(100, IDLE_MS - quiet));
        return;
      }
      this.timer = undefined;
      // A failure is not reported here: the first label that needs the tower reports it.
      load().catch(() => undefined);
    };
    this.timer = setTimeout(check, IDLE_MS);
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
