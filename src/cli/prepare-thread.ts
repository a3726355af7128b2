import { Worker } from 'node:worker_threads';
import type { PreparedBatch } from '../core/embed-images.ts';
import type { ImageProcessorConfig } from '../core/preprocess-config.ts';
import type { PrepareReply, PrepareRequest } from './prepare-worker.ts';

/** An idle thread ends after this long, so a long-lived process does not keep it for nothing. */
const IDLE_MS = 30_000;

/** Runs batch preparation (decode + preprocess) on one worker thread. */
export class PrepareThread {
  private readonly worker: Worker;
  private readonly pending = new Map<
    number,
    { resolve: (batch: PreparedBatch) => void; reject: (error: Error) => void }
  >();
  private next = 0;
  private idle: NodeJS.Timeout | undefined;
  /**
   * Whether the worker has loaded its modules. Booting takes about half a second here (a thread,
   * the TypeScript loader, sharp), so callers can prepare in their own thread until then.
   */
  ready = false;
  /** Ended (idle, failed or terminated): a new one is needed. */
  ended = false;

  constructor() {
    this.worker = new Worker(new URL('./prepare-worker-boot.js', import.meta.url));
    this.worker.on('message', (m: PrepareReply) => {
      if (m.type === 'ready') {
        this.ready = true;
        this.settle();
        return;
      }
      this.pending.get(m.id)?.resolve(m.batch);
      this.pending.delete(m.id);
      this.settle();
    });
    // A dead worker must fail the batches it owed, not leave them hanging.
    this.worker.on('error', (error) => this.end(error));
    this.worker.on('exit', (code) => this.end(new Error(`the prepare thread exited (${code})`)));
    // Held open only while it owes batches: an idle thread never keeps the process alive. (After
    // the listeners: adding a 'message' listener refs the worker again.)
    this.worker.unref();
  }

  prepare(
    files: readonly string[],
    start: number,
    processor: ImageProcessorConfig,
  ): Promise<PreparedBatch> {
    const id = this.next++;
    const request: PrepareRequest = { id, files: [...files], start, processor };
    clearTimeout(this.idle);
    this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(request);
    });
  }

  terminate(): Promise<number> {
    this.ended = true;
    clearTimeout(this.idle);
    return this.worker.terminate();
  }

  private end(error: Error): void {
    this.ended = true;
    clearTimeout(this.idle);
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  private settle(): void {
    if (this.pending.size > 0) return;
    this.worker.unref();
    this.idle = setTimeout(() => void this.terminate(), IDLE_MS);
    this.idle.unref();
  }
}

let shared: PrepareThread | undefined;

/**
 * The process's prepare thread, started on first call. `loadModel` calls it, so the thread boots
 * while the model's session is created, and is ready when the first images come.
 */
export function prepareThread(): PrepareThread {
  if (!shared || shared.ended) shared = new PrepareThread();
  return shared;
}

/** Ends the process's prepare thread (the next `prepareThread()` starts a new one). */
export async function endPrepareThread(): Promise<void> {
  const thread = shared;
  shared = undefined;
  await thread?.terminate();
}
