import { MumicError } from '../core/errors.ts';
import type { ModelSource } from '../core/types.ts';
import { modelCacheFetch, storedOutcome } from './model-cache.ts';

export interface FetchModelSourceOptions {
  /**
   * Defaults to the global fetch behind the model cache (model-cache.ts: this origin's model
   * files are stored in Cache Storage for offline use and checked against index.json).
   * Injectable for tests and other storage.
   */
  fetch?: typeof fetch;
  /** Passed to every request (e.g. an AbortSignal, credentials). */
  init?: RequestInit;
}

/** Statuses that mean "this file is not there", as opposed to "the server failed". */
const GONE = new Set([404, 410]);
/** Statuses with which a server refuses HEAD itself; a ranged GET is tried instead. */
const NO_HEAD = new Set([403, 405, 501]);

/** A model folder served over HTTP(S), e.g. `/models/clip-vit-base-patch32/` or the HF hub. */
export class FetchModelSource implements ModelSource {
  readonly location: string;
  private readonly base: URL;
  private readonly fetch: typeof fetch;
  private readonly init: RequestInit;

  constructor(baseUrl: string | URL, opts: FetchModelSourceOptions = {}) {
    const base = new URL(baseUrl, globalThis.location?.href);
    // Relative resolution drops the last segment unless the base ends with '/'.
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    this.base = base;
    this.location = base.href;
    // Bound: calling an unbound window.fetch as a method throws "Illegal invocation".
    this.fetch = opts.fetch ?? modelCacheFetch();
    this.init = opts.init ?? {};
  }

  /** The bytes once they are checked and stored (a full storage fails the read, by name). */
  async read(
    path: string,
    onProgress?: (loaded: number, total: number | undefined) => void,
  ): Promise<Uint8Array> {
    const { bytes, stored } = await this.readThenStore(path, onProgress);
    await stored;
    return bytes;
  }

  /** The bytes once they are checked; `stored` settles as the model cache stores them. */
  async readThenStore(
    path: string,
    onProgress?: (loaded: number, total: number | undefined) => void,
  ): Promise<{ bytes: Uint8Array; stored: Promise<void> }> {
    const res = await this.request(path, { method: 'GET' });
    if (GONE.has(res.status) || looksLikeSpaFallback(path, res)) {
      await res.body?.cancel();
      throw this.missing(path);
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw this.failed(path, `HTTP ${res.status} ${res.statusText}`.trim());
    }
    // Content-Length counts encoded bytes when the server compresses, so it is no total then.
    const encoding = res.headers.get('Content-Encoding');
    const length = Number(res.headers.get('Content-Length'));
    const total =
      (!encoding || encoding === 'identity') && Number.isFinite(length) && length > 0
        ? length
        : undefined;

    try {
      let bytes: Uint8Array;
      if (res.body) bytes = await readStream(res.body, total, onProgress);
      else {
        bytes = new Uint8Array(await res.arrayBuffer());
        onProgress?.(bytes.byteLength, total ?? bytes.byteLength);
      }
      return { bytes, stored: storedOutcome(res) };
    } catch (cause) {
      if (cause instanceof MumicError) throw cause;
      throw this.failed(path, cause instanceof Error ? cause.message : String(cause), cause);
    }
  }

  async exists(path: string): Promise<boolean> {
    let res = await this.request(path, { method: 'HEAD' });
    if (NO_HEAD.has(res.status)) {
      // One byte is enough to learn whether the file is there; cancel the rest.
      res = await this.request(path, { method: 'GET', headers: { Range: 'bytes=0-0' } });
      await res.body?.cancel();
    }
    if (GONE.has(res.status) || looksLikeSpaFallback(path, res)) return false;
    // 416: the range is past the end of an empty file, which still exists.
    if (res.ok || res.status === 416) return true;
    throw this.failed(path, `HTTP ${res.status} ${res.statusText}`.trim());
  }

  private async request(path: string, init: RequestInit): Promise<Response> {
    const url = new URL(path, this.base);
    const headers = new Headers(this.init.headers);
    new Headers(init.headers).forEach((value, key) => headers.set(key, value));
    try {
      return await this.fetch(url, { ...this.init, ...init, headers });
    } catch (cause) {
      if ((cause as { name?: unknown } | null)?.name === 'AbortError') {
        throw new MumicError('Cancelled', `loading ${path} was cancelled`, { cause });
      }
      // Already named by the model cache (e.g. a file of a model chosen from disk is gone).
      if (cause instanceof MumicError) throw cause;
      throw this.failed(path, cause instanceof Error ? cause.message : String(cause), cause);
    }
  }

  private missing(path: string): MumicError {
    return new MumicError('ModelFileMissing', `${path} is missing from ${this.location}`);
  }

  private failed(path: string, why: string, cause?: unknown): MumicError {
    return new MumicError(
      'ModelLoadFailed',
      `could not fetch ${path} from ${this.location}: ${why}`,
      {
        cause,
      },
    );
  }
}

/**
 * Dev servers and SPA hosts (Vite included) answer an unknown path with index.html and 200.
 * No model file is HTML, so an HTML answer for a non-HTML path means the file is not there.
 */
function looksLikeSpaFallback(path: string, res: Response): boolean {
  const type = res.headers.get('Content-Type') ?? '';
  return res.ok && type.startsWith('text/html') && !/\.html?$/i.test(path);
}

async function readStream(
  body: ReadableStream<Uint8Array>,
  total: number | undefined,
  onProgress?: (loaded: number, total: number | undefined) => void,
): Promise<Uint8Array> {
  const reader = body.getReader();
  // A reader bounding the size refuses in onProgress (model-limits): the download stops there.
  const told = (loaded: number) => {
    try {
      onProgress?.(loaded, total);
    } catch (error) {
      void reader.cancel().catch(() => undefined);
      throw error;
    }
  };
  told(0);
  // With a known length, fill one buffer: a 350 MB model must not be held twice.
  let buffer = total !== undefined ? new Uint8Array(total) : undefined;
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (buffer && loaded + value.byteLength <= buffer.byteLength) {
      buffer.set(value, loaded);
    } else {
      // The length lied (or was absent): fall back to collecting chunks.
      if (buffer) {
        chunks.push(buffer.subarray(0, loaded));
        buffer = undefined;
      }
      chunks.push(value);
    }
    loaded += value.byteLength;
    told(loaded);
  }
  if (buffer) return loaded === buffer.byteLength ? buffer : buffer.subarray(0, loaded);
  const out = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
