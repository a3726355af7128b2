// The no-model screen: shown above the photos when no model could be loaded (the status line
// says what failed). It gives the command that installs a model, and offers to choose a model
// folder from disk. Outside the status line's live region, so its controls are not re-announced
// with every progress update.
import { html, nothing, type TemplateResult } from 'lit-html';
import { describeError } from '../core/errors.ts';
import type { App } from './app.ts';
import { formatBytes } from './format.ts';
import type { ModelPicker } from './model-picker-state.ts';
import './model-picker.css';

const STEPS = {
  checking: 'Checking the files',
  loading: 'Opening the model',
  hashing: 'Computing SHA-256',
  storing: 'Storing in this browser',
} as const;

/** The status line's text: "Model X could not be loaded" and why. */
export function noModelStatus(app: App, id: string): TemplateResult {
  return html`<strong>Model ${id} could not be loaded.</strong> ${describeError(app.modelError)}`;
}

/** The two ways out: the command, or a model folder from this device. */
export function noModelPanel(app: App): TemplateResult {
  const picker = app.modelPicker;
  return html`<section class="no-model" aria-labelledby="no-model-title">
    <h2 id="no-model-title">No model yet</h2>
    ${picker ? pickerPanel(picker) : commandOnly()}
  </section>`;
}

function commandOnly(): TemplateResult {
  return html`Install a model with <code>npm run models</code> and reload, or pick an installed one
    with <code>?model=&lt;id&gt;</code>.`;
}

function pickerPanel(picker: ModelPicker): TemplateResult {
  const working = picker.phase === 'working';
  const pick = (e: Event) => {
    const input = e.target as HTMLInputElement;
    const files = input.files ? [...input.files] : [];
    input.value = '';
    void picker.chooseFiles(files);
  };
  return html`<span
    class="model-picker"
    data-model-picker
    data-install-state=${picker.phase}
    data-install-error=${picker.error?.name ?? nothing}
  >
    <span
      >To get a model, run <code data-command>npm run models</code> where the app is served (it
      installs CLIP ViT-B/32 into <code>public/models/</code>), then reload; or open an installed
      one with <code>?model=&lt;id&gt;</code>.</span
    >
    <span
      >Or use a CLIP model folder from this device. It is checked here, then kept in this browser
      for later visits, offline too; nothing is uploaded.
      <span class="model-picker-files"
        >Hugging Face layout: <code>config.json</code>, <code>preprocessor_config.json</code>,
        <code>tokenizer.json</code>, <code>tokenizer_config.json</code>,
        <code>onnx/vision_model*.onnx</code>, <code>onnx/text_model*.onnx</code>.</span
      >
      <label class="button primary" aria-disabled=${working ? 'true' : 'false'}>
        Choose a model folder…
        <input
          id="model-folder-input"
          class="visually-hidden"
          type="file"
          webkitdirectory
          ?disabled=${working}
          @change=${pick}
        />
      </label>
    </span>
    ${progressLine(picker)} ${errorLine(picker)} ${storedList(picker)}
  </span>`;
}

function progressLine(picker: ModelPicker): TemplateResult | typeof nothing {
  if (picker.phase !== 'working') return nothing;
  const p = picker.progress;
  const step = p ? STEPS[p.step] : STEPS.checking;
  const file = p?.file ? html` <code>${p.file}</code>` : nothing;
  const share =
    p && p.total > 0 && p.step !== 'checking'
      ? ` ${Math.floor((100 * Math.min(p.done, p.total)) / p.total)} %`
      : '';
  return html`<span class="model-picker-progress" data-install-progress
    >${step}${file}${share}…</span
  >`;
}

function errorLine(picker: ModelPicker): TemplateResult | typeof nothing {
  if (picker.phase !== 'failed' || !picker.error) return nothing;
  return html`<span class="model-picker-error" role="alert" data-install-error-message
    ><strong>This folder was not used.</strong> ${describeError(picker.error)}</span
  >`;
}

function storedList(picker: ModelPicker): TemplateResult | typeof nothing {
  if (picker.local.length === 0) return nothing;
  return html`<span
    >Models chosen from folders earlier, stored in this browser:
    ${picker.local.map(
      (m) =>
        html`<span class="model-picker-stored" data-local-model=${m.id}
          ><strong>${m.id}</strong> (folder “${m.folder}”, ${formatBytes(m.bytes)})<button
            type="button"
            aria-label=${`Use model ${m.id}`}
            @click=${() => picker.onUse?.(m.id)}
          >
            Use</button
          ><button
            type="button"
            class="danger"
            data-remove-local-model=${m.id}
            aria-label=${`Remove model ${m.id}`}
            @click=${() => {
              const what = `Remove model ${m.id} (${formatBytes(m.bytes)}) and the photos, answers' adaptation and results kept for it from this browser?`;
              if (confirm(what)) void picker.remove(m.id);
            }}
          >
            Remove
          </button></span
        >`,
    )}</span
  >`;
}
