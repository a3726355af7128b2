// Templates of learning from feedback: answer buttons on score rows, "add a label this photo
// has", and the adapt panel with its before/after metrics and head files.
import { html, nothing, type TemplateResult } from 'lit-html';
import type { FeedbackValue } from '../core/adapt/feedback.ts';
import type { Label } from '../core/labels/index.ts';
import type { HeadMetrics } from '../shared/worker-api.ts';
import type { App, PhotoView } from './app.ts';
import { plural } from './format.ts';

/** Confirm / reject toggles of one label on one photo (a pressed one clears on a second click). */
export function answerButtons(app: App, photo: PhotoView, label: Label): TemplateResult {
  const current = app.learning.answer(photo, label.id);
  const button = (value: FeedbackValue, text: string, verb: string) =>
    html`<button
      type="button"
      class="answer ${value === 1 ? 'yes' : 'no'}"
      data-answer=${answerName(value) ?? nothing}
      aria-pressed=${current === value ? 'true' : 'false'}
      aria-label=${`${verb} “${label.name}” on this photo`}
      title=${verb}
      ?disabled=${photo.hash === undefined}
      @click=${() => void app.learning.set(photo, label, current === value ? null : value)}
    >
      ${text}
    </button>`;
  return html`<span class="answers" role="group" aria-label=${`Is “${label.name}” right?`}
    >${button(1, '✓', 'Confirm')}${button(-1, '✗', 'Reject')}</span
  >`;
}

/** An answer as the DOM hooks name it (`data-answer`), and as a class of its chip. */
export const answerName = (value: FeedbackValue | undefined): 'yes' | 'no' | undefined =>
  value === undefined ? undefined : value === 1 ? 'yes' : 'no';

export const answerClass = (value: FeedbackValue | undefined): string =>
  value === undefined ? '' : value === 1 ? 'confirmed' : 'rejected';

/** The answer on a chip under a thumbnail: ✓ confirmed, ✗ rejected. */
export function chipMark(value: FeedbackValue | undefined): TemplateResult | typeof nothing {
  if (value === undefined) return nothing;
  return value === 1
    ? html`<span class="chip-mark" title="You confirmed this label" aria-hidden="true">✓</span
        ><span class="visually-hidden">(confirmed)</span>`
    : html`<span class="chip-mark" title="You rejected this label" aria-hidden="true">✗</span
        ><span class="visually-hidden">(rejected)</span>`;
}

/** "This photo also has …": a label that is missing from the list, added if new, confirmed. */
export function missingLabelForm(app: App, photo: PhotoView): TemplateResult {
  return html`<form
    class="missing-label"
    @submit=${async (e: SubmitEvent) => {
      e.preventDefault();
      const input = (e.target as HTMLFormElement).elements.namedItem('missing') as HTMLInputElement;
      if (await app.learning.addMissing(photo, input.value)) input.value = '';
    }}
  >
    <label for="missing-label">This photo also shows</label>
    <div class="row">
      <input
        id="missing-label"
        name="missing"
        autocomplete="off"
        maxlength="300"
        placeholder="a label, e.g. fireplace"
        ?disabled=${photo.hash === undefined || app.modelPhase !== 'ready'}
      />
      <button type="submit" ?disabled=${photo.hash === undefined || app.modelPhase !== 'ready'}>
        Confirm
      </button>
    </div>
    <p class="hint">A new label is added to your labels and confirmed on this photo.</p>
  </form>`;
}

const percent = (v: number | null): string => (v === null ? '–' : `${(v * 100).toFixed(1)}%`);

