/**
 * Keywords embedded in a photo, read with exifr (browser and Node alike): XMP (dc:subject,
 * lr:hierarchicalSubject, digiKam:TagsList), IPTC Keywords and EXIF XPKeywords (Windows).
 */
import exifr from 'exifr';
import { MumicError, toErrorInfo, type ErrorInfo } from '../errors.ts';
import { emptyLists, type KeywordLists } from './namespaces.ts';

export interface EmbeddedKeywords extends KeywordLists {
  /** IPTC IIM Keywords. */
  readonly iptc: string[];
  /** EXIF XPKeywords (Windows Explorer's "Tags"), split at ';'. */
  readonly exif: string[];
}

const OPTIONS = {
  // Only the blocks that can hold keywords; mergeOutput false keeps namespaces apart.
  tiff: true,
  exif: false,
  gps: false,
  interop: false,
  ifd1: false,
  iptc: true,
  xmp: true,
  icc: false,
  jfif: false,
  ihdr: false,
  makerNote: false,
  userComment: false,
  mergeOutput: false,
  silentErrors: true,
} as const;

type Block = Record<string, unknown> | undefined;

/** exifr gives one value as itself and several as an array; numbers-looking keywords as numbers. */
const strings = (value: unknown): string[] =>
  value === undefined || value === null
    ? []
    : (Array.isArray(value) ? value : [value]).map((v) => String(v).trim()).filter((v) => v);

/** A photo's embedded keywords, or why they could not be read. */
export type KeywordsRead = { keywords: EmbeddedKeywords } | { error: ErrorInfo };

/**
 * Reads the keywords of a photo's bytes. A file exifr cannot parse at all (not JPEG, PNG, TIFF,
 * HEIC, AVIF, WebP…) has none; a damaged metadata block is a MetadataUnreadable error.
 */
export async function readEmbeddedKeywords(
  bytes: ArrayBuffer | Uint8Array,
  fileName: string,
): Promise<EmbeddedKeywords> {
  let out: Record<string, Block> | undefined;
  try {
    out = (await exifr.parse(bytes as ArrayBuffer, OPTIONS)) as Record<string, Block> | undefined;
  } catch (cause) {
    const message = (cause as Error).message ?? String(cause);
    if (/unknown file format/i.test(message)) return { ...emptyLists(), iptc: [], exif: [] };
    throw new MumicError('MetadataUnreadable', `${fileName}: ${message}`, { cause });
  }
  return {
    subject: strings(out?.['dc']?.['subject']),
    hierarchicalSubject: strings(out?.['lr']?.['hierarchicalSubject']),
    tagsList: strings(out?.['digiKam']?.['TagsList']),
    iptc: strings(out?.['iptc']?.['Keywords']).map(utf8IfEncoded),
    exif: strings(out?.['ifd0']?.['XPKeywords']).flatMap((k) =>
      k
        .split(';')
        .map((s) => s.trim())
        .filter((s) => s),
    ),
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * exifr decodes IPTC text as Latin-1, but most tools write UTF-8 (exiftool, Lightroom, digiKam).
 * Text whose Latin-1 bytes are valid UTF-8 with a multi-byte sequence is taken as UTF-8: real
 * Latin-1 text almost never is ("Ã©" for "é" would need two unlikely letters in a row).
 */
function utf8IfEncoded(text: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[\u0080-\u00ff]/.test(text) || /[^\u0000-\u00ff]/.test(text)) return text;
  try {
    return utf8.decode(Uint8Array.from(text, (c) => c.charCodeAt(0)));
  } catch {
    return text;
  }
}

/** readEmbeddedKeywords whose error is its result (the app reads them beside a photo's decode). */
export async function keywordsOf(bytes: Uint8Array, fileName: string): Promise<KeywordsRead> {
  try {
    return { keywords: await readEmbeddedKeywords(bytes, fileName) };
  } catch (error) {
    return { error: toErrorInfo(error) };
  }
}
