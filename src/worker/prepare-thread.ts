// The CLIP worker's side of the nested prepare worker: the next batch is decoded and preprocessed
// there, off the thread that drives onnxruntime-web, so it can overlap inference where a core is
// free (used only with more than 2 cores: on 2 it measured no better, docs/PERFORMANCE.md).
import type { ImageProcessorConfig } from '../core/preprocess-config.ts';
import {
  prepareTimed,
  type PreparedBlobs,
  type PrepareReply,
  type PrepareRequest,
} from './prepare-protocol.ts';

/**
 * With batches owed and no reply for this long, the worker is taken as hung: it is ended and its
 * batches are prepared here. Generous: a batch of huge photos can take seconds to decode.
 */
const WATCHDOG_MS = 120_000;

interface Waiting {
  request: PrepareRequest;
  resolve: (batch: PreparedBlobs | Promise<PreparedBlobs>) => void;
}

/**
 * Prepares batches on one nested worker, started on first use. Until it reports ready, and for
 * good if it cannot start or dies, batches are prepared in this thread: none is ever lost.
 */
export class PrepareThread {
  /** Off: every batch is prepared in this thread (see ModelLoadRequest.prepareWorker). */
  enabled = true;
  private worker: Worker | undefined;
  private state: 'idle' | 'starting' | 'ready' | 'dead' = 'idle';
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 0;
  private watchdog: ReturnType<typeof setTimeout> | undefined;

  prepare(
    blobs: readonly Blob[],
    start: number,
    processor: ImageProcessorConfig,
    thumbnails = false,
  ): Promise<PreparedBlobs> {
    const request: PrepareRequest = {
      type: 'prepare',
      id: this.nextId++,
      blobs: [...blobs],
      start,
      processor,
      thumbnails,
    };
    if (!this.enabled) return prepareHere(request);
    this.boot();
    const worker = this.worker;
    if (this.state !== 'ready' || !worker) return prepareHere(request);
    return new Promise((resolve) => {
      this.waiting.set(request.id, { request, resolve });
      // Started by the first owed batch; only replies restart it (a hung worker gets no more time).
      this.watchdog ??= setTimeout(() => this.die(), WATCHDOG_MS);
      try {
        worker.postMessage(request);
      } catch {
        this.waiting.delete(request.id);
        resolve(prepareHere(request));
      }
    });
  }

  private boot(): void {
    if (this.state !== 'idle') return;
    this.state = 'dead';
    if (typeof Worker === 'undefined') return; // a worker without nested workers, or Node
    try {
      // This exact form lets Vite bundle the worker as its own chunk (build and dev server).
      const worker = new Worker(new URL('./prepare-worker.ts', import.meta.url), {
        type: 'module',
        name: 'mumic-prepare',
      });
      worker.onmessage = (event: MessageEvent<PrepareReply>) => this.receive(event.data);
      // A script that cannot load (CSP, offline without it, a 404) or a crash: prepare here.
      worker.onerror = (event) => {
        event.preventDefault();
        this.die();
      };
      worker.onmessageerror = () => this.die();
      this.worker = worker;
      this.state = 'starting';
    } catch {
      // SecurityError or no module workers: stay 'dead', every batch is prepared here.
    }
  }

  private receive(reply: PrepareReply): void {
    if (reply.type === 'ready') {
      if (this.state === 'starting') this.state = 'ready';
      return;
    }
    const waiting = this.waiting.get(reply.id);
    if (!waiting) return;
    this.waiting.delete(reply.id);
    this.watch();
    if (reply.type === 'failed') console.warn(`prepare worker: ${reply.message}; preparing here`);
    waiting.resolve(reply.type === 'prepared' ? reply.batch : prepareHere(waiting.request));
  }

  /** (Re)starts the hang timer while batches are owed; every reply counts as a sign of life. */
  private watch(): void {
    clearTimeout(this.watchdog);
    this.watchdog = this.waiting.size > 0 ? setTimeout(() => this.die(), WATCHDOG_MS) : undefined;
  }

  private die(): void {
    clearTimeout(this.watchdog);
    this.state = 'dead';
    this.worker?.terminate();
    this.worker = undefined;
    for (const { request, resolve } of this.waiting.values()) resolve(prepareHere(request));
    this.waiting.clear();
  }
}

/** The fallback: the same preparation in this thread (it cannot overlap inference here). */
const prepareHere = (request: PrepareRequest): Promise<PreparedBlobs> =>
  prepareTimed(request, 'mumic:prepare-here');
