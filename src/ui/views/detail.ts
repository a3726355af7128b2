// The detail dialog: one photo large, every label's score with its answer buttons, a label search
// of its own, and stepping to the previous or next photo.
import { html, nothing, type TemplateResult } from 'lit-html';
import { createRef, ref } from 'lit-html/directives/ref.js';
import { repeat } from 'lit-html/directives/repeat.js';
import { describeError } from '../../core/errors.ts';
import type { App, PhotoView } from '../app.ts';
import { formatBytes, formatScore, plural } from '../format.ts';
import { answerButtons, answerName, missingLabelForm } from '../view-learning.ts';
import { labelSearch, matchesLabel } from './label-search.ts';
import type { ViewHost } from './view-host.ts';

export class DetailDialog {
  private readonly dialog = createRef<HTMLDialogElement>();
  private detailUrl: { key: number; url: string } | undefined;
  private returnFocusKey: number | undefined;
  /** The dialog's own label search (the labels panel has another). */
  private search = '';

  /** Set by the View: draws a grid tile that is scrolled out of the DOM. */
  revealTile: ((key: number) => void) | undefined;

  constructor(
    private readonly app: App,
    private readonly host: ViewHost,
  ) {}

  open(key: number): void {
    this.returnFocusKey = key;
    this.app.detailKey = key;
    this.host.renderNow();
  }

  private closeDetail = (): void => {
    this.dialog.value?.close();
  };

  private onDialogClose = (): void => {
    this.app.detailKey = undefined;
    if (this.detailUrl) URL.revokeObjectURL(this.detailUrl.url);
    this.detailUrl = undefined;
    this.host.renderNow();
    const key = this.returnFocusKey;
    if (key !== undefined) {
      // A virtualised grid draws the tile first if it is scrolled away.
      this.revealTile?.(key);
      this.host.root.querySelector<HTMLElement>(`li[data-key="${key}"] .photo-open`)?.focus();
    }
  };

  private step(delta: number): void {
    const { app } = this;
    // Through the grid's order: the ranking while a search or more-like-this is shown.
    const shown = app.search.ranking ? app.search.rankedPhotos() : app.library.visiblePhotos();
    const list = shown.filter((p) => p.state !== 'queued');
    const i = list.findIndex((p) => p.key === app.detailKey);
    const next = list[(i + delta + list.length) % list.length];
    if (next) {
      this.returnFocusKey = next.key;
      app.detailKey = next.key;
      this.host.renderNow();
    }
  }

  private imageUrl(p: PhotoView): string | undefined {
    if (!p.file) return p.thumbUrl;
    if (this.detailUrl?.key !== p.key) {
      if (this.detailUrl) URL.revokeObjectURL(this.detailUrl.url);
      this.detailUrl = { key: p.key, url: URL.createObjectURL(p.file) };
    }
    return p.state === 'error' ? p.thumbUrl : this.detailUrl.url;
  }

  render(): TemplateResult {
    const { app } = this;
    const p = app.detailKey !== undefined ? app.library.photo(app.detailKey) : undefined;
    return html`<dialog
      id="detail"
      class="detail"
      aria-labelledby="detail-title"
      ${ref(this.dialog)}
      @close=${this.onDialogClose}
      @keydown=${(e: KeyboardEvent) => {
        if ((e.target as HTMLElement).tagName === 'INPUT') return;
        if (e.key === 'ArrowRight') this.step(1);
        if (e.key === 'ArrowLeft') this.step(-1);
      }}
    >
      ${p ? this.detailBody(p) : nothing}
    </dialog>`;
  }

