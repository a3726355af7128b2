// The adapt benchmark page: hands the cases to a dedicated worker (as the app adapts in its
// worker) and returns the timings to the driver (bench/adapt-browser.ts).
import type { AdaptCase, AdaptTiming } from './adapt-protocol.ts';

function benchAdapt(cases: AdaptCase[]): Promise<AdaptTiming[]> {
  const worker = new Worker(new URL('./adapt-worker.ts', import.meta.url), { type: 'module' });
  return new Promise<AdaptTiming[]>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<{ results?: AdaptTiming[]; error?: string }>) => {
      worker.terminate();
      if (e.data.results) resolve(e.data.results);
      else reject(new Error(e.data.error ?? 'no result'));
    };
    worker.onerror = (e) => reject(new Error(e.message));
    worker.postMessage(cases);
  });
}

Object.assign(globalThis, { benchAdapt });
