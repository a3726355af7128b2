import { runBatchSize } from '../core/model-files.ts';
import type { Backend, Dtype, Tower } from '../core/types.ts';
import { messageOf, type ClipEncoder, type TokenBatch } from './clip-encoder.ts';

/**
 * Failures that another backend cannot cure: the files themselves are wrong or absent, or cannot
 * be stored for offline use.
 */
const FILE_ERRORS = new Set([
  'ModelFileMissing',
  'ModelFileInvalid',
  'ModelDtypeUnavailable',
  'StorageQuotaExceeded',
]);

/** A run's result with the encoder that made it: vectors are only valid for that dtype. */
export interface Tagged<T> {
  value: T;
  backend: Backend;
  dtypes: Record<Tower, Dtype>;
}

/**
 * Wraps a preferred encoder (WebGPU) and switches, once and for good, to a fallback (WASM) when
 * the preferred backend fails to create a session or to run, or its device is lost. The reason is
 * kept for the UI. It is the one place that decides (issue 10, item 3): a failed run is re-run on
 * the fallback at the fallback's run size (one input per run for q8), every call that arrives
 * during the switch waits for it, and each result says which dtype made it.
 */
export class FallbackEncoder {
  private current: ClipEncoder;
  reason: string | undefined;
  /** The switch under way: calls wait for it, so none runs on a half-released encoder. */
  private switching: Promise<void> | undefined;
  private released = false;

  /** makeFallback null: already on the last resort, errors pass through. */
  constructor(
    preferred: ClipEncoder,
    private makeFallback: (() => Promise<ClipEncoder>) | null,
    initialReason?: string,
  ) {
    this.current = preferred;
    this.reason = initialReason;
  }

  get backend(): Backend {
    return this.current.backend;
  }

  get dtypes(): Record<Tower, Dtype> {
    return this.current.dtypes;
  }

  /** Switches as soon as `lost` resolves (GPUDevice.lost: also between runs) with its message. */
  watch(lost: Promise<string | undefined>): void {
    const preferred = this.current;
    void lost.then(
      (why) => this.switchOver(preferred, `${preferred.backend} device lost: ${why ?? 'unknown'}`),
      () => undefined,
    );
  }

  async load(tower: Tower): Promise<void> {
    await this.attempt((e) => e.session(tower).then(() => undefined));
  }

  async embedImages(pixels: Float32Array, batch: number): Promise<Float32Array> {
    return (await this.embedImagesTagged(pixels, batch)).value;
  }

  async embedTexts(tokens: TokenBatch): Promise<Float32Array> {
    return (await this.embedTextsTagged(tokens)).value;
  }

  /** [batch, dim] with the dtypes that made it, in runs of that dtype's run size. */
  embedImagesTagged(pixels: Float32Array, batch: number): Promise<Tagged<Float32Array>> {
    return this.attempt((e) => {
      const per = pixels.length / batch;
      return inRuns(batch, runBatchSize(e.dtypes.vision, batch), (start, n) =>
        e.embedImages(pixels.subarray(start * per, (start + n) * per), n),
      );
    });
  }

  embedTextsTagged(tokens: TokenBatch): Promise<Tagged<Float32Array>> {
    return this.attempt((e) => {
      const { batch, length } = tokens;
      return inRuns(batch, runBatchSize(e.dtypes.text, batch), (start, n) => {
        const rows = (a: BigInt64Array) => a.subarray(start * length, (start + n) * length);
        const part = { inputIds: rows(tokens.inputIds), attentionMask: rows(tokens.attentionMask) };
        return e.embedTexts({ ...part, batch: n, length });
      });
    });
  }

  release(): Promise<void> {
    this.released = true;
    this.makeFallback = null;
    return this.current.release();
  }

  private async attempt<T>(job: (encoder: ClipEncoder) => Promise<T>): Promise<Tagged<T>> {
    for (;;) {
      await this.switching;
      const encoder = this.current;
      try {
        const value = await job(encoder);
        return { value, backend: encoder.backend, dtypes: encoder.dtypes };
      } catch (error) {
        // Switched while this ran (its encoder was released under it): run again on the new one.
        if (encoder !== this.current || this.switching) continue;
        const name = (error as { name?: string }).name ?? '';
        if (!this.makeFallback || FILE_ERRORS.has(name)) throw error;
        await this.switchOver(encoder, `${encoder.backend} failed: ${messageOf(error)}`);
      }
    }
  }

  /** Moves to the fallback once; later callers share the same switch. */
  private switchOver(failed: ClipEncoder, reason: string): Promise<void> {
    if (this.switching) return this.switching;
    const makeFallback = this.makeFallback;
    if (failed !== this.current || !makeFallback || this.released) return Promise.resolve();
    this.makeFallback = null;
    this.reason = reason;
    const switching = (async () => {
      try {
        const next = await makeFallback();
        // Released before any call runs on the fallback: onnxruntime-web (asyncify) takes one
        // async operation at a time, and a session create racing a release can hang it.
        await failed.release().catch(() => undefined);
        this.current = next;
      } finally {
        this.switching = undefined;
      }
    })();
    this.switching = switching;
    return switching;
  }
}

/** Runs `total` rows in runs of at most `size`, concatenating the [rows, dim] outputs. */
async function inRuns(
  total: number,
  size: number,
  run: (start: number, n: number) => Promise<Float32Array>,
): Promise<Float32Array> {
  if (size >= total) return run(0, total);
  const parts: Float32Array[] = [];
  for (let start = 0; start < total; start += size) {
    parts.push(await run(start, Math.min(size, total - start)));
  }
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
