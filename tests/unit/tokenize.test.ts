import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanText, createTokenizer } from '../../src/core/tokenize.ts';
import { FIXTURE_DIR, reference } from '../fixture.ts';

const readJson = (name: string): unknown =>
  JSON.parse(readFileSync(join(FIXTURE_DIR, name), 'utf8')) as unknown;
const tokenizerJson = readJson('tokenizer.json');
const tokenizerConfig = readJson('tokenizer_config.json');
const tokenizer = createTokenizer(tokenizerJson, tokenizerConfig, 77);

const texts = Object.keys(reference.texts);
const ref = (text: string) => {
  const r = reference.texts[text];
  if (!r) throw new Error(`no reference for ${text}`);
  return r;
};

describe('createTokenizer on clip-tiny', () => {
  it('has the CLIP special ids', () => {
    expect(tokenizer.bosId).toBe(49406);
    expect(tokenizer.eosId).toBe(49407);
    expect(tokenizer.padId).toBe(49407);
  });

  it('covers the edge cases the reference was built for', () => {
    expect(texts).toContain('');
    expect(texts.some((t) => t.includes('\t'))).toBe(true);
    expect(texts.some((t) => /\p{Extended_Pictographic}/u.test(t))).toBe(true);
    expect(texts.some((t) => ref(t).attention_mask.every((m) => m === 1))).toBe(true); // truncated
  });

  it.each(texts.map((t) => [JSON.stringify(t).slice(0, 60), t]))(
    'matches the reference ids and mask for %s',
    (_label, text) => {
      const { inputIds, attentionMask, batch, length } = tokenizer.encode([text]);
      expect(batch).toBe(1);
      expect(length).toBe(77);
      expect(Array.from(inputIds, Number)).toEqual(ref(text).input_ids);
      expect(Array.from(attentionMask, Number)).toEqual(ref(text).attention_mask);
      const real = ref(text).attention_mask.filter((m) => m === 1).length;
      expect(tokenizer.encodeOne(text)).toEqual(ref(text).input_ids.slice(0, real));
    },
  );

  it('encodes a batch row by row, every row padded to the context length', () => {
    const { inputIds, attentionMask, batch, length } = tokenizer.encode(texts);
    expect(batch).toBe(texts.length);
    expect(length).toBe(77);
    expect(inputIds.length).toBe(texts.length * 77);
    texts.forEach((text, row) => {
      const ids = Array.from(inputIds.subarray(row * 77, (row + 1) * 77), Number);
      const mask = Array.from(attentionMask.subarray(row * 77, (row + 1) * 77), Number);
      expect(ids).toEqual(ref(text).input_ids);
      expect(mask).toEqual(ref(text).attention_mask);
    });
  });

  it('encodes an empty batch as empty tensors', () => {
    const { inputIds, batch } = tokenizer.encode([]);
    expect(batch).toBe(0);
    expect(inputIds.length).toBe(0);
  });

  it('truncates long text to contextLength - 2 BPE tokens and keeps eos last', () => {
    const long = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
    const ids = tokenizer.encodeOne(long);
    expect(ids.length).toBe(77);
    expect(ids[0]).toBe(49406);
    expect(ids[76]).toBe(49407);
    expect(ids.slice(1, 76)).not.toContain(49407);

    const short = createTokenizer(tokenizerJson, tokenizerConfig, 8);
    const { inputIds, attentionMask, length } = short.encode([long, 'bathroom']);
    expect(length).toBe(8);
    expect(Number(inputIds[7])).toBe(49407);
    expect(Array.from(attentionMask.subarray(0, 8), Number)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(Array.from(inputIds.subarray(8, 16), Number)).toEqual(
      ref('bathroom').input_ids.slice(0, 8),
    );
  });

  it('uses the pad token of tokenizer_config.json', () => {
    const cfg = { ...(tokenizerConfig as object), pad_token: '!' };
    const t = createTokenizer(tokenizerJson, cfg, 77);
    const padId = t.padId;
    expect(padId).not.toBe(49407);
    const { inputIds } = t.encode(['bathroom']);
    expect(Array.from(inputIds.subarray(0, 4), Number)).toEqual([49406, 8470, 49407, padId]);
  });

  it('reports a bad tokenizer_config.json and a bad context length by name', () => {
    expect(() =>
      createTokenizer(tokenizerJson, { ...(tokenizerConfig as object), pad_token: '<|nope|>' }, 77),
    ).toThrow(
      expect.objectContaining({
        name: 'ModelFileInvalid',
        message: expect.stringContaining('pad_token'),
      }),
    );
    expect(() => createTokenizer(tokenizerJson, [], 77)).toThrow(
      expect.objectContaining({ name: 'ModelFileInvalid' }),
    );
    expect(() => createTokenizer({ model: {} }, tokenizerConfig, 77)).toThrow(
      expect.objectContaining({
        name: 'ModelFileInvalid',
        message: expect.stringContaining('tokenizer.json'),
      }),
    );
    expect(() => createTokenizer(tokenizerJson, tokenizerConfig, 1)).toThrow(
      expect.objectContaining({ name: 'InvalidArgument' }),
    );
  });
});

describe('basic_clean like the original CLIP tokenizer', () => {
  it('unescapes HTML entities twice, as html.unescape(html.unescape(t)) does', () => {
    expect(cleanText("kids' club &amp; playground")).toBe("kids' club & playground");
    expect(cleanText('&amp;amp; &#x41; &lt;3')).toBe('& A <3');
    expect(cleanText('cafe\u0301')).toBe('café');
  });
});
