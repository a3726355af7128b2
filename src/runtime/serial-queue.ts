/**
 * Runs async jobs one at a time, in order. One GPU device (and one WASM instance) per worker:
 * overlapping session.run calls would contend for it and, on WebGPU, interleave command buffers.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job, job);
    // Keep the chain alive whatever the job's outcome; callers see their own result.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
