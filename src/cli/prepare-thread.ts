import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PreparedBatch } from '../core/embed-images.ts';
import type { ImageProcessorConfig } from '../core/preprocess-config.ts';
import { copyKey, type EmbedBeside } from './prepare-embedder.ts';
import type { CopyRequest, PrepareReply, PrepareRequest } from './prepare-worker.ts';

/** An idle thread ends after this long, so a long-lived process does not keep it for nothing. */
const IDLE_MS = 30_000;

interface Waiter<T> {
  resolve: (value: T) => void;
  reject: (error: Error) => void;
}

/** Runs batch preparation (decode + preprocess) on one worker thread. */
export class PrepareThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Waiter<PreparedBatch>>();
  /** Loads and releases of its copy of the vision tower (prepare-embedder.ts), not owed. */
  private readonly copying = new Map<number, Waiter<void>>();
  private next = 0;
  private idle: NodeJS.Timeout | undefined;
  /** Asked to load a copy of the vision tower at least once (else there is none to release). */
  private copied = false;
  /**
   * Whether the worker has loaded its modules. Booting takes about half a second here (a thread,
   * the TypeScript loader, sharp), so callers can prepare in their own thread until then.
   */
  ready = false;
  /** Ended (idle, failed or terminated): a new one is needed. */
  ended = false;

  /** Batches sent and not yet returned. */
  get owed(): number {
    return this.pending.size;
  }

  constructor(onReady?: () => void) {
    this.worker = new Worker(new URL('./prepare-worker-boot.js', import.meta.url));
    this.worker.on('message', (m: PrepareReply) => {
      if (m.type === 'ready') {
        this.ready = true;
        this.settle();
        onReady?.();
        return;
      }
      if (m.type === 'batch') this.pending.get(m.id)?.resolve(m.batch);
      else this.copying.get(m.id)?.resolve();
      this.pending.delete(m.id);
      this.copying.delete(m.id);
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
    reduceTo?: number,
    embed?: EmbedBeside,
  ): Promise<PreparedBatch> {
    const id = this.next++;
    const request: PrepareRequest = {
      type: 'prepare',
      id,
      files: [...files],
      start,
      processor,
      reduceTo,
      embed,
    };
    clearTimeout(this.idle);
    this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(request);
    });
  }

  /** Has the thread load its copy of the vision tower (this does not hold the process open). */
  warm(embed: EmbedBeside): Promise<void> {
    // An ended thread's messages go nowhere: the answer would never come.
    if (this.ended) return Promise.reject(new Error('the prepare thread has ended'));
    this.copied = true;
    return this.ask({ type: 'warm', id: this.next++, embed });
  }

  private ask(request: CopyRequest): Promise<void> {
    return new Promise((resolve, reject) => {
      this.copying.set(request.id, { resolve, reject });
      this.worker.postMessage(request);
    });
  }

  /**
   * Ends the thread, its copy of the vision tower released first (see releaseCopy: a load under
   * way is waited for). It holds the process open until then; ended, no late message of it lets
   * go of the process (settle).
   */
  async terminate(): Promise<void> {
    if (this.ended) return;
    this.ended = true; // no batch is given to it from now on
    clearTimeout(this.idle);
    this.worker.ref();
    if (this.ready && this.copied) {
      await this.ask({ type: 'release', id: this.next++ }).catch(() => undefined);
    }
    await this.worker.terminate();
  }

  private end(error: Error): void {
    this.ended = true;
    clearTimeout(this.idle);
    for (const p of [...this.pending.values(), ...this.copying.values()]) p.reject(error);
    this.pending.clear();
    this.copying.clear();
  }

  /**
   * Owing nothing: the thread no longer holds the process open, and ends after IDLE_MS. Not once
   * it is ending: a late message (its 'ready') must not let the process exit before it has.
   */
  private settle(): void {
    if (this.ended || this.pending.size > 0) return;
    clearTimeout(this.idle);
    this.worker.unref();
    this.idle = setTimeout(() => void this.terminate(), IDLE_MS);
    this.idle.unref();
  }
}

/** Prepare threads that hold a copy of the vision tower (prepare-embedder.ts); the rest prepare. */
const MAX_COPIES = 4;

/** More threads than this gain nothing but memory (each holds a full-size decoded photo). */
const MAX_DEFAULT_WORKERS = 16;

