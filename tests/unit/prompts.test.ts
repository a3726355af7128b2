import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TEMPLATE,
  TEMPLATE_ENSEMBLES,
  combineEmbeddings,
  expandPrompts,
  resolveTemplates,
  templateSetKey,
} from '../../src/core/prompts.ts';
import { errorOf } from '../errors.ts';

const norm = (v: Float32Array): number => Math.hypot(...v);

describe('expandPrompts', () => {
  it('uses "a photo of a {}." by default', () => {
    expect(DEFAULT_TEMPLATE).toBe('a photo of a {}.');
    expect(expandPrompts('bedroom')).toEqual(['a photo of a bedroom.']);
  });

  it("takes a label's prompt, not its name", () => {
    const label = {
      id: 'sea-view',
      name: 'Sea view',
      prompt: 'view of the sea',
      category: 'Views',
    };
    expect(expandPrompts(label)).toEqual(['a photo of a view of the sea.']);
  });

  it('"{}" alone is the label text verbatim', () => {
    expect(expandPrompts('Sea View, at dusk', ['{}'])).toEqual(['Sea View, at dusk']);
  });

  it('expands an ensemble in template order', () => {
    const out = expandPrompts('sauna', TEMPLATE_ENSEMBLES['accommodation']);
    expect(out).toHaveLength(5);
    expect(out[0]).toBe('a photo of a sauna.');
    expect(out[1]).toBe('a hotel photo of a sauna.');
  });

  it('replaces every "{}" and keeps "$" patterns literal', () => {
    expect(expandPrompts('$& $1', ['{} and {}'])).toEqual(['$& $1 and $& $1']);
  });

  it('rejects a template without "{}" and an empty set', () => {
    expect(errorOf(() => expandPrompts('pool', ['a photo.'])).name).toBe('InvalidArgument');
    expect(errorOf(() => expandPrompts('pool', [])).name).toBe('InvalidArgument');
  });
});

describe('resolveTemplates', () => {
  it('resolves ensemble names, else takes a literal template', () => {
    expect(resolveTemplates('default')).toEqual(['a photo of a {}.']);
    expect(resolveTemplates('verbatim')).toEqual(['{}']);
    expect(resolveTemplates('accommodation')).toHaveLength(5);
    expect(resolveTemplates('an image of {}')).toEqual(['an image of {}']);
    expect(errorOf(() => resolveTemplates('nonsense')).message).toMatch(/no "\{\}"/);
    expect(errorOf(() => resolveTemplates('toString')).name).toBe('InvalidArgument');
  });
});

describe('templateSetKey', () => {
  it('is a stable, readable string', () => {
    expect(templateSetKey(['a photo of a {}.'])).toBe('tpl1:["a photo of a {}."]');
    expect(templateSetKey(['{}'])).toBe('tpl1:["{}"]');
  });

  it('ignores order (the mean does not depend on it) but counts duplicates (they weight it)', () => {
    expect(templateSetKey(['b {}', 'a {}'])).toBe(templateSetKey(['a {}', 'b {}']));
    expect(templateSetKey(['a {}', 'a {}', 'b {}'])).not.toBe(templateSetKey(['a {}', 'b {}']));
  });

  it('cannot be confused by separators inside templates', () => {
    expect(templateSetKey(['a {}","b {}'])).not.toBe(templateSetKey(['a {}', 'b {}']));
  });
});

describe('combineEmbeddings', () => {
  it('is the normalised mean of the normalised vectors', () => {
    // [3,0] → [1,0]; [0,1] → [0,1]; mean [0.5,0.5]; normalised [1/√2, 1/√2].
    // (Averaging before normalising would give [1.5,0.5] → [0.949, 0.316]: a different answer.)
    const out = combineEmbeddings([Float32Array.of(3, 0), Float32Array.of(0, 1)], 2);
    expect(out[0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(out[1]).toBeCloseTo(Math.SQRT1_2, 6);
  });

  it('of one vector is that vector normalised', () => {
    const out = combineEmbeddings([Float32Array.of(0, 3, 4)], 3);
    expect(Array.from(out)).toEqual([0, expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)]);
    expect(norm(out)).toBeCloseTo(1, 6);
  });

  it('rejects bad input with InvalidArgument', () => {
    const bad = [
      () => combineEmbeddings([], 2),
      () => combineEmbeddings([Float32Array.of(1, 0, 0)], 2),
      () => combineEmbeddings([Float32Array.of(0, 0)], 2),
      () => combineEmbeddings([Float32Array.of(Number.NaN, 1)], 2),
      () => combineEmbeddings([Float32Array.of(1, 0), Float32Array.of(-2, 0)], 2),
      () => combineEmbeddings([Float32Array.of(1, 0)], 0),
    ];
    for (const fn of bad) expect(errorOf(fn).name).toBe('InvalidArgument');
  });
});
