import { dirname, isAbsolute, join } from 'node:path';
import type { ErrorInfo } from '../core/errors.ts';
import { MumicError } from '../core/errors.ts';
import { labelId, type Label } from '../core/labels/index.ts';
import { parseTruthCsv } from '../core/truth-csv.ts';
import { readOptionFile } from './args.ts';
import { embedFiles, type LoadedModel } from './load-model.ts';

/** The photos of a truth set that could be embedded, with their label ids. */
export interface TruthSet {
  /** [photos × dim], only the photos that decoded. */
  embeddings: Float32Array;
  /** Label ids present per embedded photo, aligned with the rows of `embeddings`. */
  photoLabels: string[][];
  /** Labels whose absence from a photo is known (a truth CSV: all; keywords: those declared). */
  complete: ReadonlySet<string>;
  files: string[];
  errors: { file: string; error: ErrorInfo }[];
  /** What the command reports besides its metrics (keywords: unknown ones, skipped photos). */
  notes: Record<string, unknown>;
}

/** Where the truth comes from, checked before the model is loaded. */
export type TruthSource =
  { kind: 'csv'; file: string } | { kind: 'keywords'; paths: string[]; complete: string | null };

export function truthSource(
  values: { truth?: string; 'truth-from'?: string; 'complete-labels'?: string },
  positionals: readonly string[],
): TruthSource {
  const from = values['truth-from'];
  if (from === undefined) {
    if (!values.truth) throw new MumicError('InvalidArgument', '--truth FILE.csv is required');
    if (values['complete-labels'] !== undefined) {
      throw new MumicError('InvalidArgument', '--complete-labels needs --truth-from keywords');
    }
    return { kind: 'csv', file: values.truth };
  }
  if (from !== 'keywords') {
    throw new MumicError('InvalidArgument', `--truth-from must be "keywords", not "${from}"`);
  }
  if (values.truth !== undefined) {
    throw new MumicError('InvalidArgument', 'give --truth or --truth-from, not both');
  }
  if (positionals.length === 0) {
    throw new MumicError('InvalidArgument', '--truth-from keywords needs photos or folders');
  }
  return { kind: 'keywords', paths: [...positionals], complete: values['complete-labels'] ?? null };
}

/** Reads the truth of `source` and embeds its photos. */
export async function embedTruth(
  model: LoadedModel,
  source: TruthSource,
  labels: readonly Label[],
): Promise<TruthSet> {
  if (source.kind === 'csv') return embedTruthSet(model, source.file, labels);
  const spec =
    source.complete === null || source.complete === 'all'
      ? source.complete
      : await readOptionFile(source.complete, 'InvalidArgument');
  // Loaded when used: exifr and the XML parser cost every other command a second of start-up.
  const { keywordTruth } = await import('./keyword-truth.ts');
  const truth = await keywordTruth(source.paths, labels, spec);
  const set = await embedLabelled(model, truth.files, truth.files, truth.photoLabels, 'the PATHs');
  return {
    ...set,
    complete: truth.complete,
    errors: [...truth.errors, ...set.errors],
    notes: truth.notes,
  };
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
  const names = rows.map((r) => r.file);
  const set = await embedLabelled(model, paths, names, wanted, truthPath);
  return { ...set, complete: new Set(labels.map((l) => l.id)), notes: {} };
}

/** Embeds photos `paths` (reported as `names`) and keeps the label ids of those that decode. */
async function embedLabelled(
  model: LoadedModel,
  paths: readonly string[],
  names: readonly string[],
  wanted: readonly string[][],
  source: string,
): Promise<Omit<TruthSet, 'complete' | 'notes'>> {
  const dim = model.info.projectionDim;
  const embeddings = new Float32Array(paths.length * dim);
  const set = {
    embeddings,
    photoLabels: [] as string[][],
    files: [] as string[],
    errors: [] as TruthSet['errors'],
  };
  for await (const outcomes of embedFiles(model, paths)) {
    for (const o of outcomes) {
      const file = names[o.index] ?? '';
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
    throw new MumicError('InvalidArgument', `no photo of ${source} could be read`);
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
