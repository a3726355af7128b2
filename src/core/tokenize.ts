import { Tokenizer } from '@huggingface/tokenizers';
import { MumicError } from './errors.ts';
import { tokenizerSchemeOf, type TokenizerScheme } from './families/index.ts';

export { cleanText } from './families/clip.ts';

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
  /** -1 for families without a bos token (SigLIP). */
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  /** Padded, masked ids for the text tower. */
  encode(texts: readonly string[]): EncodedBatch;
  /** The real tokens of one text, [bos …] eos, truncated but not padded. */
  encodeOne(text: string): number[];
}

/**
 * A family's text tokenizer: `[bos] + pieces(clean(text))[:room] + eos`, padded with the pad id to
 * the context length (CLIP: bos, HTML unescaped; SigLIP: no bos, canonical text, padded with eos).
 * The scheme is the one tokenizer_config.json's `tokenizer_class` names (loadModelFolder fills it
 * from the model family), unless given.
 *
 * The library's post-processors add special tokens but do not truncate (tokenizer.json has
 * `truncation: null`), so they are bypassed: the piece ids come from the library without special
 * tokens, and the wrapping, truncation and padding happen here, where eos is always kept last.
 */
export function createTokenizer(
  tokenizerJson: unknown,
  tokenizerConfig: unknown,
  contextLength: number,
  scheme?: TokenizerScheme,
): ClipTokenizer {
  if (!Number.isInteger(contextLength) || contextLength < 2) {
    throw new MumicError(
      'InvalidArgument',
      `context length must be an integer >= 2, got ${contextLength}`,
    );
  }
  const config = parseTokenizerConfig(tokenizerConfig);
  const { defaults, addBos, clean } = scheme ?? tokenizerSchemeOf(config['tokenizer_class']);
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

  const idOf = (key: 'bos_token' | 'eos_token' | 'pad_token'): number => {
    const token = config[key] ?? defaults[key];
    if (token === undefined) return -1;
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
  const bosId = addBos ? idOf('bos_token') : -1;
  const eosId = idOf('eos_token');
  const padId = idOf('pad_token');
  const maxBody = contextLength - (addBos ? 2 : 1);

  const encodeOne = (text: string): number[] => {
    if (typeof text !== 'string') {
      throw new MumicError('TokenizerFailed', `expected a string, got ${typeof text}`);
    }
    let ids: number[];
    try {
      ids = tokenizer.encode(clean(text), { add_special_tokens: false }).ids;
    } catch (cause) {
      throw new MumicError(
        'TokenizerFailed',
        `could not tokenize ${JSON.stringify(text.slice(0, 80))}: ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause },
      );
    }
    const body = ids.slice(0, maxBody);
    return addBos ? [bosId, ...body, eosId] : [...body, eosId];
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
