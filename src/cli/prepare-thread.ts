import { Worker } from 'node:worker_threads';
import type { PreparedBatch } from '../core/embed-images.ts';
import type { ImageProcessorConfig } from '../core/preprocess-config.ts';
import type { PrepareRequest } from './prepare-worker.ts';

/** Runs batch preparation (decode + preprocess) on one worker thread. */
export class PrepareThread {
  private readonly worker: Worker;
  private readonly pending = new Map<
    number,
    { resolve: (batch: PreparedBatch) => void; reject: (error: Error) => void }
  >();
  private next = 0;

  constructor(private readonly processor: ImageProcessorConfig) {
    this.worker = new Worker(new URL('./prepare-worker-boot.js', import.meta.url));
    this.worker.on('message', (m: { id: number; batch: PreparedBatch }) => {
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
