// Node: the CLI's path (read file → decode → PIL-exact preprocess → batch → onnxruntime-node)
// versus a bare session.run loop on the same model, dtype, session options and run size.
import * as ort from 'onnxruntime-node';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { copiesFor, embedFiles, loadModel } from '../src/cli/load-model.ts';
import { endPreparePool, preparePool } from '../src/cli/prepare-thread.ts';
import { NodeModelSource } from '../src/cli/model-source-node.ts';
import { onnxPath, runBatchSize } from '../src/core/model-files.ts';
import { loadModelFolder } from '../src/core/model-folder.ts';
import { benchImages } from './bench-images.ts';
import { cpuByGroup, threadCpu } from './thread-cpu.ts';

export interface Rate {
  images: number;
  seconds: number;
  imagesPerSecond: number;
  msPerImage: number;
  /** CPU time per image, all threads: what the machine's load does not inflate as much. */
  cpuMsPerImage?: number;
}

export const rate = (images: number, seconds: number, cpuMs?: number): Rate => ({
  images,
  seconds,
  imagesPerSecond: images / seconds,
  msPerImage: (seconds * 1000) / images,
  ...(cpuMs === undefined ? {} : { cpuMsPerImage: cpuMs / images }),
});

/** CPU ms of this process (every thread: onnxruntime's, the prepare threads', libvips') since. */
const cpuSince = (since: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};

/** A bare loop of `session.run` on random pixels, `batch` images per run; timed runs only. */
export async function bareRuns(
  model: Uint8Array,
  [h, w]: readonly [number, number],
  batch: number,
  count: number,
): Promise<Rate> {
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    // As src/runtime/node.ts sets it, so both sides run the same onnxruntime configuration.
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
  const pixels = Float32Array.from({ length: batch * 3 * h * w }, () => Math.random() * 4 - 2);
  const feeds = { pixel_values: new ort.Tensor('float32', pixels, [batch, 3, h, w]) };
  await session.run(feeds);
  const t = performance.now();
  const cpu = process.cpuUsage();
  const runs = Math.ceil(count / batch);
  for (let i = 0; i < runs; i++) await session.run(feeds);
  const r = rate(runs * batch, (performance.now() - t) / 1000, cpuSince(cpu));
  await session.release();
  return r;
}

export async function benchNode(
  modelDir: string,
  dtype: 'q8' | 'fp32',
  batch: number,
  count: number,
  photos?: readonly string[],
) {
  // The photos cycled to `count` images (default: the fixture photos).
  const files = photos
    ? Array.from({ length: count }, (_, i) => photos[i % photos.length] as string)
    : benchImages(count);
  const bytes = await readFile(join(modelDir, onnxPath('vision', dtype)));
  // The input size the pipeline feeds: the processor's crop (checked against config.json).
  const { processor } = await loadModelFolder(new NodeModelSource(modelDir));
  const size = [processor.cropHeight, processor.cropWidth] as const;
  // The pipeline runs q8 one image per session.run (runBatchSize, for exactness), so the
  // runtime's own speed is measured at that run size; `batch` images per run is shown too.
  const runSize = runBatchSize(dtype, batch);
  const bare = await bareRuns(bytes, size, runSize, count);
  const bareBatched = runSize === batch ? bare : await bareRuns(bytes, size, batch, count);

  // Pipeline: what `mumic embed` does, after model load and warm-up, end to end. `steady` leaves
  // out the first run's images, which nothing can overlap.
  const model = await loadModel(modelDir, dtype);
  await model.encoder.session('vision');
  // Start-up is left out on both sides: the bare loop's session creation, and here the model's
  // and the prepare threads' (which `mumic` overlaps with the model's loading).
  // (The idle threads do not hold the process open: a timer does, for at most 30 s.)
  let keep: NodeJS.Timeout | undefined;
  // The prepare threads' copies of the vision tower too (src/cli/prepare-embedder.ts): the steady
  // state of a long run, which has them (EMBED_BESIDE_MIN_FILES photos and more), whatever
  // `count` is; their load is left out, as the model's is. MUMIC_EMBED_BESIDE=0: none.
  process.env['MUMIC_EMBED_BESIDE'] ??= '1';
  const embed = copiesFor(model);
  const copies = embed ? preparePool().warmCopies(embed) : preparePool().whenReady;
  await Promise.race([copies, new Promise((r) => (keep = setTimeout(r, 30_000)))]);
  clearTimeout(keep);
  // The model's own time in the pipeline: what is left of the wall time is the model waiting.
  let modelMs = 0;
  const encoder = model.encoder;
  const timed = Object.create(encoder) as typeof encoder;
  timed.embedImages = async (pixels, n) => {
    const start = performance.now();
    const out = await encoder.embedImages(pixels, n);
    modelMs += performance.now() - start;
    return out;
  };
  const threads = threadCpu();
  const t = performance.now();
  const cpu = process.cpuUsage();
  let tFirst = 0;
  let first = 0;
  let done = 0;
  for await (const outcomes of embedFiles({ ...model, encoder: timed }, files, batch)) {
    done += outcomes.length;
    if (!first) [first, tFirst] = [done, performance.now()];
  }
  const end = performance.now();
  const pipeline = rate(done, (end - t) / 1000, cpuSince(cpu));
  const cpuByThread = cpuByGroup(threads, threadCpu(), done);
  const steady = rate(done - first, (end - tFirst) / 1000);
  await model.encoder.release();
  // Each round starts its decode thread with its model, as one `mumic` run does.
  await endPreparePool();
  return {
    runSize,
    bare,
    bareBatched,
    pipeline,
    steady,
    /** Share of the pipeline's wall time the model ran (the rest it waited). */
    modelBusy: modelMs / (end - t),
    /** CPU ms per image by thread group (main: the model; libvips: decoding; other). */
    cpuByThread,
    ratio: pipeline.imagesPerSecond / bare.imagesPerSecond,
  };
}
