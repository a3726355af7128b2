// The main thread's only door to the worker: comlink's own Remote<WorkerApi>, plus what comlink
// does not do by itself. Every method comes from WorkerApi (src/shared/worker-api.ts); nothing is
// re-declared here, so a new worker method needs no change in this file.
import { proxy, wrap, type Remote } from 'comlink';
import type { WorkerApi } from '../shared/worker-api.ts';

/** The worker's API as the page calls it, and the worker's lifecycle. */
export type WorkerBridge = WorkerApi & {
  /** Stops the worker at once (its running calls never answer). */
  terminate(): void;
};

/**
 * Wraps a comlink endpoint so a function argument (a progress or update callback) goes as a proxy:
 * comlink would otherwise try to clone it and fail.
 */
export function bridgeTo(remote: Remote<WorkerApi>, terminate: () => void): WorkerBridge {
  const withProxies = (args: unknown[]): unknown[] =>
    args.map((a) => (typeof a === 'function' ? proxy(a as (...x: unknown[]) => unknown) : a));
  return new Proxy({} as WorkerBridge, {
    get(_, name) {
      if (name === 'terminate') return terminate;
      // Not a thenable: awaiting the bridge must not call the worker.
      if (typeof name !== 'string' || name === 'then') return undefined;
      const method = remote[name as keyof WorkerApi] as unknown as (...a: unknown[]) => unknown;
      return (...args: unknown[]) => method(...withProxies(args));
    },
  });
}

export function startWorker(): WorkerBridge {
  const worker = new Worker(new URL('../worker/worker.ts', import.meta.url), {
    type: 'module',
    name: 'mumic-clip',
  });
  return bridgeTo(wrap<WorkerApi>(worker), () => worker.terminate());
}
