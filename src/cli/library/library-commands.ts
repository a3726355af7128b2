import { duplicatesCommand } from '../commands/duplicates.ts';
import { indexCommand } from '../commands/index-library.ts';
import { searchCommand } from '../commands/search.ts';
import { similarCommand } from '../commands/similar.ts';

// Registered in main.ts with one spread, so other commands' edits there do not collide.
export const LIBRARY_COMMANDS = {
  index: {
    summary: 'build or update a photo library (embeddings.npy, photos.jsonl)',
    run: indexCommand,
  },
  search: { summary: "rank a library's photos by a text", run: searchCommand },
  similar: { summary: 'rank a library by image-image cosine with a photo', run: similarCommand },
  duplicates: {
    summary: "group a library's near-duplicates and exact copies",
    run: duplicatesCommand,
  },
};
