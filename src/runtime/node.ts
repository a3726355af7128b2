// The Node side of the runtime: the only module that imports onnxruntime-node.
import * as ort from 'onnxruntime-node';
import type { ModelInfo } from '../core/model-folder.ts';
import type { Dtype, LoadProgress, ModelSource } from '../core/types.ts';
import { ClipEncoder } from './clip-encoder.ts';
import type { OrtApi } from './ort-types.ts';
import { resolveDtypes } from './resolve-dtypes.ts';

export interface NodeEncoderOptions {
  dtype?: Dtype | undefined;
  /** Intra-op threads; default: onnxruntime's choice (all physical cores). */
  threads?: number | undefined;
  onProgress?: ((progress: LoadProgress) => void) | undefined;
}

export function createNodeEncoder(
  source: ModelSource,
  model: ModelInfo,
  options: NodeEncoderOptions = {},
): ClipEncoder {
  return new ClipEncoder({
    ort: ort as unknown as OrtApi,
    source,
    model,
    backend: 'node',
    dtypes: resolveDtypes(model, 'node', options.dtype),
    sessionOptions: {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      // Idle intra-op threads sleep instead of spinning: decoding and preprocessing the next
      // batch on the main thread then gets a core instead of fighting busy-waiting threads.
      extra: { session: { intra_op: { allow_spinning: '0' } } },
      ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
    },
    onProgress: options.onProgress,
  });
}
