// What the page shows, as lit-html templates over the App's state. Rendering is coalesced to one
// pass per animation frame; lit updates only the parts whose values changed.
import { html, nothing, render, type TemplateResult } from 'lit-html';
import { live } from 'lit-html/directives/live.js';
import { guard } from 'lit-html/directives/guard.js';
import { createRef, ref } from 'lit-html/directives/ref.js';
import { repeat } from 'lit-html/directives/repeat.js';
import { describeError } from '../core/errors.ts';
import { labelCategories, type Label } from '../core/labels/index.ts';
import { TEMPLATE_ENSEMBLES } from '../core/prompts.ts';
import { PAGE_SIZE, type App, type PhotoView, type SortOrder } from './app.ts';
import { collectInput } from './collect-files.ts';
import { formatBytes, formatRate, formatScore, plural } from './format.ts';
import { noModelPanel, noModelStatus } from './model-picker.ts';
import {
  answerButtons,
  answerClass,
  answerName,
  chipMark,
  learningPanel,
  missingLabelForm,
} from './view-learning.ts';

/** Chips shown under a thumbnail before "+N more". */
const MAX_CHIPS = 6;
/**
 * While photos stream in, at most one render per this many ms: each render costs main-thread
 * time (script, style, layout), and ten a second is smooth enough for a progress bar.
 */
const BUSY_RENDER_INTERVAL = 100;
/** New tiles drawn per render: a drop of hundreds of photos is drawn over a few frames. */
const TILES_PER_RENDER = 12;

const TEMPLATE_NAMES: Record<string, string> = {
  default: 'a photo of a {}.',
  accommodation: 'Accommodation (5 phrasings, averaged)',
  verbatim: 'The label text alone',
};

export class View {
  private scheduled = false;
  private readonly dialog = createRef<HTMLDialogElement>();
  private detailUrl: { key: number; url: string } | undefined;
  private returnFocusKey: number | undefined;
  /** Label groups the person opened (all open while searching). */
  private readonly openGroups = new Set<string>();
  dragging = false;

  constructor(
    private readonly root: HTMLElement,
    private readonly app: App,
  ) {}

  private lastRender = 0;
  /** How many tiles may be drawn (grows by TILES_PER_RENDER per render). */
  private tileBudget = TILES_PER_RENDER;

  /** Asks for a render on a coming frame (many state changes, one render). */
  update = (): void => {
    if (this.scheduled) return;
    this.scheduled = true;
    const frame = () =>
      requestAnimationFrame(() => {
        this.scheduled = false;
        this.renderNow();
      });
    const wait = this.app.batch?.running
      ? this.lastRender + BUSY_RENDER_INTERVAL - performance.now()
      : 0;
    if (wait > 0) setTimeout(frame, wait);
    else frame();
  };

  renderNow(): void {
    this.lastRender = performance.now();
    render(this.page(), this.root);
    this.syncDialog();
  }

  // ---------------------------------------------------------------------------------------------

  private page(): TemplateResult {
    return html`
      <a class="skip" href="#photos-title">Skip to the photos</a>
      <header class="top">
        <div class="brand">
          <h1>mumic</h1>
          <p class="tagline">Tag your photos with labels, privately: nothing leaves this device.</p>
          <a class="jump" href="#labels-title">Labels ↓</a>
        </div>
        ${this.status()}
      </header>
      <div class="layout">
        <main class="main">
          ${this.app.modelPhase === 'failed' ? noModelPanel(this.app) : nothing} ${this.notices()}
          ${this.dropZone()} ${this.progress()} ${this.skipped()} ${this.results()}
        </main>
        ${this.labelsPanel()}
      </div>
      ${this.detail()}
    `;
  }

