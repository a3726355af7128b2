import { describe, expect, it } from 'vitest';
import { csvField, resultsToCsv, resultsToJson } from '../../src/core/results-export.ts';

const photos = [
  {
    file: 'a.jpg',
    labels: [
      { id: 'pool', name: 'Pool', score: 0.25, cosine: 0.24 },
      { id: 'sea-view', name: 'Sea view', score: 0.9000000357627869, cosine: 0.27 },
    ],
  },
  { file: 'broken, "really".jpg', error: { name: 'ImageDecodeFailed' as const, message: 'bad' } },
];

describe('results export', () => {
  it('writes CSV rows best first with unrounded scores and the threshold flag', () => {
    const csv = resultsToCsv(photos, 0.5);
    // A UTF-8 byte-order mark first, so Excel reads non-ASCII names as UTF-8.
    expect(csv.startsWith('\uFEFFfile,')).toBe(true);
    expect(csv.slice(1).split('\r\n')).toEqual([
      'file,label,score,above_threshold,error',
      'a.jpg,Sea view,0.9000000357627869,true,',
      'a.jpg,Pool,0.25,false,',
      '"broken, ""really"".jpg",,,,ImageDecodeFailed',
      '',
    ]);
  });

  it('keeps a spreadsheet from running a field as a formula', () => {
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a-b@c.jpg')).toBe('a-b@c.jpg');
    // Spreadsheets skip leading whitespace and a BOM, and some fold full-width signs to ASCII.
    for (const hostile of [
      ' =1+1',
      '  @SUM(A1)',
      '\uFEFF=1',
      '\u00A0=1',
      '\uFF1D1+1',
      '\uFF0B1',
      '\uFF0D1',
      '\uFF20SUM(A1)',
      '\tx',
      '\n=1',
    ]) {
      expect(csvField(hostile).replace(/^"/, '')).toMatch(/^'/);
    }
    expect(csvField('\rx')).toBe(`"'\rx"`);
  });

  it('writes JSON with one entry per photo', () => {
    const json = JSON.parse(
      resultsToJson(photos, { model: 'm', dtype: 'q8', templates: ['{}'], threshold: 0.5 }),
    ) as { photos: { file: string; labels?: { label: string; above: boolean }[] }[] };
    expect(json.photos[0]?.labels?.map((l) => [l.label, l.above])).toEqual([
      ['Sea view', true],
      ['Pool', false],
    ]);
    expect(json.photos[1]).toEqual({
      file: 'broken, "really".jpg',
      error: { name: 'ImageDecodeFailed', message: 'bad' },
    });
  });
});
