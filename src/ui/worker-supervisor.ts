// Keeps the page's calls to the worker from waiting forever (issue 10, item 2): a worker that
// fails to load, throws at top level, closes or hangs is noticed (its `error`/`messageerror`
// events, and a heartbeat while calls are under way), terminated, and every call to it rejected
// with WorkerFailed. The page decides whether a new worker starts (see App.workerFailed).
import { proxy, wrap, type Endpoint, type Remote } from 'comlink';
import { MumicError } from '../core/errors.ts';
import type { WorkerApi } from '../shared/worker-api.ts';

/** One worker: its comlink endpoint (with error events) and how to stop it. */
export interface SpawnedWorker {
  endpoint: Endpoint & {
    addEventListener(type: 'error' | 'messageerror', listener: (event: Event) => void): void;
  };
  terminate(): void;
}

export interface SupervisorOptions {
  /** Starts worker number `generation` (1 for the first). */
  spawn: (generation: number) => SpawnedWorker;
  /** How long calls under way may go without any sign of life from the worker. */
  deadlineMs: number;
  /** The same while a BUSY_CALLS call runs (default BUSY_FACTOR × deadlineMs). */
  busyDeadlineMs?: number | undefined;
}

/**
 * Calls that create sessions or encode all labels: on a loaded machine they keep the worker's
 * thread busy for tens of seconds (measured: start-up of clip-tiny, 53 s with six other jobs), so
 * while one runs the heartbeat goes on with a much longer tolerance: a hang there is still caught,
 * a slow machine is not cut off. Progress callbacks count as signs of life too.
 */
export const BUSY_FACTOR = 10;

const BUSY_CALLS = new Set(['loadModel', 'setLabels', 'installLocalModel', 'adapt']);

/** What the supervisor tells the page; answers whether to start a new worker. */
export type FailureHandler = (error: MumicError) => boolean;

export class WorkerSupervisor {
  private generation = 0;
  private current!: { remote: Remote<WorkerApi>; terminate(): void };
  private dead!: Promise<never>;
  private kill!: (error: MumicError) => void;
  private pending = 0;
  private busy = 0;
  private lastSign = 0;
  private pinging = false;
  private readonly timer: ReturnType<typeof setInterval>;
  onFailure: FailureHandler = () => true;

  constructor(private readonly options: SupervisorOptions) {
    this.start();
    this.timer = setInterval(() => this.check(), Math.max(50, options.deadlineMs / 4));
  }

  /** Calls `name` on the worker in use; rejects with WorkerFailed if that worker fails. */
  call(name: string, args: unknown[]): Promise<unknown> {
    const method = this.current.remote[name as keyof WorkerApi] as unknown as (
      ...a: unknown[]
    ) => Promise<unknown>;
    // A progress or update callback reaching the page is a sign of life too.
    const sent = args.map((a) =>
      typeof a === 'function'
        ? proxy((...x: unknown[]) => {
            this.lastSign = performance.now();
            return (a as (...y: unknown[]) => unknown)(...x);
          })
        : a,
    );
    if (this.pending++ === 0) this.lastSign = performance.now();
    const generation = this.generation;
    const busy = BUSY_CALLS.has(name);
    if (busy) this.busy++;
    const answer = Promise.race([method(...sent), this.dead]);
    const settled = (): void => {
      // A call to a worker already replaced is no longer counted (start() reset the count).
      if (generation !== this.generation) return;
      this.pending--;
      if (busy) this.busy--;
      this.lastSign = performance.now();
    };
    void answer.then(settled, settled);
    return answer;
  }

  /** Stops the worker for good (the page is going away). */
  terminate(): void {
    clearInterval(this.timer);
    this.current.terminate();
  }

  private start(): void {
    const generation = ++this.generation;
    const { endpoint, terminate } = this.options.spawn(generation);
    this.dead = new Promise<never>((_, reject) => (this.kill = reject));
    this.dead.catch(() => undefined);
    endpoint.addEventListener('error', (event) => {
      // Handled here: not also an uncaught error in the page's console.
      event.preventDefault();
      const message = (event as ErrorEvent).message || 'it failed to start';
      this.failed(generation, `the worker stopped: ${message}`);
    });
    endpoint.addEventListener('messageerror', () =>
      this.failed(generation, 'a message from the worker could not be read'),
    );
    this.current = { remote: wrap<WorkerApi>(endpoint), terminate };
    this.pending = 0;
    this.busy = 0;
    this.pinging = false;
    this.lastSign = performance.now();
  }

  /** While calls are under way, asks the worker for its status: a hung one does not answer. */
  private check(): void {
    if (this.pending === 0) return;
    const { deadlineMs, busyDeadlineMs } = this.options;
    const deadline = this.busy > 0 ? (busyDeadlineMs ?? deadlineMs * BUSY_FACTOR) : deadlineMs;
    const generation = this.generation;
    if (performance.now() - this.lastSign > deadline) {
      const seconds = Math.round(deadline / 1000);
      this.failed(generation, `the worker did not answer for ${seconds} s`);
      return;
    }
    if (this.pinging) return;
    this.pinging = true;
    // Any answer, an error too, means the worker's thread is free.
    const answered = (): void => {
      if (generation !== this.generation) return;
      this.pinging = false;
      this.lastSign = performance.now();
    };
    void this.current.remote.status().then(answered, answered);
  }

  private failed(generation: number, reason: string): void {
    if (generation !== this.generation) return;
    this.current.terminate();
    const error = new MumicError('WorkerFailed', reason);
    console.warn(`worker ${generation}: ${reason}`);
    this.kill(error);
    // Events of the old worker, and its calls settling, are ignored from now on.
    this.generation++;
    if (this.onFailure(error)) this.start();
    else this.stayDead(error);
  }

  /** No new worker: every later call fails at once, by name. */
  private stayDead(error: MumicError): void {
    clearInterval(this.timer);
    this.dead = Promise.reject(error);
    this.dead.catch(() => undefined);
    const refuse = () => this.dead;
    this.current = {
      remote: new Proxy({}, { get: () => refuse }) as Remote<WorkerApi>,
      terminate: () => undefined,
    };
  }
}