  private detailBody(p: PhotoView): TemplateResult {
    const { app } = this;
    const q = this.search.trim().toLowerCase();
    const all = app.library.scoresOf(p);
    const rows = q ? all.filter((s) => matchesLabel(s.label, q)) : all;
    const above = all.filter((s) => s.score >= app.threshold).length;
    const url = this.imageUrl(p);
    // Shown from the store while the model loads: the worker cannot remove or rank it yet.
    const previewOnly = app.preview?.isPreviewOnly(p.id) === true;
    const t = app.threshold * 100;
    return html`<div class="detail-head">
        <h2 id="detail-title">${p.name}</h2>
        <button type="button" class="icon" aria-label="Close" @click=${this.closeDetail}>✕</button>
      </div>
      <div class="detail-grid" data-file=${p.name} data-key=${String(p.key)}>
        <figure>
          ${
            url
              ? html`<img src=${url} alt=${`The photo ${p.name}`} />`
              : html`<div class="thumb-placeholder big" aria-hidden="true">⚠</div>`
          }
          <figcaption>${p.path} · ${formatBytes(p.size)}</figcaption>
          <div class="detail-actions">
            <button type="button" @click=${() => this.step(-1)} aria-label="Previous photo">
              ← Previous
            </button>
            <button type="button" @click=${() => this.step(1)} aria-label="Next photo">
              Next →
            </button>
            <button
              type="button"
              data-action="similar"
              ?disabled=${p.state !== 'done' || previewOnly}
              @click=${() => {
                this.closeDetail();
                void app.search.similar(p);
              }}
            >
              More like this
            </button>
            <button
              type="button"
              class="danger"
              ?disabled=${previewOnly}
              title=${previewOnly ? 'Available once the model is loaded' : ''}
              @click=${() => {
                this.closeDetail();
                void app.library.removePhoto(p.key);
              }}
            >
              Remove photo
            </button>
          </div>
        </figure>
        <section class="detail-scores" aria-label="Scores of every label">
          ${
            p.error
              ? html`<p class="photo-error" data-error-name=${p.error.name}>
                  <strong>${p.error.name}</strong> ${describeError(p.error)}
                </p>`
              : html`<p class="muted">
                    ${plural(above, 'label')} at or above the threshold
                    (${app.threshold.toFixed(2)}, the line on each bar). Scores run from 0 to 1,
                    each label on its own.
                  </p>
                  ${missingLabelForm(app, p)}
                  <label class="search" for="detail-search">Search labels</label>
                  ${labelSearch('detail-search', 'e.g. view', this.search, (value) => {
                    this.search = value;
                    this.host.update();
                  })}
                  <ol class="score-list">
                    ${repeat(
                      rows,
                      (s) => s.label.id,
                      (s) =>
                        html`<li
                          class="score-row ${s.score >= app.threshold ? 'above' : ''}"
                          data-label=${s.label.name}
                          data-label-id=${s.label.id}
                          data-score=${String(s.score)}
                          data-cosine=${String(s.cosine)}
                          data-answer=${answerName(app.learning.answer(p, s.label.id)) ?? nothing}
                          data-adapted=${app.learning.isAdapted(s.label.id) ? 'true' : nothing}
                        >
                          <span class="score-name" title=${`prompt: ${s.label.prompt}`}
                            >${s.label.name}${
                              app.learning.isAdapted(s.label.id)
                                ? html` <span
                                    class="adapted-tag"
                                    title="Scored with learned parameters"
                                    >adapted</span
                                  >`
                                : nothing
                            }</span
                          >
                          <span class="bar" aria-hidden="true"
                            ><span class="fill" style="width: ${(s.score * 100).toFixed(2)}%"></span
                            ><span class="mark" style="left: ${t}%"></span
                          ></span>
                          <span class="score-value">${formatScore(s.score)}</span>
                          ${answerButtons(app, p, s.label)}
                        </li>`,
                    )}
                  </ol>`
          }
        </section>
      </div>`;
  }

  /** Opens or closes the dialog to match the state (after each render). */
  sync(): void {
    const dialog = this.dialog.value;
    if (!dialog) return;
    const want = this.app.detailKey !== undefined && this.app.library.photo(this.app.detailKey);
    if (want && !dialog.open) dialog.showModal();
    else if (!want && dialog.open) dialog.close();
  }

  // ---------------------------------------------------------------------------------------------
  // labels
}
