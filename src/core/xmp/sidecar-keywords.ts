/** The keywords a sidecar holds, apart from those mumic wrote (predictions are not answers). */
import { keywordKey } from './keyword-paths.ts';
import { KEYWORD_FIELDS, emptyLists, type KeywordLists } from './namespaces.ts';
import { readSidecarDocument, valuesOf } from './sidecar-document.ts';

export interface SidecarKeywords {
  /** Keywords the person or other tools wrote, per list. */
  readonly keywords: KeywordLists;
  /** Keywords mumic wrote (recorded under its namespace and still present). */
  readonly mumic: KeywordLists;
}

/** Reads a sidecar's keyword lists; throws SidecarMalformed naming `fileName`. */
export function readSidecarKeywords(text: string, fileName: string): SidecarKeywords {
  const doc = readSidecarDocument(text, fileName);
  const all = valuesOf(doc.lists);
  const written = valuesOf(doc.records);
  const keywords = emptyLists();
  const mumic = emptyLists();
  for (const field of KEYWORD_FIELDS) {
    const mine = new Set(written[field].map(keywordKey));
    for (const k of all[field]) (mine.has(keywordKey(k)) ? mumic : keywords)[field].push(k);
  }
  return { keywords, mumic };
}
