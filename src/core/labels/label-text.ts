/**
 * The plain-text label-set format, for people who type a list by hand:
 *
 *   # comment            (a line whose first non-blank character is '#'; blank lines too: ignored)
 *   Sea view             (name only: category "Custom", prompt = name)
 *   Views: Sea view      (category, then name)
 *   Views: Sea view | view of the sea    (and a prompt that differs from the name)
 *
 * The first ':' ends the category and the first '|' starts the prompt, so names and categories
 * cannot contain ':' or '|' here (the JSON format can). Ids always derive from names.
 */
import { MumicError } from '../errors.ts';
import { labelId, toLabels, type Label, type LabelInput } from './label-set.ts';

interface Line {
  number: number;
  input: LabelInput;
}

const invalid = (reason: string): MumicError => new MumicError('InvalidLabelSet', reason);

function parseLine(text: string, number: number): LabelInput {
  const bar = text.indexOf('|');
  const head = bar < 0 ? text : text.slice(0, bar);
  const prompt = bar < 0 ? undefined : text.slice(bar + 1).trim();
  if (prompt === '') throw invalid(`line ${number}: empty prompt after '|'`);
  const colon = head.indexOf(':');
  const category = colon < 0 ? undefined : head.slice(0, colon).trim();
  const name = (colon < 0 ? head : head.slice(colon + 1)).trim();
  if (category === '') throw invalid(`line ${number}: empty category before ':'`);
  if (name === '') throw invalid(`line ${number}: empty label name`);
  const input: LabelInput = { name };
  if (category !== undefined) input.category = category;
  if (prompt !== undefined) input.prompt = prompt;
  return input;
}

/** Parses the text format; errors name the line. */
export function parseLabelSetText(text: string): Label[] {
  const lines: Line[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      lines.push({ number: i + 1, input: parseLine(line, i + 1) });
    });
  return toLabels(
    lines.map((l) => l.input),
    (i) => `line ${lines[i]?.number ?? '?'}`,
  );
}

/**
 * Serialises labels as text. Refuses (InvalidArgument) a set this format cannot carry exactly:
 * a custom id, or ':' / '|' in a name or category. Use JSON for those.
 */
export function exportLabelSetText(labels: readonly Label[]): string {
  const out = [
    '# mumic label set: one label per line, "Category: Name" or "Category: Name | prompt".',
    '# Blank lines and lines starting with # are ignored.',
  ];
  for (const label of labels) {
    const reason =
      label.id !== labelId(label.name)
        ? `its id "${label.id}" differs from the one its name gives`
        : /[:|]/.test(label.name) || /[:|]/.test(label.category)
          ? "its name or category contains ':' or '|'"
          : label.category.startsWith('#')
            ? "its category starts with '#'"
            : undefined;
    if (reason !== undefined) {
      throw new MumicError(
        'InvalidArgument',
        `label "${label.name}" cannot be written as text: ${reason}; export JSON instead`,
      );
    }
    const prompt = label.prompt === label.name ? '' : ` | ${label.prompt}`;
    out.push(`${label.category}: ${label.name}${prompt}`);
  }
  return `${out.join('\n')}\n`;
}
