import { resolve } from 'node:path';
import { unitMatrix } from '../../core/library/matrix.ts';
import { DTYPE_HELP, MODEL_HELP, optionalNumber, parseCommand } from '../args.ts';
import { collectFiles } from '../files.ts';
import { planIndex } from '../library/index-plan.ts';
import {
  checkSameModel,
  libraryModelOf,
  readLibrary,
  writeLibrary,
  type PhotoRecord,
} from '../library/library-files.ts';
import { embedFiles, openModel } from '../load-model.ts';
import { writeLine } from '../output.ts';
import { MumicError } from '../../core/errors.ts';

export const INDEX_HELP = `Usage: mumic index --model DIR [--dtype D] --index LIB [--batch N] PATH...

Builds or updates the photo library in folder LIB from image files and folders (recursive):
  LIB/embeddings.npy   float32 [n, dim], unit rows (numpy.load reads it)
  LIB/photos.jsonl     one line per row: {"file", "sha256", "size", "mtime"}
  LIB/model.json       {"model", "dtype", "dim", "config_sha256"}
Re-running encodes only new or changed files (size, mtime, then content hash), and drops rows
whose files are gone; rows of other existing files are kept. A library made with another model
or dtype is refused (IndexMismatch). Prints a JSON line per file that failed (left out), then
  {"index": LIB, "photos": N, "encoded": E, "kept": K, "changed": C, "removed": R, "failed": F}
The exit status is 1 if any file failed.

Options:
${MODEL_HELP}
${DTYPE_HELP} (default: the library's)
  --index LIB     the library folder (made if missing)
  --batch N       images per model run (default 8)
  -h, --help      this help`;

export async function indexCommand(argv: string[]): Promise<number> {
  const args = parseCommand(argv, INDEX_HELP, {
    index: { type: 'string' },
    batch: { type: 'string' },
  });
  if (!args) return 0;
  const { values, positionals } = args;
  if (!values.index) throw new MumicError('InvalidArgument', '--index LIB is required');
  const dir = values.index;
  const batch = optionalNumber(values.batch, '--batch', 1, 1024) ?? 8;
  const library = await readLibrary(dir);
  const model = await openModel({ ...values, dtype: values.dtype ?? library?.model.dtype });
  try {
    const identity = await libraryModelOf(model);
    if (library) checkSameModel(dir, library.model, identity);
    const files = [...new Set((await collectFiles(positionals)).map((f) => resolve(f)))];
    const plan = await planIndex(library, files);
    const dim = identity.dim;

    const encoded: { record: PhotoRecord; embedding: Float32Array }[] = [];
    const paths = plan.encode.map((r) => r.file);
    for await (const outcomes of embedFiles(model, paths, batch)) {
      for (const outcome of outcomes) {
        const record = plan.encode[outcome.index];
        if (!record) continue;
        if ('error' in outcome) plan.failed.push({ file: record.file, error: outcome.error });
        else encoded.push({ record, embedding: outcome.embedding });
      }
    }
    for (const failure of plan.failed) await writeLine(failure);

    const rows = [
      ...plan.kept.map(({ record, row }) => ({
        record,
        embedding:
          library?.matrix.data.subarray(row * dim, (row + 1) * dim) ?? new Float32Array(dim),
      })),
      ...encoded,
    ].sort((a, b) => (a.record.file < b.record.file ? -1 : a.record.file > b.record.file ? 1 : 0));
    const data = new Float32Array(rows.length * dim);
    rows.forEach((r, i) => data.set(r.embedding, i * dim));
    await writeLibrary({
      dir,
      model: identity,
      photos: rows.map((r) => r.record),
      matrix: unitMatrix(data, dim),
    });
    await writeLine({
      index: dir,
      photos: rows.length,
      encoded: encoded.length,
      kept: plan.kept.length,
      changed: plan.changed,
      removed: plan.removed,
      failed: plan.failed.length,
    });
    return plan.failed.length > 0 ? 1 : 0;
  } finally {
    await model.encoder.release();
  }
}
