// The heartbeat during calls that keep the worker busy (model load, label encoding, adapt, folder
// install): a worker blocked for many deadlines on a slow machine is not cut off, one hung for
// good is caught after the longer tolerance. Fake timers; the "worker" talks to the page over an
// in-memory endpoint that delivers messages as microtasks, so fake time can drive everything.
import { expose, type Endpoint } from 'comlink';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WorkerApi } from '../../src/shared/worker-api.ts';
import {
  BUSY_FACTOR,
  WorkerSupervisor,
  type SpawnedWorker,
} from '../../src/ui/worker-supervisor.ts';

type Listener = (event: MessageEvent) => void;

/** Two endpoints that hand each other's messages over as microtasks. */
function microChannel(): [Endpoint, SpawnedWorker['endpoint']] {
  const make = () => {
    const listeners = new Set<Listener>();
    return {
      listeners,
      end: {
        // Only messages are delivered: the other event types never fire here.
        addEventListener: (type: string, l: unknown) =>
          void (type === 'message' && listeners.add(l as Listener)),
        removeEventListener: (_: string, l: unknown) => void listeners.delete(l as Listener),
        postMessage: (data: unknown): void => void data,
      },
    };
  };
  const a = make();
  const b = make();
  const deliver = (to: Set<Listener>) => (data: unknown) =>
    queueMicrotask(() => {
      for (const l of to) l({ data } as MessageEvent);
    });
  a.end.postMessage = deliver(b.listeners);
  b.end.postMessage = deliver(a.listeners);
  return [a.end as Endpoint, b.end as SpawnedWorker['endpoint']];
}

const DEADLINE = 1000;

/** A worker whose thread is blocked (no answer at all) until `unblock`, or for good. */
function blockedWorker() {
  let unblock: () => void = () => undefined;
  const blocked = new Promise<void>((r) => (unblock = r));
  const api = {
    loadModel: () => blocked.then(() => 'loaded'),
    status: () => blocked.then(() => null),
  } as unknown as WorkerApi;
  const [inside, page] = microChannel();
  expose(api, inside);
  const worker: SpawnedWorker = { endpoint: page, terminate: () => undefined };
  return { worker, unblock };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

function supervise() {
  const first = blockedWorker();
  let spawned = 0;
  const supervisor = new WorkerSupervisor({
    deadlineMs: DEADLINE,
    spawn: () => (spawned++ === 0 ? first.worker : blockedWorker().worker),
  });
  supervisor.onFailure = () => false;
  return { supervisor, first, spawns: () => spawned };
}

describe('WorkerSupervisor during busy calls', () => {
  it('a model load blocking the worker for many deadlines is not cut off', async () => {
    const { supervisor, first, spawns } = supervise();
    const load = supervisor.call('loadModel', [{}]);
    let outcome: unknown;
    load.then(
      (v) => (outcome = v),
      (e: unknown) => (outcome = e),
    );
    await vi.advanceTimersByTimeAsync(DEADLINE * (BUSY_FACTOR - 2));
    expect(outcome).toBeUndefined();
    first.unblock();
    await vi.advanceTimersByTimeAsync(DEADLINE);
    expect(outcome).toBe('loaded');
    expect(spawns()).toBe(1);
    supervisor.terminate();
  });

  it('a model load hung for good is caught after the longer tolerance', async () => {
    const { supervisor } = supervise();
    const load = supervisor.call('loadModel', [{}]);
    let outcome: unknown;
    load.catch((e: unknown) => (outcome = e));
    await vi.advanceTimersByTimeAsync(DEADLINE * (BUSY_FACTOR - 1));
    expect(outcome).toBeUndefined();
    await vi.advanceTimersByTimeAsync(DEADLINE * 2);
    expect(outcome).toMatchObject({ name: 'WorkerFailed' });
    expect((outcome as Error).message).toMatch(/did not answer for 10 s/);
    supervisor.terminate();
  });

  it('an ordinary call keeps the short deadline', async () => {
    const { supervisor } = supervise();
    let outcome: unknown;
    supervisor.call('status', []).catch((e: unknown) => (outcome = e));
    await vi.advanceTimersByTimeAsync(DEADLINE * 2);
    expect(outcome).toMatchObject({ name: 'WorkerFailed' });
    supervisor.terminate();
  });
});
