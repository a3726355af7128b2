// A virtualised grid of tiles for long lists (10,000 photos): only the rows near the viewport are
// in the DOM, the rest is kept as padding (tiles have one fixed size: views/grid-rows.ts). Tile
// elements are reused: tile i is drawn in element i % slots, so a scroll rebinds the elements of
// the rows that left, in place, instead of building new tiles and moving the rows that stayed
// (which laid them all out again); where the reading order cannot follow CSS placement, elements
// are bound to photos instead (SLOTTED). A frame adds the rows in view at once but the overscan a
// row per side at a time (grid-rows.ts stepWindow), so no frame builds much more than a screen
// of tiles. Tiles leaving the view are handed to `onLeave` (their thumbnails' object URLs are
// revoked); the tile holding focus stays drawn, so scrolling never drops it.
import { html, type TemplateResult } from 'lit-html';
import { ref } from 'lit-html/directives/ref.js';
import { repeat } from 'lit-html/directives/repeat.js';
import { columnsOf, gridWindow, rowTop, stepWindow, type GridWindow } from './grid-rows.ts';
import type { ViewHost } from './view-host.ts';

/** Rows drawn above and below the viewport (Tab and short scrolls find their tiles drawn). */
const OVERSCAN_ROWS = 2;
/**
 * Rows beyond the viewport added per side per frame: a jump builds the rows in view first (the
 * frame's cost is that of the tiles it adds), the overscan follows in the next frames.
 */
const GROW_ROWS = 1;
/** Height of a tile's text under its 4:3 thumbnail, in rem: fixed, so every row is as high. */
const TILE_BODY_REM = 7;

/** Where a tile sits in the whole list (for aria-posinset/-setsize), and if it is off-screen. */
export interface TilePlace {
  position: number;
  size: number;
  /** The focused tile, kept in the DOM though scrolled away (drawn out of the layout). */
  aside: boolean;
}

export class VirtualGrid<T extends { key: number }> {
  private el: HTMLElement | undefined;
  private cols = 4;
  private tileHeight = 260;
  private gap = 14;
  private viewTop = 0;
  private viewHeight = typeof innerHeight === 'number' ? innerHeight : 900;
  private items: readonly T[] = [];
  private drawnWindow: GridWindow | undefined;
  private drawn = new Map<number, T>();
  private focusedKey: number | undefined;
  private measureQueued = false;
  /** The grid's columns and tile size are read again (computed style) only after it resized. */
  private sizeStale = true;
  private readonly resized =
    typeof ResizeObserver === 'function'
      ? new ResizeObserver(() => {
          this.sizeStale = true;
          this.queueMeasure();
        })
      : undefined;

  constructor(
    private readonly host: ViewHost,
    private readonly onLeave: (item: T) => void,
  ) {
    addEventListener('scroll', this.queueMeasure, { passive: true });
    addEventListener('resize', this.queueMeasure, { passive: true });
    // A click elsewhere moves focus on purpose: the grid does not take it back.
    addEventListener('pointerdown', this.onPointerDown, { capture: true, passive: true });
  }

  render(
    items: readonly T[],
    label: string,
    tile: (item: T, place: TilePlace) => unknown,
  ): TemplateResult {
    this.items = items;
    const w = this.window();
    this.drawnWindow = w;
    const target = this.target();
    // Not all of the overscan yet: the next frame adds more.
    if (w.start !== target.start || w.end !== target.end) this.queueMeasure();
    const shown = items.slice(w.start, w.end);
    const now = new Map(shown.map((item) => [item.key, item]));
    let aside: { item: T; position: number } | undefined;
    if (this.focusedKey !== undefined && !now.has(this.focusedKey)) {
      const position = items.findIndex((item) => item.key === this.focusedKey);
      if (position >= 0) aside = { item: items[position] as T, position };
      else this.focusedKey = undefined;
    }
    if (aside) now.set(aside.item.key, aside.item);
    for (const [key, item] of this.drawn) if (!now.has(key)) this.onLeave(item);
    this.drawn = now;
    const entries = SLOTTED ? slotEntries(shown, w, aside) : keyedEntries(shown, w, aside);
    queueMicrotask(this.keepFocus);
    return html`<ul
      class="grid virtual"
      role="list"
      aria-label=${label}
      style=${`--tile-h: ${this.tileHeight}px; --tile-body: ${TILE_BODY_REM}rem; padding-top: ${w.padTop}px; padding-bottom: ${w.padBottom}px`}
      ${ref(this.attach)}
      @focusin=${this.onFocusIn}
    >
      ${repeat(
        entries,
        (e) => e.id,
        (e) => tile(e.item, { ...e.place, size: items.length }),
      )}
    </ul>`;
  }

