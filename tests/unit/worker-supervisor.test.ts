// The page's worker supervisor (issue 10, item 2) over MessageChannels: a worker that fails (an
// `error` event) or hangs (no answer to the heartbeat) has its calls rejected by name, and a new
// worker answers the next ones; when the page says no, calls fail at once instead of waiting.
import { expose } from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkerApi } from '../../src/shared/worker-api.ts';
import { WorkerSupervisor, type SpawnedWorker } from '../../src/ui/worker-supervisor.ts';

const ports: MessagePort[] = [];
const supervisors: WorkerSupervisor[] = [];
afterEach(() => {
  for (const s of supervisors.splice(0)) s.terminate();
  for (const p of ports.splice(0)) p.close();
});

/** A fake worker: `getSetting` answers with its generation, or never when it hangs. */
function fakeWorker(generation: number, hang: boolean, slowMs = 0): SpawnedWorker {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  const never = new Promise(() => undefined);
  const api = {
    getSetting: () => (hang ? never : new Promise((r) => setTimeout(() => r(generation), slowMs))),
    status: () => (hang ? never : Promise.resolve(null)),
  } as unknown as WorkerApi;
  expose(api, port1);
  return { endpoint: port2, terminate: () => port1.close() };
}

function supervise(hangFirst: boolean, restart = true, slowMs = 0, deadlineMs = 200) {
  const spawned: SpawnedWorker[] = [];
  const supervisor = new WorkerSupervisor({
    deadlineMs,
    spawn: (generation) => {
      const worker = fakeWorker(generation, hangFirst && spawned.length === 0, slowMs);
      spawned.push(worker);
      return worker;
    },
  });
  supervisors.push(supervisor);
  const failures: string[] = [];
  supervisor.onFailure = (error) => {
    failures.push(error.name);
    return restart;
  };
  return { supervisor, spawned, failures };
}

describe('WorkerSupervisor', () => {
  it('an error event rejects the calls under way by name; the next worker answers', async () => {
    const { supervisor, spawned, failures } = supervise(true);
    const call = supervisor.call('getSetting', ['x']);
    (spawned[0]?.endpoint as MessagePort | undefined)?.dispatchEvent(new Event('error'));
    await expect(call).rejects.toMatchObject({ name: 'WorkerFailed' });
    expect(failures).toEqual(['WorkerFailed']);
    expect(spawned).toHaveLength(2);
    expect(await supervisor.call('getSetting', ['x'])).toBeGreaterThan(1);
  });

  it('a long call to a worker that still answers the heartbeat is not cut off', async () => {
    // A deadline the heartbeat meets on a loaded machine (200 ms did not, in the full suite).
    const { supervisor, spawned } = supervise(false, true, 3000, 1000);
    expect(await supervisor.call('getSetting', ['x'])).toBe(1);
    expect(spawned).toHaveLength(1);
  });

  it('a hung worker is noticed by the heartbeat and replaced', async () => {
    const { supervisor, spawned } = supervise(true);
    await expect(supervisor.call('getSetting', ['x'])).rejects.toThrow(/did not answer/);
    expect(spawned).toHaveLength(2);
    expect(await supervisor.call('getSetting', ['x'])).toBeGreaterThan(1);
  });

  it('when the page gives up, later calls fail at once instead of waiting', async () => {
    const { supervisor, spawned } = supervise(true, false);
    await expect(supervisor.call('getSetting', ['x'])).rejects.toMatchObject({
      name: 'WorkerFailed',
    });
    expect(spawned).toHaveLength(1);
    await expect(supervisor.call('getSetting', ['x'])).rejects.toMatchObject({
      name: 'WorkerFailed',
    });
  });
});
