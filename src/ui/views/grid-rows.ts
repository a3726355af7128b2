// Row math of the virtualised grid (views/virtual-grid.ts): tiles have a fixed size, so which
// tiles are near the viewport, and the space above and below them, follow from the scroll
// position alone, without laying out the tiles that are not drawn.

export interface GridMetrics {
  /** Tiles in the list. */
  count: number;
  /** Tiles per row (as the CSS grid laid them out). */
  cols: number;
  /** Height of one row of tiles, in px, without the gap. */
  rowHeight: number;
  /** Gap between rows, in px. */
  gap: number;
}

export interface GridWindow {
  /** The tiles drawn: [start, end). */
  start: number;
  end: number;
  /** Space kept above and below the drawn rows, so the list keeps its full height. */
  padTop: number;
  padBottom: number;
  /** Rows in the whole list; tiles per row; a row's height plus the gap, in px. */
  rows: number;
  perRow: number;
  pitch: number;
  /**
   * Tile elements the grid keeps and reuses (views/virtual-grid.ts): more than any window at this
   * viewport height holds, so tile `i` can take element `i % slots` without two drawn tiles sharing
   * one.
   */
  slots: number;
}

/**
 * The tiles to draw for a viewport `viewHeight` high whose top is `viewTop` px below the grid's
 * top (negative while the grid starts below the viewport's top), plus `overscan` rows on each
 * side (so a scroll of a few rows, or Tab to the next tile, finds them drawn).
 */
export function gridWindow(
  { count, cols, rowHeight, gap }: GridMetrics,
  viewTop: number,
  viewHeight: number,
  overscan: number,
): GridWindow {
  const perRow = Math.max(1, Math.floor(cols));
  const pitch = Math.max(1, rowHeight + gap);
  const rows = Math.ceil(count / perRow);
  const clamp = (row: number) => Math.min(rows, Math.max(0, row));
  // At least one row is drawn (the last, when scrolled past the end), so the heights add up.
  const firstRow = Math.min(clamp(Math.floor(viewTop / pitch) - overscan), Math.max(0, rows - 1));
  const lastRow = Math.max(
    Math.min(rows, firstRow + 1),
    clamp(Math.ceil((viewTop + viewHeight) / pitch) + overscan),
  );
  return {
    start: firstRow * perRow,
    end: Math.min(count, lastRow * perRow),
    padTop: firstRow * pitch,
    padBottom: (rows - lastRow) * pitch,
    rows,
    perRow,
    pitch,
    // A window spans at most ceil(viewHeight / pitch) + 1 rows in view, plus the overscan.
    slots: perRow * (Math.ceil(Math.max(0, viewHeight) / pitch) + 2 * overscan + 2),
  };
}

/**
 * The window to draw now, on the way from `drawn` (the last one drawn, or undefined after the
 * columns or the list changed) to `target` (the rows in `view` plus overscan): every row in view
 * at once, but at most `grow` rows beyond them per side per step, so a fast scroll or a jump
 * builds only the rows it shows in one frame and the overscan in the next ones. The window stays
 * one run of whole rows (the grid places tiles by their order after the top padding).
 */
export function stepWindow(
  target: GridWindow,
  view: GridWindow,
  drawn: { start: number; end: number } | undefined,
  grow: number,
): GridWindow {
  const { perRow, pitch, rows } = target;
  const kept = drawn && {
    start: Math.max(drawn.start, target.start),
    end: Math.min(drawn.end, target.end),
  };
  // Nothing drawn is still wanted (a jump, a new list): the rows in view only.
  if (!kept || kept.start >= kept.end) return { ...view, slots: target.slots };
  const start = Math.max(target.start, Math.min(kept.start, view.start) - grow * perRow);
  // Rounded up to a row's end first: a last row drawn partly (the list has grown since) is
  // completed, so the window stays whole rows.
  const keptEnd = Math.ceil(Math.max(kept.end, view.end) / perRow) * perRow;
  const end = Math.min(target.end, keptEnd + grow * perRow);
  return {
    ...target,
    start,
    end,
    padTop: (start / perRow) * pitch,
    padBottom: (rows - Math.ceil(end / perRow)) * pitch,
  };
}

/** Offset of the row holding tile `index` from the grid's top, in px. */
export function rowTop(index: number, cols: number, rowHeight: number, gap: number): number {
  return Math.floor(index / Math.max(1, Math.floor(cols))) * (rowHeight + gap);
}

/** Columns of a CSS grid from its computed `grid-template-columns` ("184px 184px 184px"). */
export function columnsOf(template: string): number {
  const tracks = template
    .trim()
    .split(/\s+/)
    .filter((t) => /^[\d.]+px$/.test(t));
  return Math.max(1, tracks.length);
}
