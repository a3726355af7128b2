// Bare onnxruntime-web: one session, random pixels, timed session.run calls only. The WASM-only
// build, as the app's worker imports it when WebGPU is not used (src/runtime/web.ts): the WebGPU
// build's WASM (asyncify) runs the same model slower, which flattered every ratio before.
import * as ort from 'onnxruntime-web/wasm';
import { MumicError } from '../../src/core/errors.ts';
import { loadModelFolder } from '../../src/core/model-folder.ts';
import type { ModelSource } from '../../src/core/types.ts';

/** The model folder over HTTP, enough for loadModelFolder to read its JSON files. */
const httpSource = (baseUrl: string): ModelSource => ({
  location: baseUrl,
  async read(path) {
    const response = await fetch(new URL(path, baseUrl));
    if (!response.ok) throw new MumicError('ModelFileMissing', `${path}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  },
  async exists(path) {
    return (await fetch(new URL(path, baseUrl), { method: 'HEAD' })).ok;
  },
});

self.onmessage = async (
  event: MessageEvent<{
    baseUrl: string;
    wasmPaths: string;
    batch: number;
    runs: number;
    threads?: number | undefined;
  }>,
) => {
  const { baseUrl, wasmPaths, batch, runs, threads } = event.data;
  ort.env.wasm.wasmPaths = wasmPaths;
  ort.env.wasm.numThreads = self.crossOriginIsolated
    ? (threads ?? Math.min(navigator.hardwareConcurrency, 4))
    : 1;
  ort.env.wasm.proxy = false;
  // The input size the pipeline feeds: the processor's crop (checked against config.json).
  const { cropHeight: h, cropWidth: w } = (await loadModelFolder(httpSource(baseUrl))).processor;
  const modelUrl = new URL('onnx/vision_model_quantized.onnx', baseUrl);
  const bytes = new Uint8Array(await (await fetch(modelUrl)).arrayBuffer());
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
  });
  const pixels = Float32Array.from({ length: batch * 3 * h * w }, () => Math.random() * 4 - 2);
  const feeds = { pixel_values: new ort.Tensor('float32', pixels, [batch, 3, h, w]) };
  // Warm-up runs: V8 tiers the WebAssembly up (Liftoff, then TurboFan) during the first runs,
  // and the pipeline, measured after this loop, gets the tiered-up code from V8's cache.
  for (let i = 0; i < 6; i++) await session.run(feeds);
  const t = performance.now();
  for (let i = 0; i < runs; i++) await session.run(feeds);
  const seconds = (performance.now() - t) / 1000;
  performance.measure('bench:bare', { start: t }); // the loop's window in a trace
  await session.release();
  self.postMessage({ images: runs * batch, seconds, threads: ort.env.wasm.numThreads });
};
