// What the worker adds around WorkerApi for comlink, for every method alike: the page's callbacks
// are tracked so a call answers only after its last progress or update reached the page, and
// results (and callback arguments) go with their Float32Array buffers transferred, not copied.
// Every such array in a result is made for it, never a vector the worker keeps.
import { transfer } from 'comlink';
import type { WorkerApi } from '../shared/worker-api.ts';

/**
 * Calls of the page's callbacks that the page has not finished yet. A callback travels on its own
 * MessagePort, so without waiting, a call's last progress or update could reach the page after
 * the call's answer.
 */
class Deliveries {
  private readonly pending = new Set<Promise<unknown>>();

  /** Wraps a page callback: not awaited by the caller (results stream), but tracked. */
  track(callback: (...args: unknown[]) => unknown) {
    return (...args: unknown[]): void => {
      const sent = args.map((a) => withBuffers(a));
      const delivery = Promise.resolve(callback(...sent)).catch(() => undefined);
      this.pending.add(delivery);
      void delivery.finally(() => this.pending.delete(delivery));
    };
  }

  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}

/** Float32Array buffers in plain objects and arrays, a few levels deep, each once. */
function buffersIn(value: unknown, into: Set<ArrayBuffer>, depth = 0): Set<ArrayBuffer> {
  if (value instanceof Float32Array) into.add(value.buffer as ArrayBuffer);
  else if (depth < 4 && Array.isArray(value)) for (const v of value) buffersIn(v, into, depth + 1);
  else if (depth < 4 && typeof value === 'object' && value !== null) {
    if (Object.getPrototypeOf(value) === Object.prototype)
      for (const v of Object.values(value)) buffersIn(v, into, depth + 1);
  }
  return into;
}

function withBuffers<T>(value: T): T {
  const buffers = buffersIn(value, new Set());
  return buffers.size > 0 ? transfer(value, [...buffers]) : value;
}

/**
 * WorkerApi as comlink exposes it. Model-loading progress also reports the text tower, which
 * loads during a later call: every call waits for those deliveries too.
 */
export function forComlink(api: WorkerApi): WorkerApi {
  const modelProgress = new Deliveries();
  const out: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const [name, method] of Object.entries(api) as [string, (...a: unknown[]) => unknown][]) {
    out[name] = async (...args) => {
      const deliveries = name === 'loadModel' ? modelProgress : new Deliveries();
      const wrapped = args.map((a) =>
        typeof a === 'function' ? deliveries.track(a as (...x: unknown[]) => unknown) : a,
      );
      const result = await method(...wrapped);
      await Promise.all([deliveries.settled(), modelProgress.settled()]);
      return withBuffers(result);
    };
  }
  return out as unknown as WorkerApi;
}
