/**
 * A person's feedback as the app keeps it and as a file moves it between machines. A photo is
 * named by the SHA-256 of its bytes (not its file name or path), so feedback follows the picture
 * to any machine, model or folder layout:
 *
 *   { "format": "mumic-feedback", "version": 1, "exportedAt": "<ISO 8601>",
 *     "entries": [{ "hash": "<64 hex>", "label": "<label id>", "value": 1 | -1,
 *                   "text"?: "<label prompt>", "at"?: <ms since 1970> }] }
 *
 * A malformed file is refused whole with InvalidFeedback naming the entry: importing half a file
 * would leave a person unsure what they have.
 */
import { isContentHash, type ContentHash } from '../cache-keys.ts';
import { MumicError, isRecord } from '../errors.ts';
import type { FeedbackValue } from './feedback.ts';

export const FEEDBACK_FORMAT = 'mumic-feedback';
export const FEEDBACK_VERSION = 1;
/** A bound for hostile files: a million cells is far beyond what a person clicks. */
export const MAX_FEEDBACK_ENTRIES = 1_000_000;
const MAX_LABEL = 300;

/** One known (photo, label) cell. */
export interface PhotoFeedback {
  readonly hash: ContentHash;
  /** The label id. */
  readonly label: string;
  readonly value: FeedbackValue;
  /** The label's prompt when the feedback was given (for a person reading the file). */
  readonly text?: string;
  /** When it was given, ms since 1970: on import, the later of two answers for a cell wins. */
  readonly at?: number;
}

export interface FeedbackFile {
  readonly format: typeof FEEDBACK_FORMAT;
  readonly version: typeof FEEDBACK_VERSION;
  readonly exportedAt: string;
  readonly entries: readonly PhotoFeedback[];
}

const invalid = (reason: string): MumicError => new MumicError('InvalidFeedback', reason);

/** The key of a cell: one answer per (photo content, label). */
export const feedbackCellKey = (f: Pick<PhotoFeedback, 'hash' | 'label'>): string =>
  `${f.hash}|${f.label}`;

export function serializeFeedback(
  entries: readonly PhotoFeedback[],
  exportedAt: Date = new Date(),
): string {
  const file: FeedbackFile = {
    format: FEEDBACK_FORMAT,
    version: FEEDBACK_VERSION,
    exportedAt: exportedAt.toISOString(),
    entries: entries.map((e) => ({
      hash: e.hash,
      label: e.label,
      value: e.value,
      ...(e.text === undefined ? {} : { text: e.text }),
      ...(e.at === undefined ? {} : { at: e.at }),
    })),
  };
  return `${JSON.stringify(file, null, 1)}\n`;
}

/** Checks one entry; `where` names it in the error. */
function validateFeedbackEntry(value: unknown, where: string): PhotoFeedback {
  if (!isRecord(value)) throw invalid(`${where} is not an object`);
  const { hash, label, value: v, text, at } = value;
  if (!isContentHash(hash)) throw invalid(`${where}: "hash" must be a lower-case hex SHA-256`);
  if (typeof label !== 'string' || label.length === 0 || label.length > MAX_LABEL) {
    throw invalid(`${where}: "label" must be a label id of 1 to ${MAX_LABEL} characters`);
  }
  if (v !== 1 && v !== -1) throw invalid(`${where}: "value" must be 1 or -1`);
  if (text !== undefined && (typeof text !== 'string' || text.length > MAX_LABEL)) {
    throw invalid(`${where}: "text" must be a string of at most ${MAX_LABEL} characters`);
  }
  if (at !== undefined && !(typeof at === 'number' && Number.isFinite(at) && at >= 0)) {
    throw invalid(`${where}: "at" must be a time in ms since 1970`);
  }
  return {
    hash,
    label,
    value: v,
    ...(text === undefined ? {} : { text }),
    ...(at === undefined ? {} : { at }),
  };
}

/** The entries of a feedback file's text; InvalidFeedback when anything in it is wrong. */
export function parseFeedbackFile(json: string): PhotoFeedback[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new MumicError('InvalidFeedback', `not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!isRecord(value) || value['format'] !== FEEDBACK_FORMAT) {
    throw invalid(`not a feedback file ("format" is not "${FEEDBACK_FORMAT}")`);
  }
  if (value['version'] !== FEEDBACK_VERSION) {
    throw invalid(`version ${String(value['version'])} is not supported (${FEEDBACK_VERSION} is)`);
  }
  const entries = value['entries'];
  if (!Array.isArray(entries)) throw invalid('"entries" must be an array');
  if (entries.length > MAX_FEEDBACK_ENTRIES) {
    throw invalid(`${entries.length} entries; at most ${MAX_FEEDBACK_ENTRIES} are read`);
  }
  return entries.map((e, i) => validateFeedbackEntry(e, `entries[${i}]`));
}

export interface FeedbackMerge {
  /** Every cell after the merge. */
  readonly merged: PhotoFeedback[];
  /** Cells the incoming entries added or changed (to store). */
  readonly changed: PhotoFeedback[];
  readonly added: number;
  readonly replaced: number;
  /** Incoming cells that were already there with the same answer, or older than the kept one. */
  readonly unchanged: number;
}

/**
 * Merges incoming feedback into the current one, cell by cell. For a cell on both sides the later
 * answer wins (an entry without a time counts as older than one with a time; on a tie the incoming
 * one wins, as a person importing a file expects it to take effect).
 */
export function mergeFeedback(
  current: readonly PhotoFeedback[],
  incoming: readonly PhotoFeedback[],
): FeedbackMerge {
  const cells = new Map(current.map((f) => [feedbackCellKey(f), f]));
  const changed = new Map<string, PhotoFeedback>();
  let added = 0;
  let replaced = 0;
  let unchanged = 0;
  for (const f of incoming) {
    const key = feedbackCellKey(f);
    const kept = cells.get(key);
    if (kept === undefined) {
      added++;
    } else if (kept.value === f.value || (kept.at ?? -1) > (f.at ?? -1)) {
      unchanged++;
      continue;
    } else {
      replaced++;
    }
    cells.set(key, f);
    changed.set(key, f);
  }
  return {
    merged: [...cells.values()],
    changed: [...changed.values()],
    added,
    replaced,
    unchanged,
  };
}
