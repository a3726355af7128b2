// PIL's own bytes for EXIF-oriented resizes (tests/pil/resize-orientation.py made the digests with
// ImageOps.exif_transpose then Image.resize): the stored pixels resized with the orientation,
// without turning them first, for all 8 orientations and every filter.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { resize, type Pixels8 } from '../../src/core/resize.ts';

interface Case {
  stored: [number, number, number, number];
  target: [number, number] | number;
  filter: number;
  sha256: string;
}
const reference = JSON.parse(
  readFileSync(new URL('../pil/resize-orientation.json', import.meta.url), 'utf8'),
) as { pil: string; cases: Case[] };

/** The script's pixels: murmur3's fmix32 of (index + seed * golden ratio), top byte. */
function pixels([width, height, channels, seed]: Case['stored']): Pixels8 {
  const data = new Uint8Array(width * height * channels);
  const add = Math.imul(seed, 0x9e3779b9);
  for (let i = 0; i < data.length; i++) {
    let h = (i + add) | 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    data[i] = h >>> 24;
  }
  return { width, height, channels, data };
}

/** The upright target size: given, or transformers' shortest-edge rule. */
function sizeFor(w: number, h: number, target: Case['target']): [number, number] {
  if (typeof target !== 'number') return target;
  return w <= h ? [target, Math.trunc((target * h) / w)] : [Math.trunc((target * w) / h), target];
}

const digest = (p: Pixels8): string =>
  createHash('sha256').update(p.data).digest('hex').slice(0, 16);

describe(`resize with an EXIF orientation: PIL ${reference.pil}'s bytes`, () => {
  test.each(reference.cases.map((c) => [c.stored.join('x'), c.target, c.filter, c] as const))(
    'stored %s to %s, filter %i, orientations 1-8',
    (_s, _t, _f, c) => {
      const src = pixels(c.stored);
      const want = c.sha256.split(' ');
      const got = want.map((_, i) => {
        const orientation = i + 1;
        const swap = orientation >= 5;
        const [w, h] = sizeFor(
          swap ? src.height : src.width,
          swap ? src.width : src.height,
          c.target,
        );
        return digest(resize(src, w, h, { filter: c.filter, orientation }));
      });
      expect(got).toEqual(want);
    },
  );
});