  /** Scrolls the page so the tile at `index` is in view, and draws it now. */
  reveal(index: number): void {
    if (!this.el) return;
    const top = this.el.getBoundingClientRect().top + scrollY;
    const at = rowTop(index, this.cols, this.tileHeight, this.gap);
    scrollTo({ top: Math.max(0, top + at - this.viewHeight / 3) });
    this.measure();
    this.host.renderNow();
  }

  /** Stops listening (the grid is no longer shown). */
  detach(): void {
    for (const item of this.drawn.values()) this.onLeave(item);
    this.drawn.clear();
    this.resized?.disconnect();
    this.el = undefined;
    this.drawnWindow = undefined;
  }

  /** The rows in view plus the overscan. */
  private target(overscan = OVERSCAN_ROWS): GridWindow {
    const metrics = {
      count: this.items.length,
      cols: this.cols,
      rowHeight: this.tileHeight,
      gap: this.gap,
    };
    return gridWindow(metrics, this.viewTop, this.viewHeight, overscan);
  }

  /** What to draw now: a step from the drawn window toward the target (grid-rows.ts). */
  private window(): GridWindow {
    const target = this.target();
    const was = this.drawnWindow;
    return stepWindow(target, this.target(0), this.stillDrawn(was, target), GROW_ROWS);
  }

  /**
   * The drawn window, unless the list under it is mostly new (a search, another filter): that is
   * drawn like a jump. A reorder (sorted by score while a batch runs) keeps most of its photos,
   * and so its overscan, whose thumbnails would otherwise be released and fetched again.
   */
  private stillDrawn(was: GridWindow | undefined, target: GridWindow): GridWindow | undefined {
    if (!was || was.perRow !== target.perRow) return undefined;
    let kept = 0;
    for (let i = was.start; i < was.end; i++) {
      const item = this.items[i];
      if (item && this.drawn.has(item.key)) kept++;
    }
    return kept * 2 >= was.end - was.start ? was : undefined;
  }

  private attach = (el: Element | undefined): void => {
    const next = el instanceof HTMLElement ? el : undefined;
    if (next === this.el) return;
    this.resized?.disconnect();
    this.el = next;
    this.sizeStale = true;
    if (!next) return;
    this.resized?.observe(next);
    this.queueMeasure();
  };

  private queueMeasure = (): void => {
    if (this.measureQueued || !this.el) return;
    this.measureQueued = true;
    requestAnimationFrame(() => {
      this.measureQueued = false;
      if (!this.el?.isConnected) return;
      this.measure();
      const w = this.window();
      const was = this.drawnWindow;
      // Drawn in this frame: a frame later would show blank rows after a fast scroll.
      if (!was || w.start !== was.start || w.end !== was.end || w.padTop !== was.padTop) {
        this.host.renderNow();
      }
    });
  };

