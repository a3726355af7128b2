/**
 * Labels: the model of a label, validation, the JSON file format and the 120 defaults.
 * Every import path ends in `toLabels`, so the rules (ids, duplicates, lengths) live in one place.
 */
import { MumicError, isRecord } from '../errors.ts';
import defaultLabelFile from './default-labels.json' with { type: 'json' };

export interface Label {
  /** Stable slug: keys stored embeddings, overrides and feedback. */
  readonly id: string;
  /** Shown to people. */
  readonly name: string;
  /** Text put into the prompt template in place of `{}`. */
  readonly prompt: string;
  /** Display group. */
  readonly category: string;
}

/** What an imported label may omit: id derives from name, prompt defaults to name. */
export interface LabelInput {
  name: string;
  id?: string;
  prompt?: string;
  category?: string;
}

export interface LabelSetFile {
  version: typeof LABEL_SET_VERSION;
  labels: Label[];
}

export const LABEL_SET_VERSION = 1;
/** Category of a label imported without one. */
export const DEFAULT_CATEGORY = 'Custom';
/** Bounds keep a hostile or mistaken file from costing unbounded text-encoder work. */
export const MAX_LABELS = 10_000;
export const MAX_FIELD_LENGTH = 300;

const ID_PATTERN = /^[\p{Ll}\p{Lo}\p{Lm}\p{N}\p{M}]+(?:-[\p{Ll}\p{Lo}\p{Lm}\p{N}\p{M}]+)*$/u;
// Control characters (newlines above all) would break the line-based text format.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;
const LABEL_KEYS = new Set(['id', 'name', 'prompt', 'category']);
const FILE_KEYS = new Set(['version', 'labels']);

const invalid = (reason: string): MumicError => new MumicError('InvalidLabelSet', reason);

/** The id a name gets when none is given: NFKC, lower case, runs of non-letters become '-'. */
export function labelId(name: string): string {
  return name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
}

function field(value: unknown, what: string, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(`${where}: ${what} must be a string`);
  const text = value.trim();
  if (text === '') throw invalid(`${where}: ${what} is empty`);
  if (text.length > MAX_FIELD_LENGTH) {
    throw invalid(`${where}: ${what} is longer than ${MAX_FIELD_LENGTH} characters`);
  }
  if (CONTROL.test(text)) throw invalid(`${where}: ${what} contains a control character`);
  return text;
}

/** One validated label; `where` names it in error messages (e.g. "labels[3]", "line 7"). */
export function makeLabel(input: LabelInput, where = 'label'): Label {
  const name = field(input.name, 'name', where);
  if (name === undefined) throw invalid(`${where}: name is missing`);
  const id = field(input.id, 'id', where) ?? labelId(name);
  if (!ID_PATTERN.test(id)) {
    throw invalid(
      input.id === undefined
        ? `${where}: cannot make an id from name "${name}"; give it an "id" in the JSON format`
        : `${where}: id "${id}" must be lower-case letters or digits joined by single '-'`,
    );
  }
  const prompt = field(input.prompt, 'prompt', where) ?? name;
  const category = field(input.category, 'category', where) ?? DEFAULT_CATEGORY;
  return Object.freeze({ id, name, prompt, category });
}

/** Validates a list as a whole: not empty, bounded, ids and names unique. */
export function toLabels(inputs: readonly LabelInput[], where: (i: number) => string): Label[] {
  if (inputs.length === 0) throw invalid('the label set has no labels');
  if (inputs.length > MAX_LABELS) {
    throw new MumicError('TooManyLabels', `${inputs.length} labels; the limit is ${MAX_LABELS}`);
  }
  const labels = inputs.map((input, i) => makeLabel(input, where(i)));
  const ids = new Map<string, number>();
  const names = new Map<string, number>();
  labels.forEach((label, i) => {
    // Names differing only in case or spacing would look identical in the UI.
    const nameKey = label.name.toLowerCase().replace(/\s+/g, ' ');
    const id = ids.get(label.id);
    if (id !== undefined) {
      throw invalid(`${where(i)}: duplicate id "${label.id}" (also ${where(id)})`);
    }
    const named = names.get(nameKey);
    if (named !== undefined) {
      throw invalid(`${where(i)}: duplicate name "${label.name}" (also ${where(named)})`);
    }
    ids.set(label.id, i);
    names.set(nameKey, i);
  });
  return labels;
}

/**
 * The set with `added` appended, or TooManyLabels when it would pass MAX_LABELS (the set is left
 * as it was): a set past the limit is refused when read back, so it must never be stored.
 */
export function appendLabels(current: readonly Label[], added: readonly Label[]): Label[] {
  const total = current.length + added.length;
  if (total > MAX_LABELS) {
    throw new MumicError(
      'TooManyLabels',
      `${current.length} labels already; adding ${added.length} would pass the limit of ${MAX_LABELS}. Remove some labels first.`,
    );
  }
  return [...current, ...added];
}

/** Validates a parsed `{ version: 1, labels: [...] }` value. */
export function labelsFromJsonValue(value: unknown): Label[] {
  if (!isRecord(value)) throw invalid('expected a JSON object { "version": 1, "labels": [...] }');
  // Unknown keys are rejected so a typo ("promt") is an error, not a silently ignored field.
  const extra = Object.keys(value).find((k) => !FILE_KEYS.has(k));
  if (extra !== undefined) throw invalid(`unknown field "${extra}" at the top level`);
  if (value['version'] !== LABEL_SET_VERSION) {
    throw invalid(
      `"version" must be ${LABEL_SET_VERSION}, got ${JSON.stringify(value['version'])}`,
    );
  }
  const list = value['labels'];
  if (!Array.isArray(list)) throw invalid('"labels" must be an array');
  const inputs = list.map((item: unknown, i): LabelInput => {
    if (!isRecord(item)) throw invalid(`labels[${i}] must be an object`);
    const unknown = Object.keys(item).find((k) => !LABEL_KEYS.has(k));
    if (unknown !== undefined) throw invalid(`labels[${i}]: unknown field "${unknown}"`);
    // Types are checked in makeLabel; the cast only names the shape.
    return item as unknown as LabelInput;
  });
  return toLabels(inputs, (i) => `labels[${i}]`);
}

/** Parses the JSON label-set format. */
export function parseLabelSetJson(text: string): Label[] {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new MumicError('InvalidLabelSet', `not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return labelsFromJsonValue(value);
}

/** Serialises labels as the JSON label-set format (all four fields, so nothing is lost). */
export function exportLabelSetJson(labels: readonly Label[]): string {
  const file: LabelSetFile = {
    version: LABEL_SET_VERSION,
    labels: labels.map(({ id, name, prompt, category }) => ({ id, name, prompt, category })),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** Categories in order of first appearance (the order the UI groups them in). */
export function labelCategories(labels: readonly Label[]): string[] {
  return [...new Set(labels.map((l) => l.category))];
}

/** The 120 accommodation-photo labels, validated once at load. */
export const DEFAULT_LABELS: readonly Label[] = Object.freeze(
  labelsFromJsonValue(defaultLabelFile),
);
