// The CLIP worker's pool of nested prepare workers: the next batches are decoded and preprocessed
// there, off the thread that drives onnxruntime-web, so that preparation overlaps inference and
// uses the cores onnxruntime leaves free (docs/PERFORMANCE.md).
import { EMBED_BESIDE_MAX_BYTES } from '../core/embed-images.ts';
import type { ImageProcessorConfig } from '../core/preprocess-config.ts';
import { warmJpegWasm } from './jpeg-wasm.ts';
import { warmWebpWasm } from './webp-wasm.ts';
import {
  prepareTimed,
  type EmbedderRequest,
  type PreparedBlobs,
  type PrepareReply,
  type PrepareRequest,
} from './prepare-protocol.ts';

/**
 * With batches owed and no reply for this long, a worker is taken as hung: it is ended and its
 * batches are prepared here. Generous: a batch of huge photos can take seconds to decode.
 */
const WATCHDOG_MS = 120_000;

/**
 * A copy of the vision tower unused this long is released (the next batch loads it again): its
 * memory is only taken while photos are being tagged, not while a library is browsed.
 */
export const COPY_IDLE_MS = 60_000;

interface Waiting {
  request: PrepareRequest;
  known: ReadonlySet<string> | undefined;
  resolve: (batch: PreparedBlobs | Promise<PreparedBlobs>) => void;
}

/** One nested worker and the batches it owes. */
interface Nested {
  worker: Worker;
  state: 'starting' | 'ready' | 'dead';
  owed: Map<number, Waiting>;
  watchdog: ReturnType<typeof setTimeout> | undefined;
  /** The known hashes it holds (it is sent their changes only), and the set they came from. */
  held: Set<string>;
  heldFrom?: ReadonlySet<string> | undefined;
  /** Its copy of the vision tower: the generation asked for, and whether it is loaded. */
  embedder: { generation: number; state: 'loading' | 'ready' | 'failed' } | undefined;
}

/** The vision tower nested workers may copy to embed what they prepare (prepare-embedder.ts). */
export type EmbedderModel = EmbedderRequest['model'];

/**
 * The workers to use when not told. With WASM: the cores beyond onnxruntime-web's min(cores, 4)
 * threads, but at least one from 2 cores up, which then takes a core from the model (see
 * `wasmThreadsBeside`): on 2 cores one model thread and one prepare worker, each with a core,
 * overlap decoding with inference, where preparing between runs held the model up for the whole
 * decode of each photo (docs/PERFORMANCE.md, session 8).
 * With WebGPU the model runs in the GPU process and only this thread is taken, so every other
 * core prepares.
 */
export function defaultPrepareWorkers(cores: number, backend: string | undefined): number {
  if (backend === 'webgpu') return Math.max(1, cores - 1);
  if (cores < 2) return 0;
  return Math.max(1, cores - Math.min(cores, 4));
}

/**
 * onnxruntime-web's WASM threads beside the prepare workers (a number asked for, or the default
 * pool: undefined or true): the cores they leave (1 to 4), so that a prepare worker gets a core of
 * its own instead of preempting one of the model's threads, which wait for each other at every
 * operator. With none (false) or WebGPU, the runtime's own default, min(cores, 4).
 */
export function wasmThreadsBeside(
  want: boolean | number | undefined,
  backend: string | undefined,
  cores = globalThis.navigator?.hardwareConcurrency ?? 2,
): number | undefined {
  if (want === false || backend === 'webgpu') return undefined;
  const pool =
    typeof want === 'number'
      ? Math.max(0, Math.floor(want))
      : Math.max(want === true ? 1 : 0, defaultPrepareWorkers(cores, backend));
  return Math.max(1, Math.min(4, cores - pool));
}

/**
 * Prepares batches on nested workers, started on first use. Until one reports ready, and for
 * good if none can start or all die, batches are prepared in this thread: none is ever lost.
 */
export class PreparePool {
  /** Nested workers wanted; 0: every batch is prepared in this thread. */
  size = 1;
  private workers: Nested[] = [];
  private booted = false;
  private nextId = 0;
  /** The model nested workers load a copy of at the next batch (none: they only prepare). */
  private embedderModel: EmbedderModel;
  private embedderGeneration = 0;
  private copiesIdle: ReturnType<typeof setTimeout> | undefined;
  /** Batches being prepared in this thread for the model here, beside the workers' own. */
  private here = 0;

