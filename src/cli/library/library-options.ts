import { optionalNumber } from '../args.ts';

export const LIBRARY_OPTIONS = {
  index: { type: 'string' },
  top: { type: 'string' },
} as const;

export const LIBRARY_HELP = `  --index LIB     a library folder made by "mumic index"
  --top K         print the K best (default 10)`;

export const topOf = (value: string | undefined): number =>
  optionalNumber(value, '--top', 1, 1e9) ?? 10;

/** A cosine for JSON: float32 precision, as the embeddings are. */
export const cosineOut = (c: number): number => Number(c.toPrecision(7));