function metricsTable(m: HeadMetrics): TemplateResult {
  const rows: [string, string, number | null, number | null][] = [
    [`GAP@${m.k}`, 'gap-at-k', m.before.gapAtK, m.after.gapAtK],
    ['GAP', 'gap', m.before.gap, m.after.gap],
    ['Macro mAP', 'macro-map', m.before.macroMAP, m.after.macroMAP],
  ];
  const how =
    m.scheme === 'k-fold'
      ? `${m.folds}-fold: each photo held out once, scored by a head trained without it`
      : 'on a held-out fifth of the photos';
  return html`<table id="adapt-metrics" class="metrics">
    <caption>
      On ${plural(m.heldOutPhotos, 'held-out photo')} (${plural(m.heldOutEntries, 'answer')}),
      ${how}.
    </caption>
    <thead>
      <tr>
        <th scope="col">Metric</th>
        <th scope="col">Zero-shot</th>
        <th scope="col">Adapted</th>
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        ([name, key, before, after]) =>
          html`<tr
            data-metric=${key}
            data-before=${before === null ? nothing : String(before)}
            data-after=${after === null ? nothing : String(after)}
          >
            <th scope="row">${name}</th>
            <td>${percent(before)}</td>
            <td class=${after !== null && before !== null && after > before ? 'better' : ''}>
              ${percent(after)}
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function headSummary(app: App): TemplateResult {
  const { head } = app.learning;
  if (!head) {
    return html`<p id="head-state" class="hint" data-adapted="0">
      Scores are zero-shot: no label has been adapted.
    </p>`;
  }
  const names = head.adapted.map((id) => app.labelSet.label(id)?.name ?? id);
  const when = new Date(head.trainedAt).toLocaleString();
  return html`<div id="head-state" data-adapted=${String(head.adapted.length)}>
    <p>
      ${head.source === 'imported' ? 'Imported head' : 'Adapted'} (${when}):
      ${
        names.length === 0
          ? 'no label changed.'
          : html`${plural(names.length, 'label')} scored with learned parameters:
            ${names.slice(0, 8).join(', ')}${names.length > 8 ? ` and ${names.length - 8} more` : ''}.`
      }
    </p>
    ${
      head.left.length > 0
        ? html`<p class="hint">
            Not applied to ${plural(head.left.length, 'label')}:
            ${head.left
              .slice(0, 4)
              .map((l) => `“${l.id}” (${l.reason})`)
              .join(', ')}${head.left.length > 4 ? '…' : ''}.
            Adapt again to include them.
          </p>`
        : nothing
    }
    ${
      head.metrics
        ? metricsTable(head.metrics)
        : html`<p class="hint">
            Too little feedback to hold any out, so there are no before/after figures: answer on at
            least two photos.
          </p>`
    }
  </div>`;
}

/** The adapt panel: counts, settings, the action, its before/after metrics, head and files. */
export function learningPanel(app: App, update: () => void): TemplateResult {
  const { learning } = app;
  const c = learning.counts();
  const total = c.confirmed + c.rejected;
  const busy = learning.busy !== undefined;
  const ready = app.modelPhase === 'ready' && app.labelSet.labelsReady;
  const onFile = (take: (file: File) => Promise<void>) => (e: Event) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (file) void take(file);
  };
  const s = learning.settings;
  return html`<section
    class="learning"
    aria-labelledby="learning-title"
    data-answers=${String(total)}
    data-busy=${learning.busy ?? nothing}
  >
    <h2 id="learning-title">Learn from your answers</h2>
    <p class="hint">
      Open a photo and confirm (✓) or reject (✗) its labels. Adapting fits each answered label's
      scoring to your answers (MuMIC's loss) on the stored embeddings: no photo is read again.
    </p>
    <p id="feedback-counts">
      ${
        total === 0
          ? 'No answers yet.'
          : html`${plural(c.confirmed, 'label')} confirmed, ${c.rejected} rejected, on
            ${plural(c.photos, 'photo')}.`
      }
    </p>
    <div class="buttons">
      <button
        type="button"
        id="adapt"
        class="primary"
        ?disabled=${!ready || busy || total === 0}
        @click=${() => void learning.adapt()}
      >
        ${learning.busy === 'adapting' ? 'Adapting…' : 'Adapt labels'}
      </button>
      ${
        learning.head
          ? html`<button
              type="button"
              id="head-clear"
              ?disabled=${busy}
              @click=${() => void learning.clearHead()}
            >
              Back to zero-shot
            </button>`
          : nothing
      }
    </div>
    ${
      learning.last
        ? html`<p class="hint" id="adapt-used">
            Used ${plural(learning.last.used.entries, 'answer')} on
            ${plural(learning.last.used.photos, 'photo')} in
            ${(learning.last.elapsedMs / 1000).toFixed(2)}
            s${
              learning.last.ignored.notInLabels + learning.last.ignored.noEmbedding > 0
                ? html`; left out ${learning.last.ignored.notInLabels} on labels not in the set and
                  ${learning.last.ignored.noEmbedding} on photos not stored for this model`
                : nothing
            }.
          </p>`
        : nothing
    }
    ${headSummary(app)}
    <details class="adapt-settings">
      <summary>Settings</summary>
      <div class="field">
        <label for="adapt-gamma">Hardness γ (0 = plain balanced BCE)</label>
        <input
          id="adapt-gamma"
          type="number"
          min="0"
          max="10"
          step="0.5"
          .value=${String(s.gamma)}
          @change=${(e: Event) => {
            const v = Number((e.target as HTMLInputElement).value);
            if (v >= 0 && v <= 10) s.gamma = v;
            update();
          }}
        />
      </div>
      <label class="check">
        <input
          id="adapt-residual"
          type="checkbox"
          .checked=${s.residual}
          @change=${(e: Event) => {
            s.residual = (e.target as HTMLInputElement).checked;
            update();
          }}
        />
        Also move each label's text vector (kept close to the original)
      </label>
      <label class="check">
        <input
          id="adapt-global"
          type="checkbox"
          .checked=${s.mode === 'global'}
          @change=${(e: Event) => {
            s.mode = (e.target as HTMLInputElement).checked ? 'global' : 'per-label';
            update();
          }}
        />
        One temperature and bias for all labels
      </label>
    </details>
    <div class="buttons">
      <button
        type="button"
        id="head-export"
        ?disabled=${!learning.head}
        @click=${() => void learning.exportHead()}
      >
        Export head
      </button>
      <label class="button">
        Import head…
        <input
          id="head-import"
          class="visually-hidden"
          type="file"
          accept=".json,application/json"
          ?disabled=${!ready || busy}
          @change=${onFile((f) => learning.importHead(f))}
        />
      </label>
      <button
        type="button"
        id="feedback-export"
        ?disabled=${total === 0}
        @click=${() => void learning.exportFeedback()}
      >
        Export answers
      </button>
      <label class="button">
        Import answers…
        <input
          id="feedback-import"
          class="visually-hidden"
          type="file"
          accept=".json,application/json"
          ?disabled=${busy}
          @change=${onFile((f) => learning.importFeedback(f))}
        />
      </label>
    </div>
    <p class="hint">
      A head holds the learned parameters for this model and label set; answers name each photo by
      the SHA-256 of its file, so they move to another machine with the photos.
    </p>
  </section>`;
}
