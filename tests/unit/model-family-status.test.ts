import { describe, expect, it } from 'vitest';
import { CLIP, SIGLIP } from '../../src/core/families/index.ts';
import { calibrationFromLogits } from '../../src/core/families/family.ts';
import type { ModelInfo } from '../../src/core/model-folder.ts';
import type { ModelStatus } from '../../src/shared/worker-api.ts';
import { calibrationKind, calibrationText } from '../../src/ui/views/model-family.ts';
import { describeFamily } from '../../src/worker/models/model-family-status.ts';

const status = (info: Pick<ModelInfo, 'family' | 'calibration'>): ModelStatus =>
  ({ id: 'm', ...describeFamily(info as ModelInfo) }) as ModelStatus;

describe('the status line names the family and where the calibration came from', () => {
  it('CLIP: mumic defaults', async () => {
    const calibration = await CLIP.calibrate(
      { exists: async () => false, read: async () => new Uint8Array(), readJson: async () => ({}) },
      () => new Error() as never,
    );
    const s = status({ family: 'clip', calibration });
    expect(calibrationKind(s)).toBe('default');
    expect(calibrationText(s)).toBe('CLIP · MuMIC defaults t = 0.01, b = 0.25');
  });

  it("SigLIP: the model's own logit scale and bias", async () => {
    const calibration = calibrationFromLogits(Math.log(117.33), -12.93, 'catalogue entry');
    const s = status({ family: SIGLIP.id, calibration });
    expect(s.familyName).toBe('SigLIP');
    expect(s.calibration?.source).toBe('catalogue entry');
    expect(calibrationKind(s)).toBe('model');
    expect(calibrationText(s)).toBe(
      'SigLIP · calibration from the model (exp(scale) = 117.33, bias = −12.93)',
    );
  });
});
