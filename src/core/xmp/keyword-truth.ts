/**
 * Keywords as ground truth. A keyword is an answer "yes"; "no" is known only for labels the
 * person declares complete (their keywording covers them), because a missing keyword usually
 * means "not tagged", not "absent".
 */
import type { FeedbackEntry } from '../adapt/index.ts';
import { MumicError } from '../errors.ts';
import { labelId, type Label } from '../labels/index.ts';
import type { EmbeddedKeywords } from './embedded-keywords.ts';
import { keywordKey, keywordLeaves, uniqueKeywords } from './keyword-paths.ts';
import type { KeywordLists } from './namespaces.ts';

/** Every keyword leaf of a photo: embedded (XMP, IPTC, EXIF) and its sidecars' (not mumic's). */
export function photoKeywordLeaves(
  embedded: EmbeddedKeywords | null,
  sidecars: readonly KeywordLists[],
): string[] {
  return uniqueKeywords([
    ...(embedded ? [...keywordLeaves(embedded), ...embedded.iptc, ...embedded.exif] : []),
    ...sidecars.flatMap((s) => keywordLeaves(s)),
  ]);
}

/**
 * The labels declared complete: 'all', or a file's lines (label names or ids, '#' comments).
 * An unknown name is an InvalidArgument error (a typo would silently add no negatives).
 */
export function parseCompleteLabels(spec: string, labels: readonly Label[]): Set<string> {
  if (spec === 'all') return new Set(labels.map((l) => l.id));
  const byKey = new Map<string, string>();
  for (const l of labels) {
    byKey.set(keywordKey(l.name), l.id);
    byKey.set(l.id, l.id);
  }
  const out = new Set<string>();
  spec.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const id = byKey.get(keywordKey(line)) ?? byKey.get(labelId(line));
    if (id === undefined) {
      throw new MumicError(
        'InvalidArgument',
        `complete labels, line ${i + 1}: unknown label "${line}"`,
      );
    }
    out.add(id);
  });
  return out;
}

/** Answers from keywords: +1 for each present label, −1 for each complete label not present. */
export function keywordFeedback(
  photoLabels: readonly (readonly string[])[],
  complete: ReadonlySet<string>,
): FeedbackEntry[] {
  const out: FeedbackEntry[] = [];
  photoLabels.forEach((present, photo) => {
    const yes = new Set(present);
    for (const label of yes) out.push({ photo, label, value: 1 });
    for (const label of complete) if (!yes.has(label)) out.push({ photo, label, value: -1 });
  });
  return out;
}
