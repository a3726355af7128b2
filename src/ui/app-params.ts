import { DTYPES, type Dtype } from '../core/types.ts';
import type { BackendChoice } from '../shared/worker-api.ts';

export interface AppParams {
  model: string | undefined;
  dtype: Dtype | undefined;
  backend: BackendChoice | undefined;
  /** Nested prepare workers: a count, none (false), by core count (undefined; true: ≥ 1). */
  prepareWorker: boolean | number | undefined;
  /** `embed=0`: prepare workers never embed (ModelLoadRequest.embedders), to measure both ways. */
  embedders: boolean | undefined;
  /**
   * Test hook: a fault for the first worker, `close@N`, `throw@N` or `hang@N` (N photos in), or
   * `webgpu@N` (its Nth WebGPU image run fails).
   */
  workerFault: string | undefined;
  /** Heartbeat deadline of the worker supervisor, in ms (tests shorten it). */
  workerDeadlineMs: number | undefined;
}

/**
 * ?model=<id>&dtype=<fp32|fp16|q8|q4|q4f16>&backend=<webgpu|wasm>&prepare=<worker|inline|N>&embed=0;
 * unknown values are ignored.
 */
export function readAppParams(search: string): AppParams {
  const params = new URLSearchParams(search);
  const dtype = params.get('dtype');
  const backend = params.get('backend');
  const prepare = params.get('prepare');
  const fault = params.get('workerFault') ?? '';
  const deadline = params.get('workerDeadline') ?? '';
  return {
    model: params.get('model') ?? undefined,
    dtype: (DTYPES as readonly string[]).includes(dtype ?? '') ? (dtype as Dtype) : undefined,
    backend: backend === 'webgpu' || backend === 'wasm' ? backend : undefined,
    prepareWorker:
      prepare === 'worker'
        ? true
        : prepare === 'inline'
          ? false
          : /^\d{1,2}$/.test(prepare ?? '')
            ? Number(prepare)
            : undefined,
    embedders: params.get('embed') === '0' ? false : undefined,
    workerFault: /^(close|throw|hang|webgpu)@\d{1,5}$/.test(fault) ? fault : undefined,
    workerDeadlineMs: /^\d{3,6}$/.test(deadline) ? Number(deadline) : undefined,
  };
}
