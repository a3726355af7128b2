import { describe, expect, it } from 'vitest';
import {
  mergeFeedback,
  parseFeedbackFile,
  serializeFeedback,
  type PhotoFeedback,
} from '../../src/core/adapt/index.ts';
import { errorOf } from '../errors.ts';

const hash = (c: string): string => c.repeat(64);
const a: PhotoFeedback = { hash: hash('a'), label: 'pool', value: 1, text: 'pool', at: 10 };
const b: PhotoFeedback = { hash: hash('b'), label: 'pool', value: -1, at: 20 };

describe('feedback files', () => {
  it('round-trips entries, keeping only the fields it knows', () => {
    const text = serializeFeedback([a, b], new Date(0));
    expect(JSON.parse(text)).toMatchObject({ format: 'mumic-feedback', version: 1 });
    expect(parseFeedbackFile(text)).toEqual([a, b]);
  });

  it.each([
    ['{', 'not valid JSON'],
    ['{"format":"mumic-head","version":1,"entries":[]}', 'not a feedback file'],
    ['{"format":"mumic-feedback","version":2,"entries":[]}', 'version 2'],
    ['{"format":"mumic-feedback","version":1}', '"entries" must be an array'],
    [
      '{"format":"mumic-feedback","version":1,"entries":[{"hash":"x","label":"a","value":1}]}',
      'entries[0]: "hash"',
    ],
    [
      `{"format":"mumic-feedback","version":1,"entries":[{"hash":"${hash('c')}","label":"a","value":0}]}`,
      'entries[0]: "value" must be 1 or -1',
    ],
    [
      `{"format":"mumic-feedback","version":1,"entries":[{"hash":"${hash('c')}","label":"","value":1}]}`,
      'entries[0]: "label"',
    ],
  ])('refuses %s whole, naming what is wrong', (text, words) => {
    const error = errorOf(() => parseFeedbackFile(text));
    expect(error.name).toBe('InvalidFeedback');
    expect(error.message).toContain(words);
  });
});

describe('mergeFeedback', () => {
  it('adds new cells, lets the later answer win, and counts what changed', () => {
    const newer = { ...a, value: -1 as const, at: 11 };
    const older = { ...b, value: 1 as const, at: 5 };
    const fresh = { hash: hash('c'), label: 'sea-view', value: 1 as const };
    const merge = mergeFeedback([a, b], [newer, older, fresh, { ...b }]);
    expect(merge).toMatchObject({ added: 1, replaced: 1, unchanged: 2 });
    expect(merge.changed).toEqual([newer, fresh]);
    expect(merge.merged).toEqual([newer, b, fresh]);
  });

  it('takes an incoming answer without a time over a kept one without a time', () => {
    const kept = { hash: hash('d'), label: 'x', value: 1 as const };
    const merge = mergeFeedback([kept], [{ ...kept, value: -1 }]);
    expect(merge.replaced).toBe(1);
  });
});
