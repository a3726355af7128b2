// The browser side of the runtime: the only module that imports onnxruntime-web. One build is
// imported per worker: the WebGPU one (JSEP, asyncify: 26.8 MB of WebAssembly) when WebGPU will
// be used, as it also carries the WASM execution provider a failing GPU falls back to; else the
// WASM-only one (14.2 MB), which V8 compiles again on every page load (docs/PERFORMANCE.md).
import type { ModelInfo } from '../core/model-folder.ts';
import { MumicError } from '../core/errors.ts';
import type { Dtype, LoadProgress, ModelSource } from '../core/types.ts';
import { ClipEncoder } from './clip-encoder.ts';
import { FallbackEncoder } from './fallback-encoder.ts';
import type { OrtApi } from './ort-types.ts';
import { resolveDtypes } from './resolve-dtypes.ts';
import { SerialQueue } from './serial-queue.ts';

export type WebBackend = 'webgpu' | 'wasm';

export interface WebEncoderOptions {
  /** Preferred backend; WebGPU falls back to WASM when missing or failing. */
  backend?: WebBackend | undefined;
  dtype?: Dtype | undefined;
  /** URL prefix where ort-wasm-simd-threaded[.asyncify].{mjs,wasm} are served (own origin). */
  wasmPaths: string;
  onProgress?: ((progress: LoadProgress) => void) | undefined;
  /** Test hook (worker/test-faults.ts): WebGPU image run number N fails, as a lost GPU would. */
  failWebGpuRun?: number | undefined;
  /** WASM threads (default min(cores, 4)); fixed by the first model loaded in this worker. */
  wasmThreads?: number | undefined;
}

type Ort = typeof import('onnxruntime-web/webgpu');

interface Runtime {
  ort: Ort;
  /** The WebGPU build: WebGPU can be used (else only WASM, until the worker is started again). */
  webgpu: boolean;
}

/** The build this worker imported, fixed by its first model load. */
let runtime: Promise<Runtime> | undefined;

/** Every call into this worker's one onnxruntime-web instance, whichever encoder makes it. */
const ortQueue = new SerialQueue();

function importRuntime(
  webgpu: boolean,
  wasmPaths: string,
  threads: number | undefined,
): Promise<Runtime> {
  runtime ??= (webgpu ? import('onnxruntime-web/webgpu') : import('onnxruntime-web/wasm')).then(
    (ort: Ort) => {
      configureOrt(ort, wasmPaths, threads);
      return { ort, webgpu };
    },
    (cause: unknown) => {
      // A failed fetch of the chunk (a network blip on a first visit) is not kept: the next load
      // imports again.
      runtime = undefined;
      throw new MumicError('ModelLoadFailed', `the runtime could not be loaded: ${String(cause)}`);
    },
  );
  return runtime;
}

function configureOrt(ort: Ort, wasmPaths: string, threads: number | undefined): void {
  ort.env.wasm.wasmPaths = wasmPaths;
  // Threads need SharedArrayBuffer, i.e. a cross-origin isolated page (COOP/COEP headers).
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  ort.env.wasm.numThreads = isolated
    ? (threads ?? Math.min(navigator.hardwareConcurrency || 1, 4))
    : 1;
  // Already inside a worker: a proxy worker would only add a copy.
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
}

interface WebGpuProbe {
  ok: boolean;
  shaderF16: boolean;
  reason?: string;
}

async function probeWebGpu(): Promise<WebGpuProbe> {
  const gpu = (
    navigator as { gpu?: { requestAdapter(): Promise<{ features: Set<string> } | null> } }
  ).gpu;
  if (!gpu) return { ok: false, shaderF16: false, reason: 'this browser has no WebGPU' };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { ok: false, shaderF16: false, reason: 'no WebGPU adapter is available' };
    return { ok: true, shaderF16: adapter.features.has('shader-f16') };
  } catch (error) {
    return {
      ok: false,
      shaderF16: false,
      reason: `WebGPU adapter request failed: ${String(error)}`,
    };
  }
}

function makeEncoder(
  ort: Ort,
  backend: WebBackend,
  source: ModelSource,
  model: ModelInfo,
  options: WebEncoderOptions,
  shaderF16: boolean,
): ClipEncoder {
  const encoder = new ClipEncoder({
    ort: ort as unknown as OrtApi,
    source,
    model,
    backend,
    dtypes: resolveDtypes(model, backend, options.dtype, shaderF16),
    sessionOptions: { executionProviders: [backend], graphOptimizationLevel: 'all' },
    onProgress: options.onProgress,
    queue: ortQueue,
  });
  const failAt = options.failWebGpuRun;
  if (backend === 'webgpu' && failAt !== undefined) {
    const run = encoder.embedImages.bind(encoder);
    let runs = 0;
    encoder.embedImages = (pixels, batch) =>
      ++runs === failAt
        ? Promise.reject(new MumicError('InferenceFailed', 'vision tower on webgpu: test fault'))
        : run(pixels, batch);
  }
  return encoder;
}

/**
 * Creates the encoder for the preferred backend and loads the vision tower (the text tower loads
 * on first use). WebGPU failing at any point moves everything to WASM, with the reason kept.
 */
export async function createWebEncoder(
  source: ModelSource,
  model: ModelInfo,
  options: WebEncoderOptions,
): Promise<FallbackEncoder> {
  const probe = (options.backend ?? 'webgpu') === 'webgpu' ? await probeWebGpu() : undefined;
  const { ort, webgpu } = await importRuntime(
    probe?.ok === true,
    options.wasmPaths,
    options.wasmThreads,
  );
  const wasm = (): Promise<ClipEncoder> =>
    Promise.resolve(makeEncoder(ort, 'wasm', source, model, options, false));
  let encoder: FallbackEncoder;
  if (probe?.ok && webgpu) {
    const gpu = makeEncoder(ort, 'webgpu', source, model, options, probe.shaderF16);
    encoder = new FallbackEncoder(gpu, wasm);
  } else if (probe) {
    const reason = probe.ok
      ? 'WebGPU was not available when the page started; reload the page to use it'
      : probe.reason;
    encoder = new FallbackEncoder(await wasm(), null, reason);
  } else {
    encoder = new FallbackEncoder(await wasm(), null);
  }
  await encoder.load('vision');
  if (encoder.backend === 'webgpu') encoder.watch(deviceLost(ort));
  return encoder;
}

/** Resolves with the reason when onnxruntime's GPUDevice is lost (not when it is destroyed). */
async function deviceLost(ort: Ort): Promise<string | undefined> {
  type Lost = { reason?: string; message?: string };
  const device = (await ort.env.webgpu.device) as { lost?: Promise<Lost> } | undefined;
  const info = await (device?.lost ?? new Promise<never>(() => undefined));
  // destroy() is ours (a released session set): nothing failed.
  if (info.reason === 'destroyed') return new Promise<never>(() => undefined);
  return info.message || info.reason;
}
