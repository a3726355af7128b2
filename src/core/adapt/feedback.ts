/**
 * Feedback: a person's "yes, this label is on this photo" (+1) or "no, it is not" (−1). Only
 * these cells are known; every other (photo, label) cell is unknown, never a negative.
 */
import { MumicError } from '../errors.ts';
import { createRandom, shuffleInPlace } from './random.ts';

export type FeedbackValue = 1 | -1;

/** One correction: `photo` indexes the rows of the cached image matrix, `label` is a label id. */
export interface FeedbackEntry {
  readonly photo: number;
  readonly label: string;
  readonly value: FeedbackValue;
}

/**
 * Feedback as parallel arrays, one row per known (photo, label) cell, sorted by label index then
 * photo, so the result of adaptation does not depend on the order the entries were given in.
 */
export interface FeedbackTable {
  readonly length: number;
  readonly photo: Int32Array;
  readonly label: Int32Array;
  /** +1 or −1. */
  readonly y: Int8Array;
}

const bad = (reason: string): MumicError => new MumicError('InvalidArgument', reason);

/**
 * Checks and indexes feedback. A later entry for the same (photo, label) replaces an earlier one
 * (a person changed their mind). Unknown label ids, photo indices out of range and values other
 * than +1/−1 are errors naming the entry: filter stale feedback before calling.
 */
export function indexFeedback(
  feedback: readonly FeedbackEntry[],
  labelIds: readonly string[],
  numPhotos: number,
): FeedbackTable {
  const column = new Map(labelIds.map((id, j) => [id, j]));
  const cells = new Map<number, number>();
  feedback.forEach((entry, k) => {
    const where = `feedback[${k}]`;
    if (typeof entry !== 'object' || entry === null) throw bad(`${where} is not an object`);
    const { photo, label, value } = entry;
    if (!Number.isInteger(photo) || photo < 0 || photo >= numPhotos) {
      throw bad(`${where}: photo index ${String(photo)} is not in 0..${numPhotos - 1}`);
    }
    const j = column.get(label);
    if (j === undefined) throw bad(`${where}: unknown label "${String(label)}"`);
    if (value !== 1 && value !== -1) {
      throw bad(`${where}: value must be 1 (label is on the photo) or -1, got ${String(value)}`);
    }
    cells.set(j * numPhotos + photo, value);
  });
  const keys = [...cells.keys()].sort((a, b) => a - b);
  const table = {
    length: keys.length,
    photo: new Int32Array(keys.length),
    label: new Int32Array(keys.length),
    y: new Int8Array(keys.length),
  };
  keys.forEach((key, e) => {
    table.label[e] = Math.floor(key / numPhotos);
    table.photo[e] = key % numPhotos;
    table.y[e] = cells.get(key) ?? 0;
  });
  return table;
}

/** The photos that carry any feedback, ascending. */
export function feedbackPhotos(table: FeedbackTable): Int32Array {
  return Int32Array.from(new Set(table.photo)).sort();
}

/**
 * Assigns every photo with feedback to one of `folds` folds: a seeded shuffle of the photos, then
 * round robin, so fold sizes differ by at most one. Splitting by photo (not by entry) keeps all
 * of a photo's feedback on one side, which is what "held-out photos" means and what GAP@k (which
 * ranks a photo's labels) needs. Returns a fold per photo index, −1 for photos without feedback.
 */
export function assignFolds(
  table: FeedbackTable,
  numPhotos: number,
  folds: number,
  seed: number,
): Int32Array {
  if (!Number.isInteger(folds) || folds < 1) throw bad(`folds must be a whole number >= 1`);
  const photos = shuffleInPlace(feedbackPhotos(table), createRandom(seed));
  const fold = new Int32Array(numPhotos).fill(-1);
  photos.forEach((photo, k) => {
    fold[photo] = k % folds;
  });
  return fold;
}
