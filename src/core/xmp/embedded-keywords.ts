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
 * What exifr reads of a Blob. A JPEG keeps its metadata before its image data, so exifr reads
 * its chunks up to there (64 KB at a time; in a browser, where exifr takes Blobs), not the whole
 * file (4 MB for a 12 MP photo, on the page's thread, during a batch). Other formats may keep
 * theirs after the image (a PNG's XMP after IDAT), which exifr's chunks do not reach: whole.
 */
async function metadataOf(blob: Blob): Promise<Blob | ArrayBuffer> {
  const head = new Uint8Array(await blob.slice(0, 3).arrayBuffer());
  const jpeg = head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;
  return jpeg && typeof FileReader !== 'undefined' ? blob : blob.arrayBuffer();
}

/**
 * Reads the keywords of a photo's bytes, or of a Blob or File (see metadataOf). A file exifr
 * cannot parse at all (not JPEG, PNG, TIFF, HEIC, AVIF, WebP…) has none; a damaged metadata
 * block is a MetadataUnreadable error.
 */
export async function readEmbeddedKeywords(
  bytes: ArrayBuffer | Uint8Array | Blob,
  fileName: string,
): Promise<EmbeddedKeywords> {
  let out: Record<string, Block> | undefined;
  try {
    const input = bytes instanceof Blob ? await metadataOf(bytes) : bytes;
    out = (await exifr.parse(input as ArrayBuffer, OPTIONS)) as Record<string, Block> | undefined;
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