  /**
   * Sets the pool's size (ModelLoadRequest.prepareWorker): a number, false for none, undefined
   * for `defaultPrepareWorkers`, true for that but at least one. Workers of another size are
   * ended (their batches are prepared here).
   */
  configure(want: boolean | number | undefined, backend?: string): void {
    const cores = globalThis.navigator?.hardwareConcurrency ?? 2;
    const byCores = defaultPrepareWorkers(cores, backend);
    const size =
      want === false
        ? 0
        : typeof want === 'number'
          ? Math.max(0, Math.floor(want))
          : want === true
            ? Math.max(1, byCores)
            : byCores;
    if (size !== this.size) {
      for (const nested of this.workers) this.die(nested);
      this.workers = [];
      this.booted = false;
      this.size = size;
    }
    // Started now, beside the model's load, so that their decoder is compiled when photos come;
    // this thread's too (and its thumbnail encoder): it prepares each call's first batch.
    this.boot();
    if (typeof Worker !== 'undefined') {
      void warmJpegWasm();
      void warmWebpWasm();
    }
  }

  /**
   * The vision tower the nested workers copy, to prepare and embed whole photos each on its own
   * core (undefined: they only prepare). Loaded at the next batch, not now, and released after
   * COPY_IDLE_MS without one: a library being browsed does not hold a second copy.
   */
  embedWith(model: EmbedderModel): void {
    this.embedderModel = model;
    this.releaseCopies();
  }

  private releaseCopies(): void {
    clearTimeout(this.copiesIdle);
    this.embedderGeneration++;
    for (const nested of this.workers) {
      if (nested.state === 'dead' || !nested.embedder) continue;
      nested.embedder = undefined;
      nested.worker.postMessage({ type: 'embedder', generation: this.embedderGeneration });
    }
  }

  /** Asks every ready worker without it for a copy of the current vision tower (see embedWith). */
  private loadCopies(): void {
    const model = this.embedderModel;
    if (!model) return;
    clearTimeout(this.copiesIdle);
    this.copiesIdle = setTimeout(() => this.releaseCopies(), COPY_IDLE_MS);
    const generation = this.embedderGeneration;
    for (const nested of this.workers) {
      if (nested.state !== 'ready' || nested.embedder?.generation === generation) continue;
      nested.embedder = { generation, state: 'loading' };
      const request: EmbedderRequest = { type: 'embedder', generation, model };
      nested.worker.postMessage(request);
    }
  }

  /**
   * Batches to have in preparation ahead of the one the model runs: one per worker, plus one.
   * Without workers, two: onnxruntime-web's session.run blocks this thread for the whole run, so
   * a batch started just before it cannot even finish reading its file until the run ends; the
   * one after it can, and its decode (on Chromium's image-decode threads) then overlaps the next
   * run instead of leaving the model waiting (docs/PERFORMANCE.md). Workers that died (or could
   * not start) do not count: their batches are prepared here.
   */
  get depth(): number {
    const live = this.workers.filter((n) => n.state !== 'dead').length;
    return live === 0 ? 2 : live + 1;
  }

  prepare(
    blobs: readonly Blob[],
    start: number,
    processor: ImageProcessorConfig,
    thumbnails = false,
    known?: ReadonlySet<string>,
  ): Promise<PreparedBlobs> {
    const request: PrepareRequest = {
      type: 'prepare',
      id: this.nextId++,
      blobs: [...blobs],
      start,
      processor,
      thumbnails,
      hash: known !== undefined,
    };
    this.boot();
    // Only small photos are embedded beside: a large one's preparation outweighs its run, so
    // the model already keeps pace with one worker preparing (and a copy's start-up, its
    // WebAssembly compiled again in that worker, would be paid for nothing).
    const small = blobs.every((b) => b.size <= EMBED_BESIDE_MAX_BYTES);
    if (small) this.loadCopies();
    const ready = this.workers.filter((n) => n.state === 'ready');
    // A call's first batch is prepared here while the pool takes the next ones: the model waits
    // for it anyway and this thread is idle, so the first photo is no later than without a pool.
    const first = start === 0 && ready.every((n) => n.owed.size === 0);
    if (ready.length === 0 || first) return this.prepareHere(request, known);
    const nested = ready.reduce((a, b) => (b.owed.size < a.owed.size ? b : a));
    const embeds =
      small &&
      nested.embedder?.generation === this.embedderGeneration &&
      nested.embedder.state === 'ready';
    // Workers that embed take whole photos, and so does this thread (its model would otherwise
    // wait for theirs): a batch stays here while each worker has one and none is here already.
    if (embeds && nested.owed.size > 0 && this.here === 0) return this.prepareHere(request, known);
    if (embeds) request.embed = true;
    return new Promise((resolve) => {
      nested.owed.set(request.id, { request, known, resolve });
      // Started by the first owed batch; only replies restart it (a hung worker gets no more time).
      nested.watchdog ??= setTimeout(() => this.die(nested), WATCHDOG_MS);
      try {
        const changes = knownChanges(nested, known);
        nested.worker.postMessage({ ...request, ...changes.message });
        changes.commit();
      } catch {
        nested.owed.delete(request.id);
        resolve(prepareHere(request, known));
      }
    });
  }

