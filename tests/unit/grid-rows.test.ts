// The virtualised grid's row math: the drawn tiles cover the viewport (plus overscan) and the
// space kept above and below adds up to the whole list's height, wherever it is scrolled.
import { describe, expect, it } from 'vitest';
import { columnsOf, gridWindow, rowTop, stepWindow } from '../../src/ui/views/grid-rows.ts';

const metrics = { count: 10_000, cols: 5, rowHeight: 280, gap: 20 };
const fullHeight = (rows: number) => rows * 300 - 20;
const drawnHeight = (start: number, end: number) => Math.ceil((end - start) / 5) * 300 - 20;

describe('gridWindow', () => {
  it('draws the first rows while the grid starts below the viewport', () => {
    // 500 px of it in view: rows 0 and 1, and one more.
    const w = gridWindow(metrics, -400, 900, 1);
    expect(w).toMatchObject({ start: 0, end: 15, padTop: 0, rows: 2000 });
  });

  it('draws the rows in view plus overscan, and keeps the full height', () => {
    const w = gridWindow(metrics, 30_000, 900, 2);
    // Rows 100..102 are in view (30,000 / 300 = 100; 30,900 / 300 = 103): 98..105 drawn.
    expect(w.start).toBe(98 * 5);
    expect(w.end).toBe(105 * 5);
    expect(w.padTop).toBe(98 * 300);
    expect(w.padTop + drawnHeight(w.start, w.end) + w.padBottom).toBe(fullHeight(w.rows));
  });

  it('ends at the last tile, a partly filled row', () => {
    const w = gridWindow({ ...metrics, count: 12 }, 200, 900, 1);
    expect(w).toMatchObject({ start: 0, end: 12, padTop: 0, padBottom: 0, rows: 3 });
    const past = gridWindow({ ...metrics, count: 12 }, 5_000, 900, 1);
    // Scrolled past the end: the last row is still drawn.
    expect(past).toMatchObject({ start: 10, end: 12, padTop: 600, padBottom: 0 });
  });

  it('never draws more tiles than it has slots, wherever it is scrolled', () => {
    for (const viewHeight of [300, 899, 900, 901, 2_000]) {
      for (let viewTop = -1_000; viewTop < 40_000; viewTop += 37) {
        const w = gridWindow(metrics, viewTop, viewHeight, 2);
        // Consecutive tiles modulo `slots` are distinct: each drawn tile has its own element.
        expect(w.end - w.start).toBeLessThanOrEqual(w.slots);
      }
    }
  });

  it('draws nothing of an empty list', () => {
    expect(gridWindow({ ...metrics, count: 0 }, 0, 900, 2)).toMatchObject({
      start: 0,
      end: 0,
      padTop: 0,
      padBottom: 0,
    });
  });
});

describe('stepWindow', () => {
  const at = (viewTop: number, count = 10_000) => ({
    target: gridWindow({ ...metrics, count }, viewTop, 900, 2),
    view: gridWindow({ ...metrics, count }, viewTop, 900, 0),
  });
  const height = (w: { start: number; end: number; padTop: number; padBottom: number }) =>
    w.padTop + drawnHeight(w.start, w.end) + w.padBottom;

  it('after a jump draws the rows in view, then grows by a row per side to the target', () => {
    const { target, view } = at(30_000);
    let w = stepWindow(target, view, { start: 0, end: 35 }, 1);
    // Rows 100..102 in view; the target is 98..104.
    expect([w.start, w.end]).toEqual([100 * 5, 103 * 5]);
    expect(w.slots).toBe(target.slots);
    expect(height(w)).toBe(fullHeight(w.rows));
    w = stepWindow(target, view, w, 1);
    expect([w.start, w.end]).toEqual([99 * 5, 104 * 5]);
    expect(height(w)).toBe(fullHeight(w.rows));
    w = stepWindow(target, view, w, 1);
    expect([w.start, w.end]).toEqual([target.start, target.end]);
    expect(w.padTop).toBe(target.padTop);
    expect(w.padBottom).toBe(target.padBottom);
  });

  it('keeps the drawn rows still wanted and adds the rows scrolled into view at once', () => {
    const before = at(30_000).target;
    // Scrolled down by three rows: rows 103..105 in view.
    const { target, view } = at(30_900);
    const w = stepWindow(target, view, before, 1);
    expect(w.start).toBe(target.start);
    expect(w.end).toBe(107 * 5);
    expect(height(w)).toBe(fullHeight(w.rows));
  });

  it('completes a last row drawn in part once the list has grown', () => {
    const { target, view } = at(0, 40);
    // 17 tiles drawn when the list had 17: row 3 holds two of its five.
    const w = stepWindow(target, view, { start: 0, end: 17 }, 1);
    expect(w.end % 5).toBe(0);
    expect(w.end).toBeGreaterThan(17);
    expect(height(w)).toBe(fullHeight(w.rows));
  });

  it('ends at the last tile and draws nothing of an empty list', () => {
    const { target, view } = at(200, 12);
    expect(stepWindow(target, view, undefined, 1)).toMatchObject({ start: 0, end: 12 });
    const empty = at(0, 0);
    expect(stepWindow(empty.target, empty.view, undefined, 1)).toMatchObject({ start: 0, end: 0 });
  });
});

describe('rowTop and columnsOf', () => {
  it('finds the row of a tile', () => {
    expect(rowTop(0, 5, 280, 20)).toBe(0);
    expect(rowTop(4, 5, 280, 20)).toBe(0);
    expect(rowTop(5, 5, 280, 20)).toBe(300);
    expect(rowTop(9_999, 5, 280, 20)).toBe(1999 * 300);
  });

  it('counts the tracks of a computed grid template', () => {
    expect(columnsOf('184px 184px 184.5px')).toBe(3);
    expect(columnsOf('none')).toBe(1);
  });
});
