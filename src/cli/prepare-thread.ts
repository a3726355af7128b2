import { Worker } from 'node:worker_threads';
import type { PreparedBatch } from '../core/embed-images.ts';
import type { ImageProcessorConfig } from '../core/preprocess-config.ts';
import type { PrepareReply, PrepareRequest } from './prepare-worker.ts';

/** Runs batch preparation (decode + preprocess) on one worker thread. */
export class PrepareThread {
  private readonly worker: Worker;
  private readonly pending = new Map<
    number,
    { resolve: (batch: PreparedBatch) => void; reject: (error: Error) => void }
  >();
  private next = 0;
  /**
   * Whether the worker has loaded its modules. Booting takes about half a second here (a thread,
   * the TypeScript loader, sharp), so callers can prepare in their own thread until then.
   */
  ready = false;

  constructor(private readonly processor: ImageProcessorConfig) {
    this.worker = new Worker(new URL('./prepare-worker-boot.js', import.meta.url));
    this.worker.on('message', (m: PrepareReply) => {
      if (m.type === 'ready') {
        this.ready = true;
        return;
      }
      this.pending.get(m.id)?.resolve(m.batch);
      this.pending.delete(m.id);
    });
    // A dead worker must fail the batches it owed, not leave them hanging.
    this.worker.on('error', (error) => {
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    });
  }

  prepare = (files: readonly string[], start: number): Promise<PreparedBatch> => {
    const id = this.next++;
    const request: PrepareRequest = { id, files: [...files], start, processor: this.processor };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(request);
    });
  };

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}