  /**
   * Reads the grid's place in the viewport (one layout read per frame), and its columns and tile
   * size when it has resized (or was just attached).
   */
  private measure(): void {
    const el = this.el;
    if (!el) return;
    if (this.sizeStale || !this.resized) {
      this.sizeStale = false;
      const style = getComputedStyle(el);
      this.cols = columnsOf(style.gridTemplateColumns);
      this.gap = parseFloat(style.rowGap) || 0;
      const tileWidth = parseFloat(style.gridTemplateColumns) || 184;
      const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
      // The 4:3 thumbnail, the text under it, the tile's border.
      this.tileHeight = Math.round((tileWidth * 3) / 4 + TILE_BODY_REM * rem + 2);
    }
    this.viewTop = -el.getBoundingClientRect().top;
    this.viewHeight = innerHeight;
  }

  private onFocusIn = (event: FocusEvent): void => {
    const li = (event.target as Element | null)?.closest<HTMLElement>('li[data-key]');
    this.focusedKey = li ? Number(li.dataset.key) : undefined;
  };

  private onPointerDown = (event: PointerEvent): void => {
    if (!this.el?.contains(event.target as Node | null)) this.focusedKey = undefined;
  };

  /**
   * Focus follows the photo, not the element: a render that gave the focused tile's element to
   * another photo (a re-sort, a filter, a removal before it, a resize: elements are bound to
   * slots) or moved it (lit reorders by moving nodes) focuses the photo's tile again. Focus moved
   * out of the grid on purpose is left there.
   */
  private keepFocus = (): void => {
    const key = this.focusedKey;
    if (key === undefined || !this.el) return;
    const active = document.activeElement;
    const inGrid = active instanceof Element && this.el.contains(active);
    if (active && active !== document.body && !inGrid) return;
    const holder = inGrid ? active.closest<HTMLElement>('li[data-key]') : null;
    if (holder && Number(holder.dataset.key) === key) return;
    this.el
      .querySelector<HTMLElement>(`li[data-key="${key}"] .photo-open`)
      ?.focus({ preventScroll: true });
  };
}

/**
 * Elements bound to slots where focus and screen readers can follow the CSS placement
 * (`reading-flow`, Chromium 137+); elsewhere bound to photos in position order, as DOM order is
 * then the reading order (a scroll moves the rows that stayed: more layout, right order).
 */
const SLOTTED = typeof CSS !== 'undefined' && CSS.supports('reading-flow', 'grid-order');

interface Entry<T> {
  /** What lit keys the element by: a slot, or the photo. */
  id: number;
  item: T;
  place: Omit<TilePlace, 'size'>;
}

/**
 * Elements stay in slot order, so a scroll never moves one (a moved element is laid out anew);
 * CSS `order` places each at its position. The kept (focused) tile stays in its slot's element;
 * a drawn tile whose slot it holds takes the spare one.
 */
function slotEntries<T>(
  shown: readonly T[],
  w: GridWindow,
  aside: { item: T; position: number } | undefined,
): Entry<T>[] {
  const slotOf = (position: number) => position % w.slots;
  const asideSlot = aside ? slotOf(aside.position) : -1;
  const entries = shown.map((item, i) => ({
    id: slotOf(w.start + i) === asideSlot ? w.slots : slotOf(w.start + i),
    item,
    place: { position: w.start + i, aside: false },
  }));
  if (aside) {
    entries.push({
      id: asideSlot,
      item: aside.item,
      place: { position: aside.position, aside: true },
    });
  }
  return entries.sort((a, b) => a.id - b.id);
}

/** Elements keyed by photo in position order; the kept tile before or after the drawn ones. */
function keyedEntries<T extends { key: number }>(
  shown: readonly T[],
  w: GridWindow,
  aside: { item: T; position: number } | undefined,
): Entry<T>[] {
  const kept = aside
    ? [{ id: aside.item.key, item: aside.item, place: { position: aside.position, aside: true } }]
    : [];
  const drawn = shown.map((item, i) => ({
    id: item.key,
    item,
    place: { position: w.start + i, aside: false },
  }));
  return aside && aside.position < w.start ? [...kept, ...drawn] : [...drawn, ...kept];
}
