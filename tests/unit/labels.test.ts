import { describe, expect, it } from 'vitest';
import {
  MAX_LABELS,
  appendLabels,
  makeLabel,
  DEFAULT_CATEGORY,
  DEFAULT_LABELS,
  exportLabelSetJson,
  exportLabelSetText,
  labelCategories,
  labelId,
  parseLabelSet,
  parseLabelSetJson,
  parseLabelSetText,
} from '../../src/core/labels/index.ts';
import { errorOf } from '../errors.ts';

const json = (labels: unknown, version: unknown = 1): string => JSON.stringify({ version, labels });

describe('default labels', () => {
  it('has exactly 120 labels with unique ids and names', () => {
    expect(DEFAULT_LABELS).toHaveLength(120);
    expect(new Set(DEFAULT_LABELS.map((l) => l.id)).size).toBe(120);
    expect(new Set(DEFAULT_LABELS.map((l) => l.name.toLowerCase())).size).toBe(120);
  });

  it('has non-empty fields, ids derived from names (so the text format keeps them)', () => {
    for (const l of DEFAULT_LABELS) {
      expect(l.category.trim()).not.toBe('');
      expect(l.prompt.trim()).not.toBe('');
      expect(l.id).toBe(labelId(l.name));
    }
  });

  it('groups labels in the accommodation categories', () => {
    expect(labelCategories(DEFAULT_LABELS)).toEqual([
      'Rooms',
      'Bedroom and living',
      'Bathroom',
      'Kitchen',
      'Facilities',
      'Food and drink',
      'Views',
      'Surroundings',
      'Property type',
      'Activities',
      'Other',
    ]);
  });

  it("covers the paper's headline classes", () => {
    const ids = new Set(DEFAULT_LABELS.map((l) => l.id));
    for (const id of ['bedroom', 'bathroom', 'outdoor-pool', 'sea-view', 'breakfast', 'balcony']) {
      expect(ids.has(id), id).toBe(true);
    }
  });

  it('is frozen', () => {
    expect(Object.isFrozen(DEFAULT_LABELS)).toBe(true);
    expect(Object.isFrozen(DEFAULT_LABELS[0])).toBe(true);
  });
});

describe('JSON format', () => {
  it('round-trips the defaults exactly', () => {
    expect(parseLabelSetJson(exportLabelSetJson(DEFAULT_LABELS))).toEqual(DEFAULT_LABELS);
  });

  it('fills optional fields: id from name, prompt = name, category = Custom', () => {
    expect(parseLabelSetJson(json([{ name: '  Rooftop Bar ' }]))).toEqual([
      { id: 'rooftop-bar', name: 'Rooftop Bar', prompt: 'Rooftop Bar', category: DEFAULT_CATEGORY },
    ]);
  });

  it('keeps non-Latin names and makes ids from them', () => {
    const [label] = parseLabelSetJson(json([{ name: 'Piscine extérieure' }, { name: '露天风呂' }]));
    expect(label?.id).toBe('piscine-extérieure');
    expect(parseLabelSetJson(json([{ name: '露天风呂' }]))[0]?.id).toBe('露天风呂');
  });

  it('accepts a byte-order mark', () => {
    expect(parseLabelSetJson(`\uFEFF${json([{ name: 'Pool' }])}`)).toHaveLength(1);
  });

  const rejects: [string, string, RegExp][] = [
    ['not JSON', '{"version": 1, "labels": [', /not valid JSON/],
    ['an array', '[]', /expected a JSON object/],
    ['wrong version', json([{ name: 'Pool' }], 2), /"version" must be 1/],
    ['missing version', JSON.stringify({ labels: [{ name: 'Pool' }] }), /"version" must be 1/],
    ['labels not an array', json({ name: 'Pool' }), /"labels" must be an array/],
    ['no labels', json([]), /no labels/],
    ['a label that is a string', json(['Pool']), /labels\[0\] must be an object/],
    ['an empty name', json([{ name: '' }]), /labels\[0\]: name is empty/],
    ['a blank name', json([{ name: '   ' }]), /labels\[0\]: name is empty/],
    ['a missing name', json([{ prompt: 'pool' }]), /labels\[0\]: name is missing/],
    ['a numeric name', json([{ name: 7 }]), /name must be a string/],
    ['an empty prompt', json([{ name: 'Pool', prompt: '' }]), /prompt is empty/],
    ['an unknown field', json([{ name: 'Pool', promt: 'x' }]), /unknown field "promt"/],
    ['an unknown top-level field', JSON.stringify({ version: 1, labels: [], x: 1 }), /"x"/],
    ['a bad id', json([{ id: 'Pool Bar', name: 'Pool' }]), /id "Pool Bar" must be/],
    ['a newline in a name', json([{ name: 'Pool\nBar' }]), /control character/],
    ['a huge name', json([{ name: 'x'.repeat(301) }]), /longer than 300/],
    ['a name with no letters', json([{ name: '!!!' }]), /cannot make an id/],
    [
      'duplicate ids',
      json([
        { id: 'pool', name: 'Pool' },
        { id: 'pool', name: 'Swimming pool' },
      ]),
      /labels\[1\]: duplicate id "pool" \(also labels\[0\]\)/,
    ],
    [
      'duplicate derived ids',
      json([{ name: 'Sea view' }, { name: 'Sea-view' }]),
      /duplicate id "sea-view"/,
    ],
    [
      'names differing only in case and spacing',
      json([
        { id: 'a', name: 'Sea view' },
        { id: 'b', name: 'sea  VIEW' },
      ]),
      /duplicate name/,
    ],
  ];
  it.each(rejects)('rejects %s with InvalidLabelSet', (_what, text, reason) => {
    const error = errorOf(() => parseLabelSetJson(text));
    expect(error.name).toBe('InvalidLabelSet');
    expect(error.message).toMatch(reason);
  });
});

