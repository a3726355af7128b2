// Choosing the model (issue 12): a list of the installed models with size and what each is for,
// and the photos of the page tagged with another model, with a way to re-tag them.
import { html, nothing, type TemplateResult } from 'lit-html';
import type { App } from '../app.ts';
import { formatBytes, plural } from '../format.ts';
import type { ModelSwitch, OtherModelPhoto } from '../state/model-switch.ts';
import '../model-switch.css';

/** Thumbnails shown of the photos tagged with another model before "+N more". */
const MAX_THUMBS = 12;

export function modelMenu(
  app: App,
  models: ModelSwitch | undefined,
): TemplateResult | typeof nothing {
  if (!models) return nothing;
  const current = models.current;
  const choices = [...models.choices];
  if (current !== undefined && !choices.some((c) => c.id === current)) {
    choices.unshift({
      id: current,
      bytes: 0,
      description: 'not listed in models/index.json',
      from: 'server',
    });
  }
  if (choices.length === 0) return nothing;
  const chosen = choices.find((c) => c.id === current);
  return html`<div class="model-switch" data-model-switch>
    <label for="model-select">Model</label>
    <select
      id="model-select"
      ?disabled=${app.modelPhase === 'loading'}
      @change=${(e: Event) => void models.choose((e.target as HTMLSelectElement).value)}
    >
      ${choices.map(
        (c) =>
          html`<option value=${c.id} ?selected=${c.id === current} data-model-choice=${c.id}>
            ${c.id}${c.bytes > 0 ? ` · ${formatBytes(c.bytes)}` : ''}
          </option>`,
      )}
    </select>
    ${
      chosen
        ? html`<span class="model-description" data-model-description>${chosen.description}</span>`
        : nothing
    }
  </div>`;
}

export function otherModelPanel(models: ModelSwitch | undefined): TemplateResult | typeof nothing {
  if (!models || models.others.length === 0) return nothing;
  const current = models.current ?? 'this model';
  const byModel = new Map<string, OtherModelPhoto[]>();
  for (const p of models.others) byModel.set(p.model, [...(byModel.get(p.model) ?? []), p]);
  const atHand = models.others.filter((p) => p.file !== undefined).length;
  const missing = models.others.length - atHand;
  return html`<section
    class="other-model"
    aria-labelledby="other-model-title"
    data-other-model-photos=${String(models.others.length)}
  >
    <h2 id="other-model-title">Tagged with another model</h2>
    ${[...byModel].map(
      ([model, photos]) =>
        html`<p data-other-model=${model}>
          ${plural(photos.length, 'photo was', 'photos were')} tagged with
          <strong>${model}</strong>, not with ${current}: their scores are kept with ${model} and
          come back when you switch to it.
        </p>`,
    )}
    <ul class="other-model-thumbs">
      ${models.others.slice(0, MAX_THUMBS).map(
        (p) =>
          html`<li data-file=${p.name} title=${p.path}>
            ${
              p.thumbUrl
                ? html`<img src=${p.thumbUrl} alt="" />`
                : html`<span class="thumb-placeholder" aria-hidden="true">?</span>`
            }
            <span class="badge">tagged with ${p.model} — re-tag</span>
          </li>`,
      )}
      ${
        models.others.length > MAX_THUMBS
          ? html`<li class="more">+${models.others.length - MAX_THUMBS} more</li>`
          : nothing
      }
    </ul>
    <div class="row">
      ${
        atHand > 0
          ? html`<button type="button" class="primary" data-retag @click=${() => models.retag()}>
              Re-tag ${plural(atHand, 'photo')} with ${current}
            </button>`
          : nothing
      }
      <button type="button" data-dismiss-other @click=${() => models.dismiss()}>Hide</button>
    </div>
    ${
      missing > 0
        ? html`<p class="muted" data-drop-again=${String(missing)}>
            ${plural(missing, 'file is', 'files are')} not held by this page (they were stored on an
            earlier visit): drop ${missing === 1 ? 'it' : 'them'} again to tag
            ${missing === 1 ? 'it' : 'them'} with ${current}.
          </p>`
        : nothing
    }
  </section>`;
}
