// The status line (model, precision, backend, counters for tests) and the notices under it.
import { html, nothing, type TemplateResult } from 'lit-html';
import { repeat } from 'lit-html/directives/repeat.js';
import type { App } from '../app.ts';
import { noModelStatus } from '../model-picker.ts';
import { calibrationKind, familyLine } from './model-family.ts';

export function statusLine(app: App): TemplateResult {
  const s = app.modelStatus;
  const id = app.params.model ?? 'the default model';
  let text: TemplateResult | string;
  if (app.modelPhase === 'loading') {
    text = `Loading model ${id}…`;
  } else if (app.modelPhase === 'failed') {
    text = noModelStatus(app, app.modelRequest?.id ?? id);
  } else if (s) {
    const backend = s.backend === 'webgpu' ? 'WebGPU (GPU)' : 'WASM (CPU)';
    const dtype =
      s.dtypes.vision === s.dtypes.text
        ? s.dtypes.vision
        : `${s.dtypes.vision} images, ${s.dtypes.text} text`;
    const why =
      s.backend !== s.requestedBackend && s.fallbackReason
        ? html` <span class="why">— not WebGPU: ${s.fallbackReason}</span>`
        : nothing;
    text = html`Model <strong>${s.id}</strong> · ${dtype} · ${backend}${why}${familyLine(s)}`;
  } else {
    text = '';
  }
  return html`<p
    id="status"
    class="status ${app.modelPhase}"
    role="status"
    data-model=${s?.id ?? nothing}
    data-backend=${s?.backend ?? nothing}
    data-dtype=${s?.dtypes.vision ?? nothing}
    data-text-dtype=${s?.dtypes.text ?? nothing}
    data-images-encoded=${String(app.counters.imagesEncoded)}
    data-images-encoded-beside=${String(app.counters.imagesEncodedBeside)}
    data-texts-encoded=${String(app.counters.textsEncoded)}
    data-labels-ready=${app.labelSet.ready ? 'true' : 'false'}
    data-error-name=${app.modelError?.name ?? nothing}
    data-family=${s?.family ?? nothing}
    data-calibration=${calibrationKind(s) ?? nothing}
    data-tab-changes=${String(app.tabs.received)}
  >
    ${text}
  </p>`;
}

export function noticeList(app: App): TemplateResult {
  return html`<div class="notices" role="alert">
    ${repeat(
      app.messages.list,
      (n) => n.id,
      (n) =>
        html`<div class="notice ${n.kind}" data-error-name=${n.name ?? nothing}>
          <p>${n.kind === 'error' ? html`<strong>${n.name}</strong> ` : nothing}${n.text}</p>
          <button
            type="button"
            class="icon"
            aria-label="Dismiss message"
            @click=${() => app.messages.dismiss(n.id)}
          >
            ✕
          </button>
        </div>`,
    )}
  </div>`;
}
