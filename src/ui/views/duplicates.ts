// The near-duplicates view: the groups the worker found at a threshold (adjustable), each with its
// photos, the one to keep chosen (the reference at first), and "keep one, remove the others".
// Groups are drawn a page at a time ("Show more groups"): 10,000 photos can make thousands of
// groups, and drawing them all at once (a tile and a choice per photo) stalled the page.
import { html, nothing, type TemplateResult } from 'lit-html';
import { live } from 'lit-html/directives/live.js';
import type { App } from '../app.ts';
import { plural } from '../format.ts';
import type { DuplicateGroupView } from '../state/search-state.ts';
import { photoTile } from './tile.ts';
import type { ViewHost } from './view-host.ts';

/** Groups drawn per page: a few dozen tiles, drawn in one short render. */
export const GROUPS_PER_PAGE = 12;

export class DuplicatesView {
  /** The photo to keep per group (its reference until the person picks another). */
  private readonly keep = new WeakMap<DuplicateGroupView, string>();
  /** Groups drawn, and the grouping they were counted for (a new grouping starts again). */
  private shown = GROUPS_PER_PAGE;
  private shownFor: string | undefined;

  constructor(
    private readonly app: App,
    private readonly host: ViewHost,
    private readonly openDetail: (key: number) => void,
  ) {}

  render(): TemplateResult | typeof nothing {
    const { search } = this.app;
    const found = search.duplicates;
    if (!found) return nothing;
    const groups = found.groups.filter((g) => search.groupPhotos(g).length > 1);
    // Keeping one in a group leaves the others drawn; grouping again starts from the top.
    const grouping = [found.minCosine, found.elapsedMs];
    if (JSON.stringify(grouping) !== this.shownFor) {
      this.shownFor = JSON.stringify(grouping);
      this.shown = GROUPS_PER_PAGE;
    }
    const more = Math.min(GROUPS_PER_PAGE, groups.length - this.shown);
    return html`<section class="duplicates" aria-labelledby="duplicates-title">
      <div class="results-head">
        <h2 id="duplicates-title">Near-duplicates <span class="count">${groups.length}</span></h2>
        <button
          type="button"
          data-action="close-duplicates"
          @click=${() => search.closeDuplicates()}
        >
          Close
        </button>
      </div>
      <form
        class="toolbar"
        @submit=${(e: Event) => {
          e.preventDefault();
          const input = (e.currentTarget as HTMLFormElement).elements.namedItem('duplicate-cosine');
          const value = Number((input as HTMLInputElement).value);
          if (value > 0 && value <= 1) void search.findDuplicates(value);
        }}
      >
        <label for="duplicate-cosine">Same photo when the cosine is at least</label>
        <input
          id="duplicate-cosine"
          name="duplicate-cosine"
          type="number"
          min="0.5"
          max="1"
          step="0.005"
          .value=${live(String(found.minCosine))}
        />
        <button type="submit">Group again</button>
        <span class="muted small"
          >${plural(groups.length, 'group')} in ${found.elapsedMs.toFixed(0)} ms; exact copies
          always group.</span
        >
      </form>
      ${
        groups.length === 0
          ? html`<p class="empty">No near-duplicates at this threshold.</p>`
          : groups.slice(0, this.shown).map((g) => this.group(g))
      }
      ${
        more > 0
          ? html`<button
              type="button"
              class="more"
              data-action="more-groups"
              @click=${() => {
                this.shown += GROUPS_PER_PAGE;
                this.host.update();
              }}
            >
              Show ${plural(more, 'more group')} of ${groups.length - this.shown}
            </button>`
          : nothing
      }
    </section>`;
  }

  private group(group: DuplicateGroupView): TemplateResult {
    const { app } = this;
    const photos = app.search.groupPhotos(group);
    const keepId = this.keep.get(group) ?? photos[0]?.id ?? '';
    const name = `keep-${group.ids[0] ?? ''}`;
    return html`<div class="duplicate-group" data-duplicate-group=${group.ids[0] ?? ''}>
      <ul class="grid" aria-label="Photos of this group">
        ${photos.map((p) => photoTile(app, p, this.openDetail))}
      </ul>
      <fieldset class="keep-choice">
        <legend>Keep</legend>
        ${photos.map((p) => {
          const cosine = group.cosines[group.ids.indexOf(p.id ?? '')] ?? 0;
          return html`<label data-cosine=${String(cosine)}
            ><input
              type="radio"
              name=${name}
              value=${p.id ?? ''}
              .checked=${live(p.id === keepId)}
              @change=${() => {
                this.keep.set(group, p.id ?? '');
                this.host.update();
              }}
            />
            ${p.name} <span class="muted small">(cosine ${cosine.toFixed(4)})</span></label
          >`;
        })}
      </fieldset>
      <button
        type="button"
        class="danger"
        data-action="keep-one"
        @click=${() => void app.search.keepOne(group, keepId)}
      >
        Keep the chosen one, remove ${plural(photos.length - 1, 'other')}
      </button>
    </div>`;
  }
}
