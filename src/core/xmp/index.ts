/**
 * XMP sidecars and keywords: one entry point for the CLI and the workers (the page imports the
 * modules it uses, so that exifr stays out of its bundle). Pure (no Node APIs): the caller reads
 * and writes the files.
 *
 * Writing: `labelKeywords(labels, root)` -> `planSidecar(existingTextOrNull, lists, fileName)`
 * -> write `plan.text` to `sidecarName(photo, naming)` when `plan.changed`.
 * Reading: `readSidecarKeywords(text, fileName)` and `readEmbeddedKeywords(bytes, fileName)`,
 * then `keywordLeaves(...)` -> `matchKeywords(leaves, labels)`; `photoKeywordLeaves` does both.
 */
export * from './embedded-keywords.ts';
export * from './keyword-labels.ts';
export * from './keyword-paths.ts';
export * from './keyword-truth.ts';
export {
  KEYWORD_FIELDS,
  KEYWORD_PROPERTIES,
  MUMIC_NS,
  emptyLists,
  type KeywordField,
  type KeywordLists,
} from './namespaces.ts';
export * from './sidecar-keywords.ts';
export { EMPTY_SIDECAR, planSidecar, type SidecarPlan } from './sidecar-merge.ts';
export * from './sidecar-names.ts';
