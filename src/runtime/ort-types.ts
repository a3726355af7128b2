// Type-only view of the onnxruntime API shared by onnxruntime-web and onnxruntime-node (both
// re-export onnxruntime-common), so the encoder logic is written once for every platform.
import type { InferenceSession, Tensor } from 'onnxruntime-web';

export type { InferenceSession, Tensor };

export interface OrtApi {
  InferenceSession: {
    create(model: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession>;
  };
  Tensor: {
    new (type: 'float32', data: Float32Array, dims: readonly number[]): Tensor;
    new (type: 'int64', data: BigInt64Array, dims: readonly number[]): Tensor;
  };
}
