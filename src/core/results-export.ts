/**
 * Results as files a person can keep: CSV (one row per photo and label) and JSON (one entry per
 * photo). Scores are written unrounded; the threshold decides each row's above-threshold flag.
 */
import type { ErrorInfo } from './errors.ts';
import { sortByScore } from './score-rank.ts';

export interface ExportLabelScore {
  /** Label id. */
  readonly id: string;
  /** Display name. */
  readonly name: string;
  readonly score: number;
  readonly cosine: number;
}

export interface ExportPhoto {
  /** File name (or path inside a dropped folder). */
  readonly file: string;
  /** Every label's score (order free: exports sort best first), absent when the photo failed. */
  readonly labels?: readonly ExportLabelScore[];
  readonly error?: ErrorInfo;
}

export interface ExportMeta {
  readonly model: string;
  readonly dtype: string;
  readonly templates: readonly string[];
  readonly threshold: number;
}

function sorted(labels: readonly ExportLabelScore[]): ExportLabelScore[] {
  const byId = new Map(labels.map((l) => [l.id, l]));
  return sortByScore(labels.map((l) => ({ label: l.id, score: l.score, cosine: l.cosine }))).map(
    (s) => byId.get(s.label) as ExportLabelScore,
  );
}

/**
 * A field a spreadsheet would run as a formula: =, +, -, @ (or their full-width forms, which
 * some spreadsheets fold to ASCII) first, possibly after whitespace or a BOM, which spreadsheets
 * skip; or a tab or CR first (OWASP CSV injection).
 */
const FORMULA_START = /^[\s\uFEFF\u200B]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|^[\t\r]/;

/** Excel reads a CSV as the local code page unless it starts with a UTF-8 byte-order mark. */
export const UTF8_BOM = '\uFEFF';

/**
 * One CSV field (RFC 4180). A field that a spreadsheet would run as a formula gets a leading
 * apostrophe, so opening an export of a hostile file name runs nothing.
 */
export function csvField(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/**
 * `file,label,score,above_threshold,error`: a row per photo and label, a row per failed photo;
 * UTF-8 with a BOM, so that a spreadsheet shows non-ASCII names as they are.
 */
export function resultsToCsv(photos: readonly ExportPhoto[], threshold: number): string {
  const lines = ['file,label,score,above_threshold,error'];
  for (const photo of photos) {
    const file = csvField(photo.file);
    if (photo.error || !photo.labels) {
      lines.push(`${file},,,,${csvField(photo.error?.name ?? 'Error')}`);
      continue;
    }
    for (const l of sorted(photo.labels)) {
      lines.push(`${file},${csvField(l.name)},${String(l.score)},${l.score >= threshold},`);
    }
  }
  return `${UTF8_BOM}${lines.join('\r\n')}\r\n`;
}

/** `{ format, version, model, dtype, templates, threshold, photos: [...] }`. */
export function resultsToJson(photos: readonly ExportPhoto[], meta: ExportMeta): string {
  const out = {
    format: 'mumic-results',
    version: 1,
    model: meta.model,
    dtype: meta.dtype,
    templates: meta.templates,
    threshold: meta.threshold,
    photos: photos.map((photo) =>
      photo.error || !photo.labels
        ? { file: photo.file, error: photo.error ?? { name: 'Error', message: 'no scores' } }
        : {
            file: photo.file,
            labels: sorted(photo.labels).map((l) => ({
              label: l.name,
              id: l.id,
              score: l.score,
              above: l.score >= meta.threshold,
            })),
          },
    ),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
