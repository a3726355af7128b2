/** Keywords to labels: by name, case-insensitively, the leaf of a hierarchical keyword. */
import type { Label } from '../labels/index.ts';
import { keywordKey, uniqueKeywords } from './keyword-paths.ts';

export interface KeywordMatch {
  /** Ids of the labels the keywords name, in label-set order. */
  readonly labelIds: string[];
  /** Keywords (leaves) that name no label, in the order met. */
  readonly unknown: string[];
}

/** Matches keyword leaves (see keywordLeaves) against the label names. */
export function matchKeywords(leaves: readonly string[], labels: readonly Label[]): KeywordMatch {
  const byName = new Map<string, string>();
  for (const l of labels) if (!byName.has(keywordKey(l.name))) byName.set(keywordKey(l.name), l.id);
  const found = new Set<string>();
  const unknown: string[] = [];
  for (const leaf of uniqueKeywords(leaves)) {
    const id = byName.get(keywordKey(leaf));
    if (id === undefined) unknown.push(leaf);
    else found.add(id);
  }
  return { labelIds: labels.filter((l) => found.has(l.id)).map((l) => l.id), unknown };
}
