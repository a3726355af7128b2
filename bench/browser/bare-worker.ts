// Bare onnxruntime-web: one session, random pixels, timed session.run calls only.
import * as ort from 'onnxruntime-web/webgpu';

self.onmessage = async (
  event: MessageEvent<{ modelUrl: string; wasmPaths: string; batch: number; runs: number }>,
) => {
  const { modelUrl, wasmPaths, batch, runs } = event.data;
  ort.env.wasm.wasmPaths = wasmPaths;
  ort.env.wasm.numThreads = self.crossOriginIsolated
    ? Math.min(navigator.hardwareConcurrency, 4)
    : 1;
  ort.env.wasm.proxy = false;
  const bytes = new Uint8Array(await (await fetch(modelUrl)).arrayBuffer());
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
  });
  const pixels = Float32Array.from({ length: batch * 3 * 224 * 224 }, () => Math.random() * 4 - 2);
  const feeds = { pixel_values: new ort.Tensor('float32', pixels, [batch, 3, 224, 224]) };
  // Two warm-up runs, as the pipeline gets (session warm-up, then a first batch).
  await session.run(feeds);
  await session.run(feeds);
  const t = performance.now();
  for (let i = 0; i < runs; i++) await session.run(feeds);
  const seconds = (performance.now() - t) / 1000;
  await session.release();
  self.postMessage({ images: runs * batch, seconds, threads: ort.env.wasm.numThreads });
};
