import { describe, expect, it } from 'vitest';
import { parseTruthCsv } from '../../src/core/truth-csv.ts';
import { errorOf } from '../errors.ts';

describe('parseTruthCsv', () => {
  it('reads rows, skips a header, blank lines and comments, trims labels', () => {
    const text = 'file,labels\n# a comment\na.jpg,pool; sea view\n\nb.png,\n';
    expect(parseTruthCsv(text)).toEqual([
      { file: 'a.jpg', labels: ['pool', 'sea view'] },
      { file: 'b.png', labels: [] },
    ]);
  });

  it('accepts quoted fields with commas and doubled quotes', () => {
    expect(parseTruthCsv('"my, ""best"" photo.jpg","bed, double;pool"\r\n')).toEqual([
      { file: 'my, "best" photo.jpg', labels: ['bed, double', 'pool'] },
    ]);
  });

  it('names the line of a malformed row', () => {
    expect(errorOf(() => parseTruthCsv('a.jpg,pool,extra')).message).toMatch(/line 1/);
    expect(errorOf(() => parseTruthCsv('"a.jpg,pool')).message).toMatch(/unterminated/);
    expect(errorOf(() => parseTruthCsv(',pool')).name).toBe('InvalidArgument');
    expect(errorOf(() => parseTruthCsv('file,labels\n')).message).toMatch(/no rows/);
  });
});
