/** Label sets: one entry point for the CLI, the app and the store. */
import { parseLabelSetJson, type Label } from './label-set.ts';
import { parseLabelSetText } from './label-text.ts';

export * from './label-set.ts';
export * from './label-text.ts';

/**
 * Reads a label-set file of either format: JSON when the file name ends in `.json` or the first
 * non-blank character is '{' (no useful text label starts with '{'), else the text format.
 */
export function parseLabelSet(text: string, fileName?: string): Label[] {
  const json =
    (fileName?.toLowerCase().endsWith('.json') ?? false) ||
    text
      .replace(/^\uFEFF/, '')
      .trimStart()
      .startsWith('{');
  return json ? parseLabelSetJson(text) : parseLabelSetText(text);
}
export * from './label-settings.ts';