  /** Prepares in this thread, counted while it runs (see `prepare`). */
  private async prepareHere(
    request: PrepareRequest,
    known?: ReadonlySet<string>,
  ): Promise<PreparedBlobs> {
    this.here++;
    try {
      return await prepareHere(request, known);
    } finally {
      this.here--;
    }
  }

  private boot(): void {
    if (this.booted) return;
    this.booted = true;
    if (typeof Worker === 'undefined') return; // a worker without nested workers, or Node
    for (let i = 0; i < this.size; i++) {
      try {
        // This exact form lets Vite bundle the worker as its own chunk (build and dev server).
        const worker = new Worker(new URL('./prepare-worker.ts', import.meta.url), {
          type: 'module',
          name: `mumic-prepare-${i + 1}`,
        });
        const nested: Nested = {
          worker,
          state: 'starting',
          owed: new Map(),
          // A worker that never says it is ready (its decoder hangs) is ended like a hung one.
          watchdog: setTimeout(() => this.die(nested), WATCHDOG_MS),
          held: new Set(),
          embedder: undefined,
        };
        worker.onmessage = (event: MessageEvent<PrepareReply>) => this.receive(nested, event.data);
        // A script that cannot load (CSP, offline without it, a 404) or a crash: prepare here.
        worker.onerror = (event) => {
          event.preventDefault();
          this.die(nested);
        };
        worker.onmessageerror = () => this.die(nested);
        this.workers.push(nested);
      } catch {
        return; // SecurityError or no module workers: every batch is prepared here.
      }
    }
  }

  private receive(nested: Nested, reply: PrepareReply): void {
    if (reply.type === 'ready' || reply.type === 'unusable') {
      if (nested.state !== 'starting') return;
      clearTimeout(nested.watchdog);
      nested.watchdog = undefined;
      if (reply.type === 'ready') nested.state = 'ready';
      else {
        console.warn(`prepare worker: ${reply.message}; preparing here`);
        this.die(nested);
      }
      return;
    }
    if (reply.type === 'embedder' || reply.type === 'embedder-failed') {
      if (nested.embedder?.generation !== reply.generation) return;
      nested.embedder.state = reply.type === 'embedder' ? 'ready' : 'failed';
      if (reply.type === 'embedder-failed') {
        console.warn(`prepare worker: no copy of the vision tower (${reply.message})`);
      }
      return;
    }
    const waiting = nested.owed.get(reply.id);
    if (!waiting) return;
    nested.owed.delete(reply.id);
    // Every reply counts as a sign of life: the hang timer restarts while batches are owed.
    clearTimeout(nested.watchdog);
    nested.watchdog =
      nested.owed.size > 0 ? setTimeout(() => this.die(nested), WATCHDOG_MS) : undefined;
    if (reply.type === 'failed') console.warn(`prepare worker: ${reply.message}; preparing here`);
    // Made by a copy of another model (embedWith changed it meanwhile): the pixels are run here.
    if (reply.type === 'prepared' && reply.batch.embeddedBy !== this.embedderGeneration) {
      reply.batch.embeddings = undefined;
    }
    waiting.resolve(
      reply.type === 'prepared' ? reply.batch : prepareHere(waiting.request, waiting.known),
    );
  }

  private die(nested: Nested): void {
    clearTimeout(nested.watchdog);
    nested.state = 'dead';
    nested.worker.terminate();
    for (const { request, known, resolve } of nested.owed.values()) {
      resolve(prepareHere(request, known));
    }
    nested.owed.clear();
  }
}

/**
 * What a worker must change in its known hashes to hold `known` (nothing when it holds this very
 * set): a classify call sends its hashes once, and the next call only the photos added or removed
 * since, not the whole library again.
 */
function knownChanges(nested: Nested, known: ReadonlySet<string> | undefined) {
  type Changes = Pick<PrepareRequest, 'knownAdded' | 'knownRemoved'>;
  if (!known || known === nested.heldFrom) return { message: {} as Changes, commit: () => {} };
  const { held } = nested;
  const knownAdded = [...known].filter((hash) => !held.has(hash));
  const knownRemoved = [...held].filter((hash) => !known.has(hash));
  return {
    message: { knownAdded, knownRemoved } as Changes,
    /** Once sent: the worker holds them now. */
    commit: () => {
      for (const hash of knownRemoved) held.delete(hash);
      for (const hash of knownAdded) held.add(hash);
      nested.heldFrom = known;
    },
  };
}

/** The fallback: the same preparation in this thread (it cannot overlap inference here). */
const prepareHere = (request: PrepareRequest, known?: ReadonlySet<string>) =>
  prepareTimed(request, 'mumic:prepare-here', known);
