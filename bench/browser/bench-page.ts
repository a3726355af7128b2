import { startWorker } from '../../src/ui/bridge.ts';

interface Timing {
  images: number;
  seconds: number;
}

async function bare(
  model: string,
  batch: number,
  runs: number,
  /** WASM threads (default: the runtime's min(cores, 4)). */
  threads?: number,
): Promise<Timing & { threads: number }> {
  const worker = new Worker(new URL('./bare-worker.ts', import.meta.url), { type: 'module' });
  const result = await new Promise<Timing & { threads: number }>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<Timing & { threads: number }>) => resolve(e.data);
    worker.onerror = (e) => reject(new Error(e.message));
    worker.postMessage({
      baseUrl: new URL(`/models/${model}/`, location.href).href,
      wasmPaths: new URL('/ort/', location.href).href,
      batch,
      runs,
      threads,
    });
  });
  worker.terminate();
  return result;
}

async function pipeline(model: string, images: string[], prepare: number | null): Promise<Timing> {
  const { bridge } = startWorker();
  await bridge.loadModel({
    id: model,
    baseUrl: new URL(`/models/${model}/`, location.href).href,
    wasmPaths: new URL('/ort/', location.href).href,
    dtype: 'q8',
    backend: 'wasm',
    prepareWorker: prepare ?? undefined, // null: the app's default pool size
  });
  const blobs = await Promise.all(
    images.map(async (name) => (await fetch(`/images/${name}`)).blob()),
  );
  await bridge.embedImages(blobs.slice(0, 8)); // warm the decode and preprocess code paths
  // A prepare worker's copy of the vision tower loads at the first batch (or when idle): the
  // timed run starts with it loaded, as a person's second batch would.
  for (let i = 0; i < 5 && prepare !== 0; i++) {
    if ((await bridge.status())?.counters.imagesEncodedBeside) break;
    await bridge.embedImages(blobs.slice(0, 8));
  }
  const t = performance.now();
  const out = await bridge.embedImages(blobs);
  const seconds = (performance.now() - t) / 1000;
  // The run's window in a Chromium trace (bench/browser/pipeline-trace.ts).
  performance.measure('bench:pipeline', { start: t });
  bridge.terminate();
  const failed = out.filter((o) => 'error' in o).length;
  if (failed > 0) throw new Error(`${failed} images failed in the pipeline`);
  return { images: out.length, seconds };
}

/** Per-stage times of preparing the named photos in a worker (bench/browser-stages.ts). */
async function stages(
  images: string[],
): Promise<{ times: Record<string, number>; notes: string[] }> {
  const blobs = await Promise.all(
    images.map(async (name) => (await fetch(`/images/${name}`)).blob()),
  );
  const worker = new Worker(new URL('./stages-worker.ts', import.meta.url), { type: 'module' });
  const out = await new Promise<{ times: Record<string, number>; notes: string[] }>(
    (resolve, reject) => {
      worker.onmessage = (e: MessageEvent<{ times: Record<string, number>; notes: string[] }>) =>
        resolve(e.data);
      worker.onerror = (e) => reject(new Error(e.message));
      worker.postMessage(blobs);
    },
  );
  worker.terminate();
  return out;
}

Object.assign(globalThis, { bench: { bare, pipeline, stages } });
