// The status line's family and calibration (issue 14): which family the model is, and whether
// its scores are calibrated by the model itself (SigLIP's logit scale and bias) or by mumic's
// defaults for CLIP (docs/SCORING.md).
import { html, nothing, type TemplateResult } from 'lit-html';
import type { ModelStatus } from '../../shared/worker-api.ts';

/** "model": the model's own logit scale and bias; "default": mumic's t and b. */
export function calibrationKind(s: ModelStatus | undefined): 'model' | 'default' | undefined {
  const c = s?.calibration;
  if (!c) return undefined;
  return c.logitScale !== undefined && c.logitBias !== undefined ? 'model' : 'default';
}

/** Fixed digits, trailing zeros dropped, a typographic minus. */
const num = (x: number, digits: number): string =>
  String(Number(x.toFixed(digits))).replace('-', '−');

/** e.g. "SigLIP · calibration from the model (exp(scale) = 117.33, bias = −12.93)". */
export function calibrationText(s: ModelStatus): string {
  const c = s.calibration;
  const family = s.familyName ?? s.family ?? 'CLIP';
  if (!c) return family;
  if (c.logitScale !== undefined && c.logitBias !== undefined) {
    return `${family} · calibration from the model (exp(scale) = ${num(Math.exp(c.logitScale), 2)}, bias = ${num(c.logitBias, 2)})`;
  }
  return `${family} · MuMIC defaults t = ${num(c.temperature, 3)}, b = ${num(c.bias, 3)}`;
}

export function familyLine(s: ModelStatus): TemplateResult | typeof nothing {
  if (!s.family && !s.calibration) return nothing;
  return html` ·
    <span class="calibration" data-calibration-text title=${s.calibration?.source ?? nothing}
      >${calibrationText(s)}</span
    >`;
}
