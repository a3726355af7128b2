/** The keywords one label becomes, and the label name a keyword stands for. */
import type { Label } from '../labels/index.ts';
import { emptyLists, type KeywordLists } from './namespaces.ts';

export const DEFAULT_KEYWORD_ROOT = 'mumic';

// The separators of the two hierarchies: inside a name they would split it into more levels.
const LR_SEPARATOR = '|';
const DIGIKAM_SEPARATOR = '/';

const part = (text: string, separator: string): string => text.split(separator).join(' ');

/**
 * The keyword lists for a set of labels: the name in dc:subject, `root|category|name` in
 * lr:hierarchicalSubject and `root/category/name` in digiKam:TagsList (no root level when
 * `root` is empty). A separator inside a name or category becomes a space there.
 */
export function labelKeywords(
  labels: readonly Pick<Label, 'name' | 'category'>[],
  root: string = DEFAULT_KEYWORD_ROOT,
): KeywordLists {
  const lists = emptyLists();
  for (const { name, category } of labels) {
    const path = [root, category, name].filter((p) => p.trim() !== '');
    lists.subject.push(name);
    lists.hierarchicalSubject.push(path.map((p) => part(p, LR_SEPARATOR)).join(LR_SEPARATOR));
    lists.tagsList.push(path.map((p) => part(p, DIGIKAM_SEPARATOR)).join(DIGIKAM_SEPARATOR));
  }
  return lists;
}

/** The leaf of a hierarchical keyword ("a|b|c" and "a/b/c" give "c"; "Pool" gives "Pool"). */
export function keywordLeaf(keyword: string, separators: string = LR_SEPARATOR): string {
  let leaf = keyword;
  for (const s of separators) leaf = leaf.slice(leaf.lastIndexOf(s) + 1);
  return leaf.trim();
}

/** Leaves of every list (hierarchies split at their own separator), deduplicated, in order. */
export function keywordLeaves(lists: Partial<KeywordLists>): string[] {
  const leaves = [
    ...(lists.subject ?? []).map((k) => k.trim()),
    ...(lists.hierarchicalSubject ?? []).map((k) => keywordLeaf(k, LR_SEPARATOR)),
    ...(lists.tagsList ?? []).map((k) => keywordLeaf(k, DIGIKAM_SEPARATOR)),
  ];
  return uniqueKeywords(leaves);
}

/** Keeps the first of keywords equal but for case; drops empty ones. */
export function uniqueKeywords(keywords: Iterable<string>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const k of keywords) {
    const key = keywordKey(k);
    if (key === '' || seen.has(key)) continue;
    seen.add(key);
    out.push(k);
  }
  return out;
}

/** Case- and Unicode-form-insensitive comparison key of a keyword. */
export const keywordKey = (keyword: string): string =>
  keyword.normalize('NFKC').trim().toLowerCase();
