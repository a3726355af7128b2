// Adding photos: the drop zone and pickers, the progress of the model, labels and batch, and the
// files that were not taken.
import { html, nothing, type TemplateResult } from 'lit-html';
import type { App } from '../app.ts';
import { collectInput } from '../collect-files.ts';
import { formatBytes, formatRate, plural } from '../format.ts';

export function dropZone(app: App, dragging: boolean): TemplateResult {
  const pick = (e: Event) => {
    const input = e.target as HTMLInputElement;
    app.library.add(collectInput(input.files));
    input.value = '';
  };
  return html`<section class="dropzone ${dragging ? 'dragging' : ''}" aria-labelledby="add-title">
    <h2 id="add-title">Add photos</h2>
    <p>
      Drag photos or whole folders here, paste with <kbd>Ctrl</kbd>+<kbd>V</kbd>, or choose them.
      Every photo gets a score from 0 to 1 for each label on the right.
    </p>
    <div class="buttons">
      <label class="button primary">
        Choose photos…
        <input
          id="file-input"
          class="visually-hidden"
          type="file"
          multiple
          accept="image/*"
          @change=${pick}
        />
      </label>
      <label class="button">
        Choose a folder…
        <input
          id="folder-input"
          class="visually-hidden"
          type="file"
          webkitdirectory
          @change=${pick}
        />
      </label>
    </div>
  </section>`;
}

export function progressRows(app: App): TemplateResult | typeof nothing {
  const parts: TemplateResult[] = [];
  const p = app.modelProgress;
  if (p) {
    const total = p.total ?? 0;
    parts.push(
      html`<div class="progress-row" data-progress="model">
        <label for="model-progress"
          >Loading the model: ${p.file} —
          ${formatBytes(p.loaded)}${total ? ` of ${formatBytes(total)}` : ''}</label
        >
        <progress
          id="model-progress"
          max=${total || 1}
          .value=${total ? p.loaded : 0}
          aria-valuetext=${`${formatBytes(p.loaded)} loaded`}
        ></progress>
      </div>`,
    );
  }
  const w = app.labelSet.labelWork;
  if (w && w.total > 0) {
    parts.push(
      html`<div class="progress-row" data-progress="labels">
        <label for="label-progress">Encoding labels: ${w.done} of ${w.total}</label>
        <progress id="label-progress" max=${w.total} .value=${w.done}></progress>
      </div>`,
    );
  }
  const b = app.library.batch;
  if (b) {
    const rate = formatRate(b.done, b.elapsedMs);
    const details = [
      rate,
      b.fromCache > 0 ? `${b.fromCache} already known` : '',
      b.failed > 0 ? `${b.failed} failed` : '',
    ]
      .filter(Boolean)
      .join(' · ');
    const label = b.running
      ? b.cancelling
        ? `Cancelling… ${b.done} of ${b.total} done`
        : `Tagging photos: ${b.done} of ${b.total}`
      : `Done: ${plural(b.done, 'photo')} in ${(b.elapsedMs / 1000).toFixed(1)} s`;
    parts.push(
      html`<div
        class="progress-row"
        data-progress="batch"
        data-running=${String(b.running)}
        data-done=${String(b.done)}
        data-total=${String(b.total)}
      >
        <label for="batch-progress">${label}${details ? ` · ${details}` : ''}</label>
        <div class="row">
          <progress id="batch-progress" max=${b.total || 1} .value=${b.done}></progress>
          ${
            b.running
              ? html`<button
                  type="button"
                  id="cancel"
                  ?disabled=${b.cancelling}
                  @click=${() => void app.library.cancel()}
                >
                  Cancel
                </button>`
              : nothing
          }
        </div>
      </div>`,
    );
  }
  if (app.modelPhase === 'loading' && !p) {
    parts.push(html`<p class="muted">Starting the model…</p>`);
  }
  return parts.length > 0
    ? html`<section class="progress" aria-label="Progress" aria-live="polite">${parts}</section>`
    : nothing;
}

export function skippedList(app: App): TemplateResult | typeof nothing {
  const list = app.library.skipped;
  if (list.length === 0) return nothing;
  return html`<details class="skipped">
    <summary>${plural(list.length, 'file')} not added (not images)</summary>
    <ul>
      ${list.map(
        (s) =>
          html`<li data-file=${s.name} data-error-name="UnsupportedImageFormat">
            <span class="name">${s.path}</span>: ${s.reason}
          </li>`,
      )}
    </ul>
  </details>`;
}

// ---------------------------------------------------------------------------------------------
// results
