// Test hook (issue 10, item 2): a worker started with the name "mumic-clip;fault=<kind>@<N>" fails
// once N photos of a classify call have reached the page: `close` ends the worker silently
// (self.close()), `throw` throws at top level (an `error` event on the page's Worker), `hang`
// busies the thread for good (as a backtracking tokenizer pattern would). The page's supervisor
// must notice each. Only the page's URL can ask for it (app-params.ts), for the first worker only.
// Item 3: "mumic-clip;fault=webgpu@N" makes the Nth WebGPU image run fail (FallbackEncoder must
// move to WASM and store what follows under WASM's dtype).
import type { BatchUpdate, WorkerApi } from '../shared/worker-api.ts';
import { webEncoder, type ModelHostOptions } from './models/model-host.ts';

type Fault = { kind: 'close' | 'throw' | 'hang'; after: number };

export function faultFromName(name: string): Fault | undefined {
  const match = /;fault=(close|throw|hang)@(\d+)$/.exec(name);
  if (!match) return undefined;
  return { kind: match[1] as Fault['kind'], after: Number(match[2]) };
}

function fail(kind: Fault['kind']): void {
  if (kind === 'close') self.close();
  else if (kind === 'throw') {
    setTimeout(() => {
      throw new Error('test fault: thrown at top level');
    });
  } else {
    for (;;) {
      // Hung: only terminate() ends this.
    }
  }
}

export function withFault(api: WorkerApi, fault: Fault | undefined): WorkerApi {
  if (!fault) return api;
  let photos = 0;
  let fired = false;
  const classify: WorkerApi['classify'] = (inputs, onUpdate) =>
    api.classify(inputs, (update: BatchUpdate) => {
      onUpdate(update);
      photos += update.photos.length;
      if (!fired && photos >= fault.after) {
        fired = true;
        fail(fault.kind);
      }
    });
  return { ...api, classify };
}

/** Model options for a worker named with a WebGPU fault; none (the defaults) otherwise. */
export function webGpuFaultFromName(name: string): ModelHostOptions | undefined {
  const match = /;fault=webgpu@(\d+)$/.exec(name);
  if (!match) return undefined;
  const failWebGpuRun = Number(match[1]);
  return {
    encoder: (source, info, request, onProgress) =>
      webEncoder(source, info, request, onProgress, { failWebGpuRun }),
  };
}
