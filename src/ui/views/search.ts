// The library bar above the grid: "Find photos" by words (the grid then shows every stored photo
// ranked by its match), what is ranked now ("more like this" too), "Add as label", and the
// button that opens the near-duplicates view (views/duplicates.ts).
import { html, nothing, type TemplateResult } from 'lit-html';
import { live } from 'lit-html/directives/live.js';
import type { App } from '../app.ts';
import { plural } from '../format.ts';
import type { ViewHost } from './view-host.ts';

export function searchBar(app: App, host: ViewHost): TemplateResult {
  const { search } = app;
  const ranking = search.ranking;
  const ready = app.modelPhase === 'ready' && app.library.restored;
  return html`<section class="library-bar" aria-label="Find photos">
    <form
      class="photo-search"
      role="search"
      @submit=${(e: Event) => {
        e.preventDefault();
        const input = (e.currentTarget as HTMLFormElement).elements.namedItem('photo-search');
        void search.search((input as HTMLInputElement).value);
      }}
    >
      <label for="photo-search">Find photos</label>
      <input
        id="photo-search"
        name="photo-search"
        type="search"
        placeholder="e.g. pool at night"
        autocomplete="off"
        ?disabled=${!ready}
        .value=${live(search.text)}
        @focus=${() => app.wantText()}
        @input=${(e: Event) => {
          app.wantText();
          const value = (e.target as HTMLInputElement).value;
          // Clearing the box (its ✕ or deleting the words) returns to the normal view.
          if (!value.trim()) search.clear();
          else search.text = value;
          host.update();
        }}
      />
      <button type="submit" ?disabled=${!ready}>Search</button>
      <button
        type="button"
        data-action="add-query-label"
        ?disabled=${!ready || ranking?.kind !== 'search'}
        title="Keep these words as a label, scored on every photo"
        @click=${() => void search.addAsLabel()}
      >
        Add as label
      </button>
      <button
        type="button"
        data-action="duplicates"
        ?disabled=${!ready}
        @click=${() => void search.findDuplicates()}
      >
        Find near-duplicates
      </button>
    </form>
    ${
      search.busy
        ? html`<p class="muted small" role="status">Ranking…</p>`
        : ranking
          ? html`<p class="ranking-note" role="status" data-ranking=${ranking.kind}>
              ${plural(ranking.total, 'photo')} ranked by
              ${ranking.kind === 'search' ? html`match with “${ranking.query}”` : html`likeness to ${ranking.query}`},
              best first
              <span class="muted small"
                >(${ranking.kind === 'search' ? `text ${ranking.textMs.toFixed(0)} ms, ` : ''}ranking
                ${ranking.rankMs.toFixed(1)} ms)</span
              >
              <button type="button" data-action="clear-search" @click=${() => search.clear()}>
                Show all photos
              </button>
            </p>`
          : nothing
    }
  </section>`;
}
