import { rankByVector } from '../../core/library/rank.ts';
import { storeMatrix } from '../../core/library/stored-matrix.ts';
import { DTYPE_HELP, MODEL_HELP, parseCommand } from '../args.ts';
import { labelMatrix, templatesOf } from '../label-options.ts';
import { openLibraryModel, requireLibrary } from '../library/library-files.ts';
import { LIBRARY_HELP, LIBRARY_OPTIONS, cosineOut, topOf } from '../library/library-options.ts';
import { openModel } from '../load-model.ts';
import { writeLine } from '../output.ts';

export const SEARCH_HELP = `Usage: mumic search --model DIR [--dtype D] --index LIB [--template T] [--top K] TEXT...

Ranks the library's photos by the cosine between their embedding and each TEXT's (encoded once,
with the template set; no photo is re-encoded). One JSON line per TEXT, best first:
  {"query": TEXT, "results": [{"file": F, "cosine": C}, ...]}

Options:
${MODEL_HELP} (the library's model)
${DTYPE_HELP} (default: the library's)
${LIBRARY_HELP}
  --template T    prompt template with {} for the text, or an ensemble name
                  (default: "a photo of a {}."; "{}" = the text verbatim)
  -h, --help      this help`;

export async function searchCommand(argv: string[]): Promise<number> {
  const args = parseCommand(argv, SEARCH_HELP, {
    ...LIBRARY_OPTIONS,
    template: { type: 'string' },
  });
  if (!args) return 0;
  const { values, positionals } = args;
  const top = topOf(values.top);
  const templates = templatesOf(values.template);
  const library = await requireLibrary(values.index);
  const model = await openLibraryModel(library, values, (v) => openModel(v, { images: false }));
  try {
    const dim = library.matrix.dim;
    const queries = await labelMatrix(
      model,
      positionals.map((prompt) => ({ prompt })),
      templates,
    );
    const stored = storeMatrix(library.matrix);
    for (const [q, query] of positionals.entries()) {
      const ranked = rankByVector(stored, queries.subarray(q * dim, (q + 1) * dim), { top });
      await writeLine({
        query,
        results: ranked.map((r) => ({
          file: library.photos[r.index]?.file,
          cosine: cosineOut(r.score),
        })),
      });
    }
    return 0;
  } finally {
    await model.encoder.release();
  }
}
