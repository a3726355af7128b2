// One photo of the grid: its thumbnail, name, and the labels above the threshold (or its error).
import { html, nothing, type TemplateResult } from 'lit-html';
import { describeError } from '../../core/errors.ts';
import type { App, PhotoView } from '../app.ts';
import { formatScore, plural } from '../format.ts';
import { answerClass, answerName, chipMark } from '../view-learning.ts';
import type { TilePlace } from './virtual-grid.ts';

/** Chips shown under a thumbnail before "+N more". */
const MAX_CHIPS = 6;

export function photoTile(
  app: App,
  p: PhotoView,
  open: (key: number) => void,
  /** Its place in an active search or more-like-this ranking (the DOM hooks data-rank/-match). */
  ranked?: { rank: number; cosine: number },
  /** Its place in a virtualised grid (only part of the list is in the DOM). */
  place?: TilePlace,
): TemplateResult {
  const answered = app.learning.answered(p);
  // A label the person confirmed is shown whatever its score; a rejected one keeps its ✗.
  const chips =
    p.state === 'done'
      ? app.library.scoresOf(p, (l, score) => score >= app.threshold || answered.get(l.id) === 1)
      : [];
  const pending = p.state === 'done' && app.library.missingScores(p) > 0;
  const summary =
    p.state === 'queued'
      ? 'waiting'
      : p.error
        ? `failed: ${p.error.name}`
        : `${plural(chips.length, 'label')} above the threshold`;
  return html`<li
    class="photo ${p.state}${place?.aside ? ' aside' : ''}"
    aria-posinset=${place ? String(place.position + 1) : nothing}
    aria-setsize=${place ? String(place.size) : nothing}
    style=${place && !place.aside ? `order: ${place.position}` : nothing}
    data-key=${String(p.key)}
    data-file=${p.name}
    data-path=${p.path}
    data-state=${p.state}
    data-photo-id=${p.id ?? nothing}
    data-error-name=${p.error?.name ?? nothing}
    data-rank=${ranked ? String(ranked.rank) : nothing}
    data-match=${ranked ? String(ranked.cosine) : nothing}
  >
    <button
      type="button"
      class="photo-open"
      aria-label=${`${p.name}, ${summary}. Show all scores.`}
      ?disabled=${p.state === 'queued'}
      @click=${() => open(p.key)}
    >
      ${
        p.thumbUrl
          ? html`<img src=${p.thumbUrl} alt="" decoding="async" />`
          : html`<span class="thumb-placeholder" aria-hidden="true"
              >${p.state === 'queued' ? '…' : '⚠'}</span
            >`
      }
    </button>
    <div class="photo-body">
      <span class="photo-name" title=${p.path}>${p.name}</span>
      ${ranked ? matchBadge(ranked) : nothing}
      ${
        p.error
          ? html`<p class="photo-error" title=${describeError(p.error)}>
              <strong>${p.error.name}</strong> ${describeError(p.error)}
            </p>`
          : p.state === 'queued'
            ? html`<p class="muted small">
                ${app.modelPhase === 'ready' ? 'Waiting…' : 'Waiting for the model…'}
              </p>`
            : html`<ul class="chips" aria-label="Labels above the threshold">
                  ${chips.slice(0, MAX_CHIPS).map(
                    (c) =>
                      html`<li
                        class="chip ${answerClass(answered.get(c.label.id))}"
                        data-label=${c.label.name}
                        data-label-id=${c.label.id}
                        data-score=${String(c.score)}
                        data-cosine=${String(c.cosine)}
                        data-answer=${answerName(answered.get(c.label.id)) ?? nothing}
                      >
                        ${chipMark(answered.get(c.label.id))}${c.label.name}
                        <span class="chip-score">${formatScore(c.score)}</span>
                      </li>`,
                  )}
                  ${
                    chips.length > MAX_CHIPS
                      ? html`<li class="chip more">+${chips.length - MAX_CHIPS} more</li>`
                      : nothing
                  }
                </ul>
                ${
                  chips.length === 0
                    ? html`<p class="muted small">No label above the threshold</p>`
                    : nothing
                }
                ${pending ? html`<p class="muted small">Scoring new labels…</p>` : nothing}`
      }
    </div>
  </li>`;
}

function matchBadge({ rank, cosine }: { rank: number; cosine: number }): TemplateResult {
  return html`<span class="match" title="Cosine with the query"
    >#${rank} · match ${cosine.toFixed(3)}</span
  >`;
}
