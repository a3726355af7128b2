import { dirname, isAbsolute, join } from 'node:path';
import type { ErrorInfo } from '../core/errors.ts';
import { MumicError } from '../core/errors.ts';
import { labelId, type Label } from '../core/labels/index.ts';
import { parseTruthCsv } from '../core/truth-csv.ts';
import { readOptionFile } from './args.ts';
import { embedFiles, type LoadedModel } from './load-model.ts';

/** The photos of a truth CSV that could be embedded, with their label ids. */
export interface TruthSet {
  /** [photos × dim], only the photos that decoded. */
  embeddings: Float32Array;
  /** Label ids per embedded photo, aligned with the rows of `embeddings`. */
  photoLabels: string[][];
  files: string[];
  errors: { file: string; error: ErrorInfo }[];
}

/** Reads FILE.csv (rows `file,label;label`; paths relative to it) and embeds its photos. */
export async function embedTruthSet(
  model: LoadedModel,
  truthPath: string,
  labels: readonly Label[],
): Promise<TruthSet> {
  const rows = parseTruthCsv(await readOptionFile(truthPath, 'FileUnreadable'));
  const resolveLabel = labelResolver(labels);
  const wanted = rows.map((r, i) => r.labels.map((name) => resolveLabel(name, i + 1)));
  const paths = rows.map((r) => (isAbsolute(r.file) ? r.file : join(dirname(truthPath), r.file)));
  const dim = model.info.projectionDim;
  const embeddings = new Float32Array(rows.length * dim);
  const set: TruthSet = { embeddings, photoLabels: [], files: [], errors: [] };
  for await (const outcomes of embedFiles(model, paths)) {
    for (const o of outcomes) {
      const file = rows[o.index]?.file ?? '';
      if ('error' in o) {
        set.errors.push({ file, error: o.error });
        continue;
      }
      embeddings.set(o.embedding, set.files.length * dim);
      set.files.push(file);
      set.photoLabels.push(wanted[o.index] ?? []);
    }
  }
  if (set.files.length === 0) {
    throw new MumicError('InvalidArgument', `no photo of ${truthPath} could be read`);
  }
  set.embeddings = embeddings.slice(0, set.files.length * dim);
  return set;
}

/** Truth labels may be written as the label's name, its id, or anything slugging to its id. */
function labelResolver(labels: readonly Label[]): (name: string, row: number) => string {
  const byKey = new Map<string, string>();
  for (const l of labels) {
    byKey.set(l.id, l.id);
    byKey.set(l.name, l.id);
    byKey.set(labelId(l.name), l.id);
  }
  return (name, row) => {
    const id = byKey.get(name) ?? byKey.get(labelId(name));
    if (id === undefined) {
      throw new MumicError('InvalidArgument', `truth row ${row}: unknown label "${name}"`);
    }
    return id;
  };
}
