import { Tokenizer } from '@huggingface/tokenizers';
import { MumicError } from './errors.ts';
import { decodeHTML } from 'entities';

/** A special token as tokenizer_config.json writes it: a bare string or a serialised AddedToken. */
export type SpecialToken = string | { content: string; [key: string]: unknown };

/** The keys of tokenizer_config.json this code reads; the rest passes through to the library. */
export interface TokenizerConfig {
  bos_token?: SpecialToken | null;
  eos_token?: SpecialToken | null;
  pad_token?: SpecialToken | null;
  model_max_length?: number;
  [key: string]: unknown;
}

/**
 * CLIPTokenizer's own defaults, used when tokenizer_config.json omits a token (as transformers
 * does). Original CLIP pads with 0, HF with eos; the text tower pools at the first eos, so the pad
 * id never changes an embedding, but the HF default keeps ids equal to the reference.
 */
const CLIP_DEFAULTS = {
  bos_token: '<|startoftext|>',
  eos_token: '<|endoftext|>',
  pad_token: '<|endoftext|>',
} as const;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks the shape of tokenizer_config.json; throws ModelFileInvalid naming the file and key. */
export function parseTokenizerConfig(
  json: unknown,
  file = 'tokenizer_config.json',
): TokenizerConfig {
  if (!isRecord(json)) {
    throw new MumicError('ModelFileInvalid', `${file}: expected a JSON object`);
  }
  for (const key of ['bos_token', 'eos_token', 'pad_token'] as const) {
    const v = json[key];
    const ok =
      v === undefined ||
      v === null ||
      typeof v === 'string' ||
      (isRecord(v) && typeof v['content'] === 'string');
    if (!ok) {
      throw new MumicError(
        'ModelFileInvalid',
        `${file}: ${key} must be a string or an object with a string "content"`,
      );
    }
  }
  const max = json['model_max_length'];
  if (max !== undefined && typeof max !== 'number') {
    throw new MumicError('ModelFileInvalid', `${file}: model_max_length must be a number`);
  }
  return json as TokenizerConfig;
}

export interface EncodedBatch {
  /** [batch, length] row-major, int64 as the ONNX text tower takes it. */
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  batch: number;
  /** Always the context length: the reference pads every text to it. */
  length: number;
}

export interface ClipTokenizer {
  readonly contextLength: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  /** Padded, masked ids for the text tower. */
  encode(texts: readonly string[]): EncodedBatch;
  /** The real tokens of one text, bos … eos, truncated but not padded. */
  encodeOne(text: string): number[];
}

/**
 * The CLIP text tokenizer: `bos + BPE(text)[:contextLength-2] + eos`, padded with the pad id.
 *
 * The library's RobertaProcessing post-processor adds bos/eos but has no truncation (tokenizer.json
 * has `truncation: null`), so it is bypassed: the BPE ids come from the library without special
 * tokens, and the wrapping, truncation and padding happen here, where eos is always kept last.
 */
export function createTokenizer(
  tokenizerJson: unknown,
  tokenizerConfig: unknown,
  contextLength: number,
): ClipTokenizer {
  if (!Number.isInteger(contextLength) || contextLength < 2) {
    throw new MumicError(
      'InvalidArgument',
      `context length must be an integer >= 2, got ${contextLength}`,
    );
  }
  const config = parseTokenizerConfig(tokenizerConfig);
  if (!isRecord(tokenizerJson)) {
    throw new MumicError('ModelFileInvalid', 'tokenizer.json: expected a JSON object');
  }

  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(tokenizerJson, config);
  } catch (cause) {
    throw new MumicError(
      'ModelFileInvalid',
      `tokenizer.json could not be loaded: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }

  const idOf = (key: keyof typeof CLIP_DEFAULTS): number => {
    const token = config[key] ?? CLIP_DEFAULTS[key];
    const content = typeof token === 'string' ? token : token.content;
    const id = tokenizer.token_to_id(content);
    if (id === undefined) {
      throw new MumicError(
        'ModelFileInvalid',
        `tokenizer_config.json: ${key} "${content}" is not in the vocabulary of tokenizer.json`,
      );
    }
    return id;
  };
  const bosId = idOf('bos_token');
  const eosId = idOf('eos_token');
  const padId = idOf('pad_token');
  const maxBody = contextLength - 2;

  const encodeOne = (text: string): number[] => {
    if (typeof text !== 'string') {
      throw new MumicError('TokenizerFailed', `expected a string, got ${typeof text}`);
    }
    let ids: number[];
    try {
      ids = tokenizer.encode(cleanText(text), { add_special_tokens: false }).ids;
    } catch (cause) {
      throw new MumicError(
        'TokenizerFailed',
        `could not tokenize ${JSON.stringify(text.slice(0, 80))}: ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause },
      );
    }
    return [bosId, ...ids.slice(0, maxBody), eosId];
  };

  const encode = (texts: readonly string[]): EncodedBatch => {
    const batch = texts.length;
    const length = contextLength;
    const inputIds = new BigInt64Array(batch * length).fill(BigInt(padId));
    const attentionMask = new BigInt64Array(batch * length);
    texts.forEach((text, row) => {
      const ids = encodeOne(text);
      const offset = row * length;
      for (let i = 0; i < ids.length; i++) {
        inputIds[offset + i] = BigInt(ids[i] ?? padId);
        attentionMask[offset + i] = 1n;
      }
    });
    return { inputIds, attentionMask, batch, length };
  };

  return { contextLength, bosId, eosId, padId, encode, encodeOne };
}

/**
 * The original CLIP tokenizer's basic_clean: ftfy (here NFC, as the reference does) then
 * html.unescape twice, so "&amp;" in a label means "&". tokenizer.json's normalizer has no such
 * step; `entities` decodes like Python's html.unescape (HTML5 table, legacy names without ";").
 */
export function cleanText(text: string): string {
  return decodeHTML(decodeHTML(text.normalize('NFC')));
}
