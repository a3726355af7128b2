import { resolve } from 'node:path';
import { MumicError, toErrorInfo } from '../../core/errors.ts';
import { rankByVector, rankSimilar } from '../../core/library/rank.ts';
import { storeMatrix } from '../../core/library/stored-matrix.ts';
import type { Ranked } from '../../core/library/top-k.ts';
import { DTYPE_HELP, MODEL_HELP, parseCommand } from '../args.ts';
import { collectFiles } from '../files.ts';
import { openLibraryModel, requireLibrary } from '../library/library-files.ts';
import { LIBRARY_HELP, LIBRARY_OPTIONS, cosineOut, topOf } from '../library/library-options.ts';
import { embedFiles, openModel } from '../load-model.ts';
import { writeLine } from '../output.ts';

export const SIMILAR_HELP = `Usage: mumic similar --index LIB [--top K] [--model DIR [--dtype D]] IMAGE...

"More like this": ranks the library by image-image cosine with each IMAGE, the image itself left
out. IMAGE is a photo of the library, or any image file (then --model is needed to encode it).
One JSON line per IMAGE, best first:
  {"file": IMAGE, "results": [{"file": F, "cosine": C}, ...]}
  {"file": IMAGE, "error": {"name": ..., "message": ...}}
The exit status is 1 if any IMAGE failed.

Options:
${LIBRARY_HELP}
${MODEL_HELP} (the library's; for images not in it)
${DTYPE_HELP} (default: the library's)
  -h, --help      this help`;

export async function similarCommand(argv: string[]): Promise<number> {
  const args = parseCommand(argv, SIMILAR_HELP, LIBRARY_OPTIONS);
  if (!args) return 0;
  const { values, positionals } = args;
  const top = topOf(values.top);
  const library = await requireLibrary(values.index);
  const stored = storeMatrix(library.matrix);
  const rowOf = new Map(library.photos.map((p, i) => [p.file, i]));
  const images = await collectFiles(positionals);
  const results = new Map<string, Ranked[] | ReturnType<typeof toErrorInfo>>();
  const outside: string[] = [];
  for (const image of images) {
    const row = rowOf.get(resolve(image));
    if (row === undefined) outside.push(image);
    else results.set(image, rankSimilar(stored, row, { top }));
  }
  if (outside.length > 0 && !values.model) {
    const error = toErrorInfo(
      new MumicError('InvalidArgument', 'not in the library: give --model DIR to encode it'),
    );
    for (const image of outside) results.set(image, error);
  } else if (outside.length > 0) {
    const model = await openLibraryModel(library, values, (v) => openModel(v));
    try {
      for await (const outcomes of embedFiles(model, outside)) {
        for (const outcome of outcomes) {
          const image = outside[outcome.index] ?? '';
          if ('error' in outcome) results.set(image, outcome.error);
          else {
            // A photo never matches itself: its own path, were it in the library, is left out.
            const self = rowOf.get(resolve(image));
            results.set(
              image,
              rankByVector(stored, outcome.embedding, { top, exclude: (i) => i === self }),
            );
          }
        }
      }
    } finally {
      await model.encoder.release();
    }
  }
  let failed = 0;
  for (const image of images) {
    const result = results.get(image);
    if (!result || !Array.isArray(result)) {
      failed++;
      await writeLine({ file: image, error: result });
      continue;
    }
    await writeLine({
      file: image,
      results: result.map((r) => ({
        file: library.photos[r.index]?.file,
        cosine: cosineOut(r.score),
      })),
    });
  }
  return failed > 0 ? 1 : 0;
}
