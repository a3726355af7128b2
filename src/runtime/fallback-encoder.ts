import type { Backend, Dtype, Tower } from '../core/types.ts';
import { messageOf, type ClipEncoder, type TokenBatch } from './clip-encoder.ts';

/** Failures that another backend cannot cure: the files themselves are wrong or absent. */
const FILE_ERRORS = new Set(['ModelFileMissing', 'ModelFileInvalid', 'ModelDtypeUnavailable']);

/**
 * Wraps a preferred encoder (WebGPU) and switches, once and for good, to a fallback (WASM) when
 * the preferred backend fails to create a session or to run. The reason is kept for the UI.
 */
export class FallbackEncoder {
  private current: ClipEncoder;
  reason: string | undefined;

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

  async load(tower: Tower): Promise<void> {
    await this.attempt((e) => e.session(tower).then(() => undefined));
  }

  embedImages(pixels: Float32Array, batch: number): Promise<Float32Array> {
    return this.attempt((e) => e.embedImages(pixels, batch));
  }

  embedTexts(tokens: TokenBatch): Promise<Float32Array> {
    return this.attempt((e) => e.embedTexts(tokens));
  }

  release(): Promise<void> {
    return this.current.release();
  }

  private async attempt<T>(job: (encoder: ClipEncoder) => Promise<T>): Promise<T> {
    try {
      return await job(this.current);
    } catch (error) {
      const name = (error as { name?: string }).name ?? '';
      if (!this.makeFallback || FILE_ERRORS.has(name)) throw error;
      const failed = this.current;
      this.reason = `${failed.backend} failed: ${messageOf(error)}`;
      const makeFallback = this.makeFallback;
      this.makeFallback = null;
      this.current = await makeFallback();
      await failed.release().catch(() => undefined);
      return job(this.current);
    }
  }
}