describe('text format', () => {
  it('round-trips the defaults exactly (prompts after "|", categories before ":")', () => {
    const text = exportLabelSetText(DEFAULT_LABELS);
    expect(text).toContain('Views: Sea view | view of the sea\n');
    expect(text).toContain('Rooms: Bedroom | bedroom\n');
    expect(parseLabelSetText(text)).toEqual(DEFAULT_LABELS);
  });

  it('reads names, categories, prompts, comments, blank lines, CRLF and a BOM', () => {
    const text =
      '\uFEFF# my labels\r\n\r\nRooftop bar\r\n  # indented comment\nViews: Sea view\n' +
      'Views : Lake view | view of a calm lake \n';
    expect(parseLabelSetText(text)).toEqual([
      { id: 'rooftop-bar', name: 'Rooftop bar', prompt: 'Rooftop bar', category: 'Custom' },
      { id: 'sea-view', name: 'Sea view', prompt: 'Sea view', category: 'Views' },
      { id: 'lake-view', name: 'Lake view', prompt: 'view of a calm lake', category: 'Views' },
    ]);
  });

  it('lets a prompt contain ":" (only the part before "|" holds the category)', () => {
    expect(parseLabelSetText('Pool | pool: outdoor')[0]?.prompt).toBe('pool: outdoor');
  });

  const rejects: [string, string, RegExp][] = [
    ['an empty file', '', /no labels/],
    ['only comments', '# nothing\n\n', /no labels/],
    ['an empty name after a category', 'Pool\nViews:\n', /line 2: empty label name/],
    ['an empty category', ': Pool', /line 1: empty category/],
    ['an empty prompt', 'Pool |', /line 1: empty prompt/],
    [
      'duplicates, naming both lines',
      'Pool\n\n# x\npool',
      /line 4: duplicate id "pool" \(also line 1\)/,
    ],
  ];
  it.each(rejects)('rejects %s with InvalidLabelSet', (_what, text, reason) => {
    const error = errorOf(() => parseLabelSetText(text));
    expect(error.name).toBe('InvalidLabelSet');
    expect(error.message).toMatch(reason);
  });

  it('refuses to export what text cannot carry', () => {
    const custom = parseLabelSetJson(json([{ id: 'my-pool', name: 'Pool' }]));
    expect(errorOf(() => exportLabelSetText(custom)).name).toBe('InvalidArgument');
    const colon = parseLabelSetJson(json([{ name: 'TV: flat screen' }]));
    expect(errorOf(() => exportLabelSetText(colon)).message).toMatch(/export JSON instead/);
  });
});

describe('parseLabelSet', () => {
  it('picks the format from the file name or the first character', () => {
    const asJson = exportLabelSetJson(DEFAULT_LABELS);
    expect(parseLabelSet(asJson)).toEqual(DEFAULT_LABELS);
    expect(parseLabelSet(asJson, 'labels.txt')).toEqual(DEFAULT_LABELS);
    expect(parseLabelSet('Pool\nSpa', 'labels.txt')).toHaveLength(2);
    expect(errorOf(() => parseLabelSet('Pool', 'labels.JSON')).name).toBe('InvalidLabelSet');
  });
});

describe('the label limit (issue 10, item 7)', () => {
  const many = (n: number, prefix: string) =>
    Array.from({ length: n }, (_, i) => makeLabel({ name: `${prefix} ${i}` }));

  it('refuses an addition past the limit by name, so no stored set is ever unreadable', () => {
    const full = many(MAX_LABELS, 'label');
    expect(errorOf(() => appendLabels(full, many(1, 'extra'))).name).toBe('TooManyLabels');
    expect(errorOf(() => appendLabels(many(9_999, 'a'), many(2, 'b'))).message).toMatch(
      /9999 labels already; adding 2/,
    );
    expect(appendLabels(many(9_999, 'a'), many(1, 'b'))).toHaveLength(MAX_LABELS);
  });

  it('a file past the limit is refused with the same name', () => {
    const text = Array.from({ length: MAX_LABELS + 1 }, (_, i) => `label ${i}`).join('\n');
    expect(errorOf(() => parseLabelSetText(text)).name).toBe('TooManyLabels');
  });
});
