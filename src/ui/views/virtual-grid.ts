// A virtualised grid of tiles for long lists (10,000 photos): only the rows near the viewport are
// in the DOM, the rest is kept as padding (tiles have one fixed size: views/grid-rows.ts). Tiles
// leaving the DOM are handed to `onLeave` (their thumbnails' object URLs are revoked); the tile
// holding focus stays drawn, so scrolling never drops keyboard focus.
import { html, type TemplateResult } from 'lit-html';
import { ref } from 'lit-html/directives/ref.js';
import { repeat } from 'lit-html/directives/repeat.js';
import { columnsOf, gridWindow, rowTop, type GridWindow } from './grid-rows.ts';
import type { ViewHost } from './view-host.ts';

/** Rows drawn above and below the viewport (Tab and short scrolls find their tiles drawn). */
const OVERSCAN_ROWS = 2;
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
  private count = 0;
  private drawnWindow: GridWindow | undefined;
  private drawn = new Map<number, T>();
  private focusedKey: number | undefined;
  private measureQueued = false;

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
    this.count = items.length;
    const w = this.window();
    this.drawnWindow = w;
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
    const size = items.length;
    // The kept tile goes before the drawn ones when it is above them, after them when below.
    const before = aside && aside.position < w.start ? [aside] : [];
    const after = aside && aside.position >= w.end ? [aside] : [];
    const entries = [
      ...before.map(({ item, position }) => ({ item, place: { position, size, aside: true } })),
      ...shown.map((item, i) => ({ item, place: { position: w.start + i, size, aside: false } })),
      ...after.map(({ item, position }) => ({ item, place: { position, size, aside: true } })),
    ];
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
        (e) => e.item.key,
        (e) => tile(e.item, e.place),
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
    this.el = undefined;
    this.drawnWindow = undefined;
  }

  private window(): GridWindow {
    const metrics = {
      count: this.count,
      cols: this.cols,
      rowHeight: this.tileHeight,
      gap: this.gap,
    };
    return gridWindow(metrics, this.viewTop, this.viewHeight, OVERSCAN_ROWS);
  }

  private attach = (el: Element | undefined): void => {
    this.el = el instanceof HTMLElement ? el : undefined;
    if (this.el) this.queueMeasure();
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

  /** Reads the grid's place in the viewport and its columns (one layout read per frame). */
  private measure(): void {
    const el = this.el;
    if (!el) return;
    const style = getComputedStyle(el);
    this.cols = columnsOf(style.gridTemplateColumns);
    this.gap = parseFloat(style.rowGap) || 0;
    const tileWidth = parseFloat(style.gridTemplateColumns) || 184;
    const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    // The 4:3 thumbnail, the text under it, the tile's border.
    this.tileHeight = Math.round((tileWidth * 3) / 4 + TILE_BODY_REM * rem + 2);
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

  /** A render that moved the focused tile's element (lit reorders by moving nodes) refocuses it. */
  private keepFocus = (): void => {
    const key = this.focusedKey;
    if (key === undefined || !this.el) return;
    // Focus is somewhere (in the grid, or moved on purpose): left there.
    const active = document.activeElement;
    if (active && active !== document.body) return;
    this.el
      .querySelector<HTMLElement>(`li[data-key="${key}"] .photo-open`)
      ?.focus({ preventScroll: true });
  };
}
