// Fakes for the model cache's tests (src/worker/model-cache.ts): an in-memory Cache Storage and a
// scripted network, and a source per "page load".
import { createHash } from 'node:crypto';
import { vi } from 'vitest';
import type { MumicError } from '../../src/core/errors.ts';
import { modelCacheFetch, type ModelCacheOptions } from '../../src/worker/model-cache.ts';
import { FetchModelSource } from '../../src/worker/model-source-fetch.ts';

export const ORIGIN = 'https://app.example';
export const BASE = `${ORIGIN}/models/clip-tiny/`;
export const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
export const bytes = (n: number, seed = 1): Uint8Array =>
  Uint8Array.from({ length: n }, (_, i) => (i * seed + 7) & 255);

/** The error a promise rejects with; fails the test when it resolves. */
export async function failure(promise: Promise<unknown>): Promise<MumicError> {
  try {
    await promise;
  } catch (error) {
    return error as MumicError;
  }
  throw new Error('expected a failure');
}

export class MemoryCache {
  readonly entries = new Map<string, { body: Uint8Array; init: ResponseInit }>();
  quotaBytes = Infinity;
  /** While set, a put of this path has read its body but not yet finished storing it. */
  gate: { path: string; open: Promise<void> } | undefined;

  match(key: RequestInfo | URL): Promise<Response | undefined> {
    const entry = this.entries.get(String(key instanceof Request ? key.url : key));
    if (!entry) return Promise.resolve(undefined);
    return Promise.resolve(new Response(entry.body.slice(), entry.init));
  }

  async put(key: RequestInfo | URL, res: Response): Promise<void> {
    const url = String(key instanceof Request ? key.url : key);
    const body = new Uint8Array(await res.arrayBuffer()); // consumes the stream, like Chrome
    if (this.gate && url.endsWith(this.gate.path)) await this.gate.open;
    if (body.byteLength > this.quotaBytes) {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    }
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => (headers[k] = v));
    this.entries.set(url, {
      body,
      init: { status: res.status, statusText: res.statusText, headers },
    });
  }

  paths(): string[] {
    return [...this.entries.keys()].map((k) => new URL(k).pathname).sort();
  }
}

interface Served {
  body: Uint8Array;
  type?: string;
}

/** A scripted server: path → file; offline throws like a browser's fetch. */
export class Network {
  files = new Map<string, Served>();
  offline = false;
  calls: string[] = [];

  readonly fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const path = new URL(request.url).pathname;
    this.calls.push(`${request.method} ${path}`);
    if (request.signal.aborted) throw new DOMException('The operation was aborted.', 'AbortError');
    if (this.offline) throw new TypeError('Failed to fetch');
    const file = this.files.get(path);
    if (!file) return new Response('not found', { status: 404 });
    const headers = {
      'Content-Type': file.type ?? 'application/octet-stream',
      'Content-Length': String(file.body.byteLength),
    };
    if (request.method === 'HEAD') return new Response(null, { headers });
    return new Response(this.chunked(file.body.slice()), { headers });
  });

  /** Bytes of each chunk a body arrives in (a real network delivers a file in many). */
  chunkBytes = Infinity;

  private chunked(body: Uint8Array): ReadableStream<Uint8Array> {
    let offset = 0;
    return new ReadableStream<Uint8Array>({
      pull: (controller) => {
        if (offset >= body.byteLength) return controller.close();
        const end = Math.min(body.byteLength, offset + this.chunkBytes);
        controller.enqueue(body.subarray(offset, end));
        offset = end;
      },
    });
  }

  serve(path: string, body: Uint8Array, type?: string): void {
    this.files.set(path, { body, type });
  }

  /** index.json listing these files of clip-tiny. */
  index(files: Record<string, Uint8Array>): void {
    const json = {
      models: [
        {
          id: 'clip-tiny',
          files: Object.entries(files).map(([path, b]) => ({
            path,
            size: b.byteLength,
            sha256: sha(b),
          })),
        },
      ],
    };
    this.serve(
      '/models/index.json',
      new TextEncoder().encode(JSON.stringify(json)),
      'application/json',
    );
  }
}

export function setup(options: Partial<ModelCacheOptions> = {}) {
  const cache = new MemoryCache();
  const network = new Network();
  const caches = { open: () => Promise.resolve(cache) } as unknown as CacheStorage;
  const make = () =>
    modelCacheFetch({
      fetch: network.fetch as unknown as typeof fetch,
      caches,
      origin: ORIGIN,
      estimate: () => Promise.resolve({ usage: 5_000_000, quota: 6_000_000 }),
      ...options,
    });
  /** A fresh source per "page load", as the worker makes one per model load. */
  const source = () => new FetchModelSource(BASE, { fetch: make() });
  return { cache, network, make, source };
}

export const VISION = 'onnx/vision_model_quantized.onnx';
export const TEXT = 'onnx/text_model_quantized.onnx';
