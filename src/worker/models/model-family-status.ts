// What the status line says of a model's family and calibration (issue 14): the page cannot
// import the family descriptions' functions across the worker boundary, only plain data.
import { familyById } from '../../core/families/index.ts';
import type { ModelInfo } from '../../core/model-folder.ts';
import type { ModelStatus } from '../../shared/worker-api.ts';

export function describeFamily(
  info: ModelInfo,
): Pick<ModelStatus, 'family' | 'familyName' | 'calibration'> {
  const { temperature, bias, source, logitScale, logitBias } = info.calibration;
  return {
    family: info.family,
    familyName: familyById(info.family).name,
    calibration: { temperature, bias, source, logitScale, logitBias },
  };
}
