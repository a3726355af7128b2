/**
 * Keywords embedded in a photo, read with exifr (browser and Node alike): XMP (dc:subject,
 * lr:hierarchicalSubject, digiKam:TagsList), IPTC Keywords and EXIF XPKeywords (Windows).
 */
import exifr from 'exifr';
import { MumicError } from '../errors.ts';
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
    iptc: strings(out?.['iptc']?.['Keywords']),
    exif: strings(out?.['ifd0']?.['XPKeywords']).flatMap((k) =>
      k
        .split(';')
        .map((s) => s.trim())
        .filter((s) => s),
    ),
  };
}
