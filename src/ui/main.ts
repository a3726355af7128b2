import { WorkerBridge } from './bridge.ts';
import { readAppParams } from './app-params.ts';

const params = readAppParams(location.search);
const bridge = new WorkerBridge();
const app = document.querySelector<HTMLDivElement>('#app');
if (!app) throw new Error('#app missing');

const status = document.createElement('p');
status.id = 'status';
status.setAttribute('role', 'status');
status.textContent = 'Loading model…';
app.append(status);

const modelId = params.model ?? 'clip-vit-base-patch32';
const base = new URL(import.meta.env.BASE_URL, location.href);
const ready = bridge
  .loadModel(
    {
      id: modelId,
      baseUrl: new URL(`models/${modelId}/`, base).href,
      wasmPaths: new URL('ort/', base).href,
      dtype: params.dtype,
      backend: params.backend,
    },
    (p) => {
      status.textContent = `Loading ${p.file}: ${Math.round(p.loaded / 1e6)} MB`;
    },
  )
  .then((s) => {
    status.dataset['backend'] = s.backend;
    status.dataset['dtype'] = s.dtypes.vision;
    status.textContent = `${s.id} · ${s.dtypes.vision} · ${s.backend}${s.fallbackReason ? ` (${s.fallbackReason})` : ''}`;
    return s;
  })
  .catch((error: unknown) => {
    status.dataset['errorName'] = (error as Error).name;
    status.textContent = `${(error as Error).name}: ${(error as Error).message}`;
    throw error;
  });

// A console and test handle on the worker bridge (the same API the UI uses).
Object.assign(globalThis, { mumic: { bridge, ready } });
