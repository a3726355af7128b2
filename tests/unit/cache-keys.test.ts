import { describe, expect, it } from 'vitest';
import {
  STORE_SCHEMA,
  imageEmbeddingKey,
  isContentHash,
  labelEmbeddingKey,
  photoId,
  photoKey,
  photoScope,
  toHex,
} from '../../src/core/cache-keys.ts';
import { templateSetKey } from '../../src/core/prompts.ts';

const HASH = 'ab'.repeat(32);
const key = (k: readonly unknown[]): string => JSON.stringify(k);

describe('cache keys', () => {
  it('names every input of an image embedding', () => {
    const base = imageEmbeddingKey('clip-tiny', 'q8', HASH);
    expect(base).toEqual(['image', STORE_SCHEMA, 'clip-tiny', 'q8', HASH]);
    const variants = [
      imageEmbeddingKey('clip-b32', 'q8', HASH),
      imageEmbeddingKey('clip-tiny', 'fp32', HASH),
      imageEmbeddingKey('clip-tiny', 'q8', 'cd'.repeat(32)),
    ];
    for (const v of variants) expect(key(v)).not.toBe(key(base));
  });

  it('names model, text dtype, template set and prompt text of a label embedding', () => {
    const tpl = templateSetKey(['a photo of a {}.']);
    const base = labelEmbeddingKey('clip-tiny', 'q8', tpl, 'sea view');
    const variants = [
      labelEmbeddingKey('clip-b32', 'q8', tpl, 'sea view'),
      labelEmbeddingKey('clip-tiny', 'fp16', tpl, 'sea view'),
      labelEmbeddingKey('clip-tiny', 'q8', templateSetKey(['{}']), 'sea view'),
      labelEmbeddingKey('clip-tiny', 'q8', tpl, 'Sea view'),
      labelEmbeddingKey('clip-tiny', 'q8', tpl, 'sea view '),
    ];
    const all = new Set([base, ...variants].map(key));
    expect(all.size).toBe(variants.length + 1);
    // Image and label keys never collide, whatever the strings.
    expect(key(imageEmbeddingKey('clip-tiny', 'q8', HASH))).not.toBe(
      key(labelEmbeddingKey('clip-tiny', 'q8', tpl, HASH)),
    );
  });

  it('puts photos of one model and dtype under one prefix', () => {
    const scope = photoScope('clip-tiny', 'q8');
    const k = photoKey(scope, photoId(HASH, 'trip/a.jpg', 'x'));
    expect(k.slice(0, scope.length)).toEqual([...scope]);
    expect(k.at(-1)).toBe(`${HASH}:trip/a.jpg`);
    expect(photoId(undefined, 'a.jpg', '7')).toBe('unread:7:a.jpg');
  });

  it('recognises and writes SHA-256 hex', () => {
    expect(isContentHash(HASH)).toBe(true);
    expect(isContentHash(HASH.toUpperCase())).toBe(false);
    expect(isContentHash('ab')).toBe(false);
    expect(toHex(new Uint8Array([0, 15, 255]))).toBe('000fff');
    expect(toHex(new Uint8Array([1, 2]).buffer)).toBe('0102');
  });
});
