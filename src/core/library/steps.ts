// Long pure computations written as generators that yield between steps of a few ms: the CLI
// runs them straight through; the app's worker gives its event loop a turn between slices, so it
// still answers the supervisor's liveness pings (a 10,000-photo grouping on a loaded 2-core
// machine ran past the 60 s deadline in one piece and the worker was restarted as hung).

/** Runs every step at once; the generator's result. */
export function runSteps<T>(steps: Generator<void, T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** Runs the steps, letting other tasks run (a macrotask turn) once a slice has taken `sliceMs`. */
export async function runStepsYielding<T>(
  steps: Generator<void, T>,
  sliceMs = 20,
  turn: () => Promise<void> = () => new Promise((resolve) => setTimeout(resolve, 0)),
): Promise<T> {
  let sliceStart = performance.now();
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    if (performance.now() - sliceStart >= sliceMs) {
      await turn();
      sliceStart = performance.now();
    }
  }
}
