// The vision dtype a model being loaded is expected to run in, from its folder and the request
// alone (before its sessions open): what the runtime will choose for the requested backend, WASM
// when this browser has no WebGPU at all. A guess only for WebGPU (the adapter may lack shader-f16
// or be missing): the library read under it is read again if the loaded model says otherwise.
import type { ModelInfo } from '../../core/model-folder.ts';
import type { Dtype } from '../../core/types.ts';
import { resolveDtypes } from '../../runtime/resolve-dtypes.ts';
import type { ModelLoadRequest } from '../../shared/worker-api.ts';

export function expectedVisionDtype(info: ModelInfo, request: ModelLoadRequest): Dtype | undefined {
  const gpu = typeof navigator !== 'undefined' && 'gpu' in navigator;
  const backend = (request.backend ?? 'webgpu') === 'webgpu' && gpu ? 'webgpu' : 'wasm';
  try {
    return resolveDtypes(info, backend, request.dtype).vision;
  } catch {
    // No such dtype: the model load itself says so, with its own error.
    return undefined;
  }
}
