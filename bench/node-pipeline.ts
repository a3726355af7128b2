// Node: the CLI's path (read file → decode → PIL-exact preprocess → batch → onnxruntime-node)
// versus a bare session.run loop on the same model, dtype and batch size.
import * as ort from 'onnxruntime-node';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { embedFiles, loadModel } from '../src/cli/load-model.ts';
import { onnxPath } from '../src/core/model-files.ts';
import { benchImages } from './bench-images.ts';

export interface Rate {
  images: number;
  seconds: number;
  imagesPerSecond: number;
  msPerImage: number;
}

const rate = (images: number, seconds: number): Rate => ({
  images,
  seconds,
  imagesPerSecond: images / seconds,
  msPerImage: (seconds * 1000) / images,
});

export async function benchNode(
  modelDir: string,
  dtype: 'q8' | 'fp32',
  batch: number,
  count: number,
) {
  const files = benchImages(count);

  // Bare runtime: one session, random pixels, the same batch size, timed runs only.
  const session = await ort.InferenceSession.create(
    await readFile(join(modelDir, onnxPath('vision', dtype))),
    { executionProviders: ['cpu'], graphOptimizationLevel: 'all' },
  );
  const pixels = Float32Array.from({ length: batch * 3 * 224 * 224 }, () => Math.random() * 4 - 2);
  const feeds = { pixel_values: new ort.Tensor('float32', pixels, [batch, 3, 224, 224]) };
  await session.run(feeds);
  let t = performance.now();
  const runs = Math.ceil(count / batch);
  for (let i = 0; i < runs; i++) await session.run(feeds);
  const bare = rate(runs * batch, (performance.now() - t) / 1000);
  await session.release();

  // Pipeline: what `mumic embed` does, after model load and warm-up.
  const model = await loadModel(modelDir, dtype);
  await model.encoder.session('vision');
  t = performance.now();
  let done = 0;
  for await (const outcomes of embedFiles(model, files, batch)) {
    done += outcomes.length;
  }
  const pipeline = rate(done, (performance.now() - t) / 1000);
  await model.encoder.release();
  return { bare, pipeline, ratio: pipeline.imagesPerSecond / bare.imagesPerSecond };
}
