import { MumicError } from './errors.ts';
import type { Backend, Dtype, Tower } from './types.ts';

/** File-name suffixes of the transformers.js ONNX layout (q8 is the historical `_quantized`). */
const SUFFIX: Record<Dtype, string> = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  q4: '_q4',
  q4f16: '_q4f16',
};

/** Path of a tower's weights inside the model folder, e.g. `onnx/vision_model_q4.onnx`. */
export function onnxPath(tower: Tower, dtype: Dtype): string {
  return `onnx/${tower}_model${SUFFIX[dtype]}.onnx`;
}

/**
 * Preference per backend, best first. Dtypes not listed are never picked automatically.
 *
 * - WebGPU with shader-f16: half-precision files are smallest-accurate and run natively.
 * - WebGPU without shader-f16: f16 tensors cannot run at all, so they are left out; 4-bit
 *   MatMulNBits has WebGPU kernels, then fp32. int8 (DynamicQuantizeLinear + MatMulInteger) has
 *   no WebGPU kernels and falls back to the CPU op by op, so it is the last resort.
 * - WASM and Node (CPU): int8 is the fast path of ORT's CPU kernels and 4x smaller than fp32;
 *   fp32 is exact; 4-bit loses the most accuracy; f16 has few CPU kernels (casts everywhere).
 */
const PREFERENCE: Record<'webgpu-f16' | 'webgpu' | 'cpu', readonly Dtype[]> = {
  'webgpu-f16': ['fp16', 'q4f16', 'q4', 'fp32', 'q8'],
  webgpu: ['q4', 'fp32', 'q8'],
  cpu: ['q8', 'fp32', 'q4', 'fp16', 'q4f16'],
};

export function dtypePreference(backend: Backend, shaderF16: boolean): readonly Dtype[] {
  if (backend === 'webgpu') return PREFERENCE[shaderF16 ? 'webgpu-f16' : 'webgpu'];
  return PREFERENCE.cpu;
}

export interface ChooseDtypeOptions {
  /** The WebGPU adapter has the `shader-f16` feature (ignored by the other backends). */
  shaderF16: boolean;
  /** A dtype the user asked for; it is honoured even if the backend would not pick it. */
  explicit?: Dtype | undefined;
  /** Only names the file in error messages. */
  tower?: Tower | undefined;
  /** The model's own preference for this backend (its catalogue entry), replacing the default. */
  order?: readonly Dtype[] | undefined;
}

/** The dtype to load for one tower, given the files the folder has for it. */
export function chooseDtype(
  backend: Backend,
  available: readonly Dtype[],
  opts: ChooseDtypeOptions,
): Dtype {
  const files = (dtype: Dtype): string =>
    opts.tower ? onnxPath(opts.tower, dtype) : `onnx/{vision,text}_model${SUFFIX[dtype]}.onnx`;
  const have = available.length > 0 ? available.join(', ') : 'none';

  if (opts.explicit !== undefined) {
    if (available.includes(opts.explicit)) return opts.explicit;
    throw new MumicError(
      'ModelDtypeUnavailable',
      `dtype ${opts.explicit} needs ${files(opts.explicit)}, which the model folder does not have (available: ${have})`,
    );
  }

  const usable = dtypePreference(backend, opts.shaderF16);
  // A model's own order can only narrow what the backend can run (f16 needs shader-f16).
  const order = opts.order ? opts.order.filter((d) => usable.includes(d)) : usable;
  const pick = order.find((dtype) => available.includes(dtype));
  if (pick !== undefined) return pick;
  const why =
    backend === 'webgpu' && !opts.shaderF16
      ? ' (fp16 and q4f16 need the WebGPU shader-f16 feature, which this device lacks)'
      : '';
  throw new MumicError(
    'ModelDtypeUnavailable',
    `no ${opts.tower ?? 'model'} weights usable on ${backend}${why}: the folder has ${have}, usable are ${order.join(', ')}`,
  );
}

/**
 * Inputs per session.run for a dtype. int8 exports quantize activations dynamically with one
 * scale per tensor (DynamicQuantizeLinear), so in a batch an embedding depends on the other
 * inputs of its batch: on clip-tiny q8, 1 - cos(alone, in a batch of 4) is 1e-4..2e-4, enough to
 * move a tempered-sigmoid score by 0.05. One input per run keeps an embedding a function of its
 * input only (as every cache key assumes), in the app and the CLI alike.
 */
export function runBatchSize(dtype: Dtype, preferred: number): number {
  return dtype === 'q8' ? 1 : preferred;
}
