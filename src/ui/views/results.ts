// The results: the toolbar (threshold, filter, sort, exports, clear all) and the grid of tiles,
// drawn a few tiles per render so a drop of hundreds of photos never blocks a frame.
import { html, nothing, type TemplateResult } from 'lit-html';
import { guard } from 'lit-html/directives/guard.js';
import { live } from 'lit-html/directives/live.js';
import { repeat } from 'lit-html/directives/repeat.js';
import { PAGE_SIZE, type App, type PhotoView, type SortOrder } from '../app.ts';
import { exportResults } from '../state/exports.ts';
import { photoTile } from './tile.ts';
import type { ViewHost } from './view-host.ts';
import { VirtualGrid, type TilePlace } from './virtual-grid.ts';

/** New tiles drawn per render: a drop of hundreds of photos is drawn over a few frames. */
const TILES_PER_RENDER = 12;
/**
 * Tiles per block of the grid. Each block is its own list with `content-visibility: auto`, so
 * the browser lays out and paints only the blocks near the viewport, and a new tile relays out
 * its block, not a grid of a thousand tiles.
 */
const TILES_PER_BLOCK = 48;
/**
 * From this many tiles the grid is virtualised (only rows near the viewport in the DOM): at 1,000
 * tiles and more, blocks alone left tasks of 100 ms while scrolling ranked results.
 */
export const VIRTUAL_FROM = 120;

function blocks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += TILES_PER_BLOCK) {
    out.push(items.slice(i, i + TILES_PER_BLOCK));
  }
  return out;
}

export class ResultsView {
  /** How many tiles may be drawn (grows by TILES_PER_RENDER per render). */
  private tileBudget = TILES_PER_RENDER;
  /** The search ranking last drawn. */
  private revision = -1;
  private readonly virtual: VirtualGrid<PhotoView>;
  private virtualShown = false;

  constructor(
    private readonly app: App,
    private readonly host: ViewHost,
    private readonly openDetail: (key: number) => void,
  ) {
    this.virtual = new VirtualGrid(host, (p) => app.library.thumbnails.park(p));
  }

  /** Draws the tile of `key` if the grid is virtualised and it is scrolled away (detail closed). */
  reveal(key: number): void {
    if (!this.virtualShown) return;
    const { app } = this;
    const shown = app.search.ranking ? app.search.rankedPhotos() : app.library.visiblePhotos();
    const index = shown.findIndex((p) => p.key === key);
    if (index >= 0) this.virtual.reveal(index);
  }

  render(): TemplateResult {
    const { app } = this;
    const all = app.library.photos;
    const ranking = app.search.ranking;
    if (ranking && this.revision !== app.search.revision) {
      // A new ranking is drawn a few tiles per render again, so showing it never stalls a frame.
      this.revision = app.search.revision;
      this.tileBudget = TILES_PER_RENDER;
    }
    const visible = ranking ? app.search.rankedPhotos() : app.library.visiblePhotos();
    // A ranking's photos past its first pages are still in the worker: `total` counts them.
    const total = ranking ? ranking.total : visible.length;
    const virtual = Math.min(app.shown, visible.length) > VIRTUAL_FROM;
    if (this.virtualShown && !virtual) this.virtual.detach();
    this.virtualShown = virtual;
    // Virtualised, every shown tile is in the list (only those near the viewport are drawn).
    const page = visible.slice(0, Math.min(app.shown, virtual ? app.shown : this.tileBudget));
    if (!virtual && page.length < Math.min(app.shown, visible.length)) {
      // More to draw: the next render draws the next few.
      this.tileBudget = page.length + TILES_PER_RENDER;
      queueMicrotask(() => this.host.update());
    }
    const { failed, scored } = app.library.tally();
    const counts = app.library.labelCounts();
    const filterLabel = app.filterLabel ? app.labelSet.label(app.filterLabel) : undefined;
    const filterOptions = app.labelSet.enabledLabels
      .filter((l) => (counts.get(l.id) ?? 0) > 0 || l.id === app.filterLabel)
      .sort((a, b) => (counts.get(b.id) ?? 0) - (counts.get(a.id) ?? 0));
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
              this.host.renderNow();
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
              this.host.update();
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
              this.host.update();
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
                @click=${() => exportResults(app, format)}
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
                  'Delete all photos, results, stored embeddings, your labels, answers and adapted labels from this browser? Model folders chosen from disk are kept (remove them from the model list).',
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
      ${
        virtual
          ? this.virtual.render(page, 'Photos', (p, place) => this.tile(p, place))
          : html`<div class="grid-blocks" role="group" aria-label="Photos">
              ${repeat(
                blocks(page),
                (_, i) => i,
                (block) =>
                  html`<ul class="grid">
                    ${repeat(
                      block,
                      (p) => p.key,
                      // A tile is redrawn only when something it shows changed.
                      (p) => this.tile(p),
                    )}
                  </ul>`,
              )}
            </div>`
      }
      ${
        total > app.shown
          ? html`<button
              type="button"
              class="more"
              @click=${() => {
                app.shown += PAGE_SIZE;
                app.search.showUpTo(app.shown);
                this.host.update();
              }}
            >
              Show ${Math.min(PAGE_SIZE, total - app.shown)} more of ${total - app.shown}
            </button>`
          : nothing
      }
    </section>`;
  }

  /** A tile, redrawn only when something it shows changed. */
  private tile(p: PhotoView, place?: TilePlace): unknown {
    const { app } = this;
    const ranked = app.search.rankOf(p);
    return guard(
      [
        // The virtual grid reuses a tile's element for another photo: the photo is part of it.
        p,
        place?.position,
        place?.size,
        place?.aside,
        ranked?.rank,
        ranked?.cosine,
        p.state,
        p.row,
        p.thumbUrl,
        p.error,
        app.threshold,
        app.labelSet.labels,
        app.labelSet.disabledRevision,
        app.modelPhase,
        app.learning.revision,
      ],
      () => photoTile(app, p, this.openDetail, ranked, place),
    );
  }
}