  private status(): TemplateResult {
    const { app } = this;
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
      text = html`Model <strong>${s.id}</strong> · ${dtype} · ${backend}${why}`;
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
      data-texts-encoded=${String(app.counters.textsEncoded)}
      data-labels-ready=${app.labelsReady && !app.labelWork ? 'true' : 'false'}
      data-error-name=${app.modelError?.name ?? nothing}
    >
      ${text}
    </p>`;
  }

  private notices(): TemplateResult {
    const { app } = this;
    return html`<div class="notices" role="alert">
      ${repeat(
        app.notices,
        (n) => n.id,
        (n) =>
          html`<div class="notice ${n.kind}" data-error-name=${n.name ?? nothing}>
            <p>${n.kind === 'error' ? html`<strong>${n.name}</strong> ` : nothing}${n.text}</p>
            <button
              type="button"
              class="icon"
              aria-label="Dismiss message"
              @click=${() => app.dismiss(n.id)}
            >
              ✕
            </button>
          </div>`,
      )}
    </div>`;
  }

  private dropZone(): TemplateResult {
    const { app } = this;
    const pick = (e: Event) => {
      const input = e.target as HTMLInputElement;
      app.add(collectInput(input.files));
      input.value = '';
    };
    return html`<section
      class="dropzone ${this.dragging ? 'dragging' : ''}"
      aria-labelledby="add-title"
    >
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

  private progress(): TemplateResult | typeof nothing {
    const { app } = this;
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
    const w = app.labelWork;
    if (w && w.total > 0) {
      parts.push(
        html`<div class="progress-row" data-progress="labels">
          <label for="label-progress">Encoding labels: ${w.done} of ${w.total}</label>
          <progress id="label-progress" max=${w.total} .value=${w.done}></progress>
        </div>`,
      );
    }
    const b = app.batch;
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
                    @click=${() => void app.cancel()}
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

  private skipped(): TemplateResult | typeof nothing {
    const list = this.app.skipped;
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

  private results(): TemplateResult {
    const { app } = this;
    const all = app.photos;
    const visible = app.visiblePhotos();
    const page = visible.slice(0, Math.min(app.shown, this.tileBudget));
    if (page.length < Math.min(app.shown, visible.length)) {
      // More to draw: the next render draws the next few.
      this.tileBudget = page.length + TILES_PER_RENDER;
      queueMicrotask(() => this.update());
    }
    const failed = all.filter((p) => p.state === 'error').length;
    const counts = app.labelCounts();
    const filterLabel = app.filterLabel ? app.label(app.filterLabel) : undefined;
    const filterOptions = app.enabledLabels
      .filter((l) => (counts.get(l.id) ?? 0) > 0 || l.id === app.filterLabel)
      .sort((a, b) => (counts.get(b.id) ?? 0) - (counts.get(a.id) ?? 0));
    const scored = all.some((p) => p.state !== 'queued');
    return html`<section class="results" aria-labelledby="photos-title">
      <div class="results-head">
        <h2 id="photos-title" tabindex="-1">Photos <span class="count">${all.length}</span></h2>
        ${failed > 0 ? html`<span class="muted">${failed} could not be read</span>` : nothing}
      </div>
      <div class="toolbar">
        <div class="field threshold">
          <label for="threshold">Threshold</label>
          <input
            id="threshold"
            type="range"
            min="0"
            max="1"
            step="0.01"
            .value=${live(String(app.threshold))}
            aria-describedby="threshold-help"
            @input=${(e: Event) => {
              app.setThreshold(Number((e.target as HTMLInputElement).value));
              this.renderNow();
            }}
          />
          <output for="threshold">${app.threshold.toFixed(2)}</output>
          <span id="threshold-help" class="visually-hidden"
            >Labels scoring at least this much are shown under each photo.</span
          >
        </div>
        <div class="field">
          <label for="filter">Show</label>
          <select
            id="filter"
            @change=${(e: Event) => {
              app.filterLabel = (e.target as HTMLSelectElement).value;
              app.shown = PAGE_SIZE;
              this.update();
            }}
          >
            <option value="" ?selected=${!app.filterLabel}>All photos</option>
            ${filterOptions.map(
              (l) =>
                html`<option value=${l.id} ?selected=${l.id === app.filterLabel}>
                  ${l.name} (${counts.get(l.id) ?? 0})
                </option>`,
            )}
          </select>
        </div>
        <div class="field">
          <label for="sort">Sort by</label>
          <select
            id="sort"
            @change=${(e: Event) => {
              app.sort = (e.target as HTMLSelectElement).value as SortOrder;
              this.update();
            }}
          >
            <option value="added" ?selected=${app.sort === 'added'}>Order added</option>
            <option value="name" ?selected=${app.sort === 'name'}>Name</option>
            <option value="score" ?selected=${app.sort === 'score'}>
              ${filterLabel ? `Score of “${filterLabel.name}”` : 'Best score'}
            </option>
          </select>
        </div>
        <div class="actions">
          ${(['csv', 'json'] as const).map(
            (format) =>
              html`<button
                type="button"
                id=${`export-${format}`}
                ?disabled=${!scored}
                @click=${() => app.exportResults(format)}
              >
                Export ${format.toUpperCase()}
              </button>`,
          )}
          <button
            type="button"
            id="clear-all"
            class="danger"
            @click=${() => {
              if (
                confirm(
                  'Delete all photos, results, stored embeddings, your labels, answers and adapted labels from this browser?',
                )
              ) {
                void app.clearAll();
              }
            }}
          >
            Clear all
          </button>
        </div>
      </div>
      ${
        all.length === 0
          ? html`<div class="empty">
              <p><strong>No photos yet.</strong></p>
              <p>
                Add some above. Each photo is scored against every label on its own, so a photo can
                be “Bathroom”, “Bathtub” and “Sea view” at once. Labels scoring above the threshold
                appear under it; click a photo to see all its scores.
              </p>
            </div>`
          : visible.length === 0
            ? html`<p class="empty">No photo has “${filterLabel?.name}” above the threshold.</p>`
            : nothing
      }
      <ul class="grid" aria-label="Photos">
        ${repeat(
          page,
          (p) => p.key,
          // A tile is redrawn only when something it shows changed.
          (p) =>
            guard(
              [
                p.state,
                p.row,
                p.thumbUrl,
                p.error,
                app.threshold,
                app.labels,
                app.disabledRevision,
                app.modelPhase,
                app.learning.revision,
              ],
              () => this.tile(p),
            ),
        )}
      </ul>
      ${
        visible.length > app.shown
          ? html`<button
              type="button"
              class="more"
              @click=${() => {
                app.shown += PAGE_SIZE;
                this.update();
              }}
            >
              Show ${Math.min(PAGE_SIZE, visible.length - app.shown)} more of
              ${visible.length - app.shown}
            </button>`
          : nothing
      }
    </section>`;
  }

  private tile(p: PhotoView): TemplateResult {
    const { app } = this;
    const scores = p.state === 'done' ? app.scoresOf(p) : [];
    const answered = app.learning.answered(p);
    // A label the person confirmed is shown whatever its score; a rejected one keeps its ✗.
    const chips = scores.filter((s) => s.score >= app.threshold || answered.get(s.label.id) === 1);
    const pending = p.state === 'done' && app.missingScores(p) > 0;
    const summary =
      p.state === 'queued'
        ? 'waiting'
        : p.error
          ? `failed: ${p.error.name}`
          : `${plural(chips.length, 'label')} above the threshold`;
    return html`<li
      class="photo ${p.state}"
      data-key=${String(p.key)}
      data-file=${p.name}
      data-path=${p.path}
      data-state=${p.state}
      data-photo-id=${p.id ?? nothing}
      data-error-name=${p.error?.name ?? nothing}
    >
      <button
        type="button"
        class="photo-open"
        aria-label=${`${p.name}, ${summary}. Show all scores.`}
        ?disabled=${p.state === 'queued'}
        @click=${() => this.openDetail(p.key)}
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

  // ---------------------------------------------------------------------------------------------
  // detail

  private openDetail(key: number): void {
    this.returnFocusKey = key;
    this.app.detailKey = key;
    this.renderNow();
  }

  private closeDetail = (): void => {
    this.dialog.value?.close();
  };

  private onDialogClose = (): void => {
    this.app.detailKey = undefined;
    if (this.detailUrl) URL.revokeObjectURL(this.detailUrl.url);
    this.detailUrl = undefined;
    this.renderNow();
    const key = this.returnFocusKey;
    if (key !== undefined) {
      this.root.querySelector<HTMLElement>(`li[data-key="${key}"] .photo-open`)?.focus();
    }
  };

  private step(delta: number): void {
    const { app } = this;
    const list = app.visiblePhotos().filter((p) => p.state !== 'queued');
    const i = list.findIndex((p) => p.key === app.detailKey);
    const next = list[(i + delta + list.length) % list.length];
    if (next) {
      this.returnFocusKey = next.key;
      app.detailKey = next.key;
      this.renderNow();
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

  private detail(): TemplateResult {
    const { app } = this;
    const p = app.detailKey !== undefined ? app.photo(app.detailKey) : undefined;
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
    const q = app.labelSearch.trim().toLowerCase();
    const all = app.scoresOf(p);
    const rows = q ? all.filter((s) => matchesLabel(s.label, q)) : all;
    const above = all.filter((s) => s.score >= app.threshold).length;
    const url = this.imageUrl(p);
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
              class="danger"
              @click=${() => {
                this.closeDetail();
                void app.removePhoto(p.key);
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
                  <input
                    id="detail-search"
                    type="search"
                    placeholder="e.g. view"
                    .value=${live(app.labelSearch)}
                    @input=${(e: Event) => {
                      app.labelSearch = (e.target as HTMLInputElement).value;
                      this.update();
                    }}
                  />
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

  private syncDialog(): void {
    const dialog = this.dialog.value;
    if (!dialog) return;
    const want = this.app.detailKey !== undefined && this.app.photo(this.app.detailKey);
    if (want && !dialog.open) dialog.showModal();
    else if (!want && dialog.open) dialog.close();
  }

  // ---------------------------------------------------------------------------------------------
  // labels

  private labelsPanel(): TemplateResult {
    const { app } = this;
    const q = app.labelSearch.trim().toLowerCase();
    const groups = labelCategories(app.labels)
      .map((category) => ({
        category,
        labels: app.labels.filter((l) => l.category === category && matchesLabel(l, q)),
        all: app.labels.filter((l) => l.category === category),
      }))
      .filter((g) => g.labels.length > 0);
    const on = app.labels.length - app.labels.filter((l) => app.disabled.has(l.id)).length;
    const onFile = (mode: 'add' | 'replace') => (e: Event) => {
      const input = e.target as HTMLInputElement;
      const file = input.files?.[0];
      input.value = '';
      if (file) void app.importLabels(file, mode);
    };
    return html`<aside class="panel labels-panel" aria-labelledby="labels-title">
      <h2 id="labels-title" tabindex="-1">
        Labels <span class="count">${on} of ${app.labels.length} on</span>
      </h2>
      <form
        class="add-label"
        @submit=${async (e: SubmitEvent) => {
          e.preventDefault();
          const form = e.target as HTMLFormElement;
          const input = form.elements.namedItem('label') as HTMLInputElement;
          const text = input.value.trim();
          if (!text) return;
          if (await app.addLabel(text)) {
            input.value = '';
            const added = app.labels.at(-1);
            if (added) this.openGroups.add(added.category);
            this.update();
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
          />
          <button type="submit" ?disabled=${app.modelPhase !== 'ready'}>Add</button>
        </div>
        <p id="new-label-help" class="hint">
          Any words. It is scored against all photos at once, without reading them again.
        </p>
      </form>
      <label for="label-search">Search labels</label>
      <input
        id="label-search"
        type="search"
        placeholder="e.g. pool"
        .value=${live(app.labelSearch)}
        @input=${(e: Event) => {
          app.labelSearch = (e.target as HTMLInputElement).value;
          this.update();
        }}
      />
      <div class="label-groups">
        ${
          groups.length === 0
            ? html`<p class="muted">No label matches “${app.labelSearch}”.</p>`
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
          @change=${(e: Event) => void app.setTemplate((e.target as HTMLSelectElement).value)}
        >
          ${Object.keys(TEMPLATE_ENSEMBLES).map(
            (name) =>
              html`<option value=${name} ?selected=${name === app.template}>
                ${TEMPLATE_NAMES[name] ?? name}
              </option>`,
          )}
        </select>
        <div class="buttons">
          <label class="button">
            Add labels from a file…
            <input
              id="labels-add-file"
              class="visually-hidden"
              type="file"
              accept=".json,.txt,application/json,text/plain"
              @change=${onFile('add')}
            />
          </label>
          <label class="button">
            Replace labels with a file…
            <input
              id="labels-replace-file"
              class="visually-hidden"
              type="file"
              accept=".json,.txt,application/json,text/plain"
              @change=${onFile('replace')}
            />
          </label>
          <button type="button" id="labels-export-json" @click=${() => app.exportLabels('json')}>
            Export JSON
          </button>
          <button type="button" id="labels-export-text" @click=${() => app.exportLabels('text')}>
            Export text
          </button>
          <button
            type="button"
            @click=${() => {
              if (confirm('Replace your labels with the 120 default labels?')) {
                void app.resetLabels();
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
        ${app.labelSource ? html`<p class="hint">${app.labelSource}</p>` : nothing}
      </details>
      ${learningPanel(app, this.update)}
    </aside>`;
  }

  private labelGroup(
    category: string,
    labels: Label[],
    all: Label[],
    searching: boolean,
  ): TemplateResult {
    const { app } = this;
    const on = all.filter((l) => !app.disabled.has(l.id)).length;
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
                  .checked=${live(!app.disabled.has(l.id))}
                  @change=${(e: Event) =>
                    void app.setEnabled([l.id], (e.target as HTMLInputElement).checked)}
                />
                <span>${l.name}</span>
              </label>
              <button
                type="button"
                class="icon remove"
                aria-label=${`Remove label ${l.name}`}
                title="Remove"
                @click=${() => void app.removeLabel(l.id)}
              >
                ✕
              </button>
            </li>`,
        )}
      </ul>
      <div class="group-actions">
        <button
          type="button"
          class="link"
          @click=${() =>
            void app.setEnabled(
              all.map((l) => l.id),
              true,
            )}
        >
          All on
        </button>
        <button
          type="button"
          class="link"
          @click=${() =>
            void app.setEnabled(
              all.map((l) => l.id),
              false,
            )}
        >
          All off
        </button>
      </div>
    </details>`;
  }
}

function matchesLabel(label: Label, q: string): boolean {
  if (!q) return true;
  return (
    label.name.toLowerCase().includes(q) ||
    label.prompt.toLowerCase().includes(q) ||
    label.category.toLowerCase().includes(q)
  );
}
