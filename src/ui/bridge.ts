// The main thread's only door to the worker: comlink's own Remote<WorkerApi>, plus what comlink
// does not do by itself. Every method comes from WorkerApi (src/shared/worker-api.ts); nothing is
// re-declared here, so a new worker method needs no change in this file.
import { proxy, type Remote } from 'comlink';
import type { WorkerApi } from '../shared/worker-api.ts';
import { IdbStore } from '../store/idb-store.ts';
import type { PreviewSource } from './state/library-preview.ts';
import { WorkerSupervisor } from './worker-supervisor.ts';

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

/** The page's bridge over a supervisor: calls go to whichever worker is alive. */
export function supervisedBridge(supervisor: WorkerSupervisor): WorkerBridge {
  return new Proxy({} as WorkerBridge, {
    get(_, name) {
      if (name === 'terminate') return () => supervisor.terminate();
      if (typeof name !== 'string' || name === 'then') return undefined;
      return (...args: unknown[]) => supervisor.call(name, args);
    },
  });
}

/** Heartbeat deadline: generous, as one batch can keep a slow machine's worker busy a while. */
const DEFAULT_DEADLINE_MS = 60_000;

/**
 * Starts the worker under a supervisor. `fault` (test hook, first worker only) and `deadlineMs`
 * come from the page's URL (app-params.ts).
 */
export function startWorker(options: { fault?: string | undefined; deadlineMs?: number } = {}): {
  bridge: WorkerBridge;
  supervisor: WorkerSupervisor;
} {
  const supervisor = new WorkerSupervisor({
    deadlineMs: options.deadlineMs ?? DEFAULT_DEADLINE_MS,
    spawn: (generation) => {
      const fault = generation === 1 && options.fault ? `;fault=${options.fault}` : '';
      const worker = new Worker(new URL('../worker/worker.ts', import.meta.url), {
        type: 'module',
        name: `mumic-clip${fault}`,
      });
      return { endpoint: worker, terminate: () => worker.terminate() };
    },
  });
  return { bridge: supervisedBridge(supervisor), supervisor };
}

/**
 * The one read the page makes of the worker's store itself: the stored photos shown while the
 * model loads (state/library-preview.ts). It opens only a database already there, never creates
 * or upgrades one, and writes nothing.
 */
export const storedLibrary = (): PreviewSource => new IdbStore(indexedDB, { existingOnly: true });
