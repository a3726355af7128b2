import { DEFAULT_DUPLICATE_COSINE, groupDuplicates } from '../../core/library/duplicates.ts';
import { optionalNumber, parse } from '../args.ts';
import { requireLibrary } from '../library/library-files.ts';
import { cosineOut } from '../library/library-options.ts';
import { writeLine } from '../output.ts';

export const DUPLICATES_HELP = `Usage: mumic duplicates --index LIB [--min-cosine C]

Groups the library's near-duplicates: photos whose image-image cosine is at least C, and exact
copies (same content hash) always. One JSON line per group:
  {"group": [{"file": F, "cosine": C}, ...]}
The first file is the reference (the photo with the most near-duplicates); every other file's
cosine is with it, best first. Each photo is in at most one group. See docs/LIBRARY.md.

Options:
  --index LIB       a library folder made by "mumic index"
  --min-cosine C    the threshold, -1..1 (default ${DEFAULT_DUPLICATE_COSINE})
  -h, --help        this help`;

export async function duplicatesCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    index: { type: 'string' },
    'min-cosine': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(`${DUPLICATES_HELP}\n`);
    return 0;
  }
  const minCosine =
    optionalNumber(values['min-cosine'], '--min-cosine', -1, 1) ?? DEFAULT_DUPLICATE_COSINE;
  const library = await requireLibrary(values.index);
  const groups = groupDuplicates(library.matrix, {
    minCosine,
    hashes: library.photos.map((p) => p.sha256),
  });
  const file = (i: number) => library.photos[i]?.file;
  for (const g of groups) {
    await writeLine({
      group: [
        { file: file(g.reference), cosine: 1 },
        ...g.members.map((m) => ({ file: file(m.index), cosine: cosineOut(m.cosine) })),
      ],
    });
  }
  return 0;
}