/**
 * Threads to prepare on by default: one per core. A 12 MP photo's preparation (its JPEG decode
 * alone is about 120 ms of CPU) outweighs its model run (about 40 ms on onnxruntime's one thread
 * here) three to one, so preparation must be able to use every core, the one the model runs on
 * included, or that core idles while the model waits (one thread on 2 cores: 145 ms a photo,
 * the prepare thread's own pace). Threads with nothing to prepare sleep, so small photos, whose
 * preparation is cheap, leave the model its core. See docs/PERFORMANCE.md.
 */
export function defaultPrepareWorkers(cores = availableParallelism()): number {
  return Math.max(1, Math.min(cores, MAX_DEFAULT_WORKERS));
}

/** Several prepare threads; each batch goes to the ready one that owes the fewest. */
export class PreparePool {
  readonly threads: PrepareThread[] = [];
  private terminated = false;
  private booted = 0;
  private allUp: () => void = () => undefined;
  /** Resolves once every thread has booted (benchmarks start their clocks then). */
  readonly whenReady = new Promise<void>((resolve) => (this.allUp = resolve));

  constructor(readonly size: number) {
    // The first thread boots alone (half a second of a core, beside the model's loading); the
    // others once it is up, so one is ready as early as possible.
    this.threads.push(
      new PrepareThread(() => {
        this.up();
        while (!this.terminated && this.threads.length < size) {
          this.threads.push(new PrepareThread(() => this.up()));
        }
      }),
    );
  }

  private up(): void {
    if (++this.booted === this.size) this.allUp();
  }

  /**
   * Has the threads that hold a copy of the vision tower load it once they are up (a run of
   * many photos starts); resolves when each has loaded it or failed to (that one prepares only).
   */
  warmCopies(embed: EmbedBeside): Promise<void> {
    const key = copyKey(embed);
    if (this.copies?.key !== key) {
      const warm = (t: PrepareThread) => t.warm(embed).catch(() => undefined);
      const done = this.whenReady
        .then(() => Promise.all(this.threads.slice(0, MAX_COPIES).map(warm)))
        .then(() => void (this.loadedKey = key));
      this.copies = { key, done };
    }
    return this.copies.done;
  }

  /** The model the copies were last warmed for, and the one they have loaded. */
  private copies: { key: string; done: Promise<void> } | undefined;
  private loadedKey: string | undefined;

  /** Some thread has booted and can take a batch. */
  get ready(): boolean {
    return this.threads.some((t) => t.ready && !t.ended);
  }

  /** Every thread has ended: a new pool is needed. */
  get ended(): boolean {
    return this.threads.every((t) => t.ended);
  }

  prepare(
    files: readonly string[],
    start: number,
    processor: ImageProcessorConfig,
    reduceTo?: number,
    embed?: EmbedBeside,
  ): Promise<PreparedBatch> {
    const live = this.threads.filter((t) => t.ready && !t.ended);
    const least = live.reduce((a, b) => (b.owed < a.owed ? b : a));
    // A copy of the model per thread costs its memory: the first few threads hold one. Until
    // warmCopies has loaded them, the caller's model runs the batch (a copy loading on the
    // first batch would make the model wait for it).
    const loaded = embed !== undefined && this.loadedKey === copyKey(embed);
    const copies = loaded && this.threads.indexOf(least) < MAX_COPIES;
    return least.prepare(files, start, processor, reduceTo, copies ? embed : undefined);
  }

  async terminate(): Promise<void> {
    this.terminated = true;
    await Promise.all(this.threads.map((t) => t.terminate()));
  }
}

let shared: PreparePool | undefined;
let wanted: number | undefined;

/** Sets the pool's size (--prepare-workers); the next `preparePool()` uses it. */
export function setPrepareWorkers(size: number | undefined): void {
  wanted = size;
}

/**
 * The process's prepare threads, started on first call. `loadModel` calls it, so the threads
 * boot while the model's session is created, and are ready when the first images come.
 */
export function preparePool(): PreparePool {
  const size = wanted ?? defaultPrepareWorkers();
  if (shared && !shared.ended && shared.size !== size) void shared.terminate();
  if (!shared || shared.ended || shared.size !== size) shared = new PreparePool(size);
  return shared;
}

/** Ends the process's prepare threads (the next `preparePool()` starts new ones). */
export async function endPreparePool(): Promise<void> {
  const pool = shared;
  shared = undefined;
  await pool?.terminate();
}
