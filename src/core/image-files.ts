/**
 * Which dropped or picked files are taken as photos. Anything an image by its type or name goes
 * to the worker, which reads its header and fails it by name when it cannot be decoded (HEIC,
 * TIFF, SVG, a damaged file); the rest is listed with the reason and never read.
 */

/** File-name endings of image formats (decodable here or not: the worker says which). */
export const IMAGE_EXTENSIONS: readonly string[] = [
  'jpg',
  'jpeg',
  'jpe',
  'jfif',
  'png',
  'apng',
  'gif',
  'webp',
  'bmp',
  'dib',
  'avif',
  'heic',
  'heif',
  'tif',
  'tiff',
  'svg',
  'jxl',
  'ico',
];

export type FileVerdict = { take: true } | { take: false; reason: string };

export function extensionOf(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

/** Decides from a file's name and MIME type (the type may be empty: browsers guess it by name). */
export function judgeInputFile(name: string, type: string): FileVerdict {
  const base = name.slice(name.lastIndexOf('/') + 1);
  if (base.startsWith('.')) return { take: false, reason: 'hidden file' };
  const ext = extensionOf(base);
  if (type.startsWith('image/') || IMAGE_EXTENSIONS.includes(ext)) return { take: true };
  if (type !== '') return { take: false, reason: `not an image (${type})` };
  if (ext !== '') return { take: false, reason: `not an image (.${ext} file)` };
  return { take: false, reason: 'not an image (unknown file type)' };
}
