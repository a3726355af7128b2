import { chooseDtype } from '../core/model-files.ts';
import type { ModelInfo } from '../core/model-folder.ts';
import type { Backend, Dtype, Tower } from '../core/types.ts';

/**
 * The dtype of each tower: the explicit one (checked to exist), else the model's own order for the
 * backend (mumic-model.json), else the backend's preference.
 */
export function resolveDtypes(
  model: ModelInfo,
  backend: Backend,
  explicit: Dtype | undefined,
  shaderF16 = false,
): Record<Tower, Dtype> {
  const order = model.dtypeOrder?.[backend === 'webgpu' ? 'webgpu' : 'cpu'];
  const pick = (tower: Tower): Dtype =>
    chooseDtype(backend, model.dtypes[tower], {
      shaderF16,
      explicit,
      tower,
      order: order?.[tower],
    });
  return { vision: pick('vision'), text: pick('text') };
}
