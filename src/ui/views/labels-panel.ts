// The labels panel: add, search, turn on and off, remove, label-set files and prompt templates,
// and the learning panel under it.
import { html, nothing, type TemplateResult } from 'lit-html';
import { live } from 'lit-html/directives/live.js';
import { repeat } from 'lit-html/directives/repeat.js';
import { labelCategories, type Label } from '../../core/labels/index.ts';
import { TEMPLATE_ENSEMBLES } from '../../core/prompts.ts';
import type { App } from '../app.ts';
import { learningPanel } from '../view-learning.ts';
import { labelSearch, matchesLabel } from './label-search.ts';
import type { ViewHost } from './view-host.ts';

const TEMPLATE_NAMES: Record<string, string> = {
  default: 'a photo of a {}.',
  accommodation: 'Accommodation (5 phrasings, averaged)',
  verbatim: 'The label text alone',
};

export class LabelsPanel {
  /** Label groups the person opened (all open while searching). */
  private readonly openGroups = new Set<string>();
  /** The panel's label search (the detail dialog has its own). */
  private search = '';

  constructor(
    private readonly app: App,
    private readonly host: ViewHost,
  ) {}

  render(): TemplateResult {
    const { app } = this;
    const q = this.search.trim().toLowerCase();
    const groups = labelCategories(app.labelSet.labels)
      .map((category) => ({
        category,
        labels: app.labelSet.labels.filter((l) => l.category === category && matchesLabel(l, q)),
        all: app.labelSet.labels.filter((l) => l.category === category),
      }))
      .filter((g) => g.labels.length > 0);
    const on =
      app.labelSet.labels.length -
      app.labelSet.labels.filter((l) => app.labelSet.disabled.has(l.id)).length;
    const onFile = (mode: 'add' | 'replace') => (e: Event) => {
      const input = e.target as HTMLInputElement;
      const file = input.files?.[0];
      input.value = '';
      if (file) void app.labelSet.importLabels(file, mode);
    };
    return html`<aside class="panel labels-panel" aria-labelledby="labels-title">
      <h2 id="labels-title" tabindex="-1">
        Labels <span class="count">${on} of ${app.labelSet.labels.length} on</span>
      </h2>
      <form
        class="add-label"
        @submit=${async (e: SubmitEvent) => {
          e.preventDefault();
          const form = e.target as HTMLFormElement;
          const input = form.elements.namedItem('label') as HTMLInputElement;
          const text = input.value.trim();
          if (!text) return;
          if (await app.labelSet.addLabel(text)) {
            input.value = '';
            const added = app.labelSet.labels.at(-1);
            if (added) this.openGroups.add(added.category);
            this.host.update();
          }
        }}
      >
        <label for="new-label">Add a label</label>
        <div class="row">
          <input
            id="new-label"
            name="label"
            autocomplete="off"
            placeholder="e.g. rooftop terrace"
            aria-describedby="new-label-help"
            maxlength="300"
            @focus=${() => app.wantText()}
            @input=${() => app.wantText()}
          />
          <button type="submit" ?disabled=${app.modelPhase !== 'ready'}>Add</button>
        </div>
        <p id="new-label-help" class="hint">
          Any words. It is scored against all photos at once, without reading them again.
        </p>
      </form>
      <label for="label-search">Search labels</label>
      ${labelSearch('label-search', 'e.g. pool', this.search, (value) => {
        this.search = value;
        this.host.update();
      })}
      <div class="label-groups">
        ${
          groups.length === 0
            ? html`<p class="muted">No label matches “${this.search}”.</p>`
            : nothing
        }
        ${repeat(
          groups,
          (g) => g.category,
          (g) => this.labelGroup(g.category, g.labels, g.all, q !== ''),
        )}
      </div>
      <details class="label-tools">
        <summary>Label sets and prompts</summary>
        <label for="template">Prompt template</label>
        <select
          id="template"
          @change=${(e: Event) => void app.labelSet.setTemplate((e.target as HTMLSelectElement).value)}
        >
          ${Object.keys(TEMPLATE_ENSEMBLES).map(
            (name) =>
              html`<option value=${name} ?selected=${name === app.labelSet.template}>
                ${TEMPLATE_NAMES[name] ?? name}
              </option>`,
          )}
        </select>
        <div class="buttons">
          ${(
            [
              ['add', 'Add labels from a file…'],
              ['replace', 'Replace labels with a file…'],
            ] as const
          ).map(
            ([mode, text]) =>
              html`<label class="button">
                ${text}
                <input
                  id=${`labels-${mode}-file`}
                  class="visually-hidden"
                  type="file"
                  accept=".json,.txt,application/json,text/plain"
                  @change=${onFile(mode)}
                />
              </label>`,
          )}
          ${(
            [
              ['json', 'Export JSON'],
              ['text', 'Export text'],
            ] as const
          ).map(
            ([format, text]) =>
              html`<button
                type="button"
                id=${`labels-export-${format}`}
                @click=${() => app.labelSet.exportLabels(format)}
              >
                ${text}
              </button>`,
          )}
          <button
            type="button"
            @click=${() => {
              if (confirm('Replace your labels with the 120 default labels?')) {
                void app.labelSet.resetLabels();
              }
            }}
          >
            Reset to the defaults
          </button>
        </div>
        <p class="hint">
          Files: JSON <code>{"version": 1, "labels": [...]}</code> or text, one label per line
          (<code>Category: Name | prompt</code>).
        </p>
        ${app.labelSet.labelSource ? html`<p class="hint">${app.labelSet.labelSource}</p>` : nothing}
      </details>
      ${learningPanel(app, this.host.update)}
    </aside>`;
  }

  private labelGroup(
    category: string,
    labels: Label[],
    all: Label[],
    searching: boolean,
  ): TemplateResult {
    const { app } = this;
    const on = all.filter((l) => !app.labelSet.disabled.has(l.id)).length;
    const open = searching || this.openGroups.has(category);
    return html`<details
      class="label-group"
      ?open=${open}
      @toggle=${(e: Event) => {
        if (searching) return;
        if ((e.target as HTMLDetailsElement).open) this.openGroups.add(category);
        else this.openGroups.delete(category);
      }}
    >
      <summary>
        <span>${category}</span>
        <span class="count">${on}/${all.length}</span>
      </summary>
      <ul>
        ${repeat(
          labels,
          (l) => l.id,
          (l) =>
            html`<li class="label-item" data-label-id=${l.id}>
              <label>
                <input
                  type="checkbox"
                  .checked=${live(!app.labelSet.disabled.has(l.id))}
                  @change=${(e: Event) =>
                    void app.labelSet.setEnabled([l.id], (e.target as HTMLInputElement).checked)}
                />
                <span>${l.name}</span>
              </label>
              <button
                type="button"
                class="icon remove"
                aria-label=${`Remove label ${l.name}`}
                title="Remove"
                @click=${() => void app.labelSet.removeLabel(l.id)}
              >
                ✕
              </button>
            </li>`,
        )}
      </ul>
      <div class="group-actions">
        ${([true, false] as const).map(
          (on) =>
            html`<button
              type="button"
              class="link"
              @click=${() =>
                void app.labelSet.setEnabled(
                  all.map((l) => l.id),
                  on,
                )}
            >
              ${on ? 'All on' : 'All off'}
            </button>`,
        )}
      </div>
    </details>`;
  }
}
