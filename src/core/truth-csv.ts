import { MumicError } from './errors.ts';

export interface TruthRow {
  file: string;
  labels: string[];
}

/**
 * Ground truth for `mumic eval`: rows `file,label;label;...`. Fields may be double-quoted (with ""
 * for a quote) so paths and labels may contain commas. A first row `file,labels` is a header.
 */
export function parseTruthCsv(text: string): TruthRow[] {
  const rows: TruthRow[] = [];
  text
    .replace(/^\uFEFF/, '') // a spreadsheet's export (or ours) starts with a BOM
    .split(/\r?\n/)
    .forEach((line, i) => {
      if (line.trim() === '' || line.startsWith('#')) return;
      const fields = splitCsvLine(line, i + 1);
      const [file, labels = ''] = fields;
      if (fields.length > 2)
        throw bad(`line ${i + 1}: expected 2 fields (file,labels), found ${fields.length}`);
      if (!file) throw bad(`line ${i + 1}: the file field is empty`);
      if (rows.length === 0 && file.toLowerCase() === 'file') return;
      rows.push({
        file,
        labels: labels
          .split(';')
          .map((l) => l.trim())
          .filter((l) => l !== ''),
      });
    });
  if (rows.length === 0) throw bad('the truth file has no rows');
  return rows;
}

function splitCsvLine(line: string, lineNo: number): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      out.push(field);
      field = '';
    } else field += c;
  }
  if (quoted) throw bad(`line ${lineNo}: unterminated quote`);
  out.push(field);
  return out.map((f) => f.trim());
}

function bad(message: string): MumicError {
  return new MumicError('InvalidArgument', `truth CSV: ${message}`);
}
