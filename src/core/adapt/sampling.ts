// Which feedback cells and photos adaptation trains and validates on (seeded: deterministic).
import type { PreparedInput } from './prepare.ts';
import { createRandom, shuffleInPlace } from './random.ts';
import type { AdaptOptions } from './train.ts';

/**
 * Caps the cells trained on per label and outcome (see AdaptOptions.maxCellsPerClass): the
 * hardest half by zero-shot cosine (highest for negatives, lowest for positives) and a seeded
 * random sample of the rest, each sampled cell weighted for the ones it stands for.
 */
export function sampleCells(
  prepared: PreparedInput,
  entries: Int32Array,
  options: AdaptOptions,
): { chosen: Int32Array; weights: Map<number, number> | null } {
  const cap = options.maxCellsPerClass;
  const { table, cos0 } = prepared;
  if (cap === null) return { chosen: entries, weights: null };
  const groups = new Map<number, number[]>();
  for (const e of Int32Array.from(entries).sort()) {
    const key = (table.label[e] ?? 0) * 2 + (table.y[e] === 1 ? 1 : 0);
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [e]);
    else list.push(e);
  }
  if (![...groups.values()].some((list) => list.length > cap)) {
    return { chosen: entries, weights: null };
  }
  const random = createRandom(options.seed + 2);
  const chosen: number[] = [];
  const weights = new Map<number, number>();
  for (const [key, list] of groups) {
    if (list.length <= cap) {
      chosen.push(...list);
      continue;
    }
    const positive = key % 2 === 1;
    const hard = [...list].sort(
      (a, b) => ((cos0[b] ?? 0) - (cos0[a] ?? 0)) * (positive ? -1 : 1) || a - b,
    );
    const keep = Math.floor(cap / 2);
    chosen.push(...hard.slice(0, keep));
    const rest = Int32Array.from(hard.slice(keep));
    shuffleInPlace(rest, random);
    const take = cap - keep;
    for (const e of rest.subarray(0, take)) {
      chosen.push(e);
      weights.set(e, rest.length / take);
    }
  }
  return { chosen: Int32Array.from(chosen).sort(), weights };
}

/** The photos of `entries` (indices into the table), split by a seeded shuffle. */
export function splitValidation(
  prepared: PreparedInput,
  entries: Int32Array,
  options: AdaptOptions,
): { train: Int32Array; validation: Int32Array; photos: number } | null {
  const { table } = prepared;
  const photos = Int32Array.from(new Set(Array.from(entries, (e) => table.photo[e] ?? 0))).sort();
  if (photos.length < Math.max(2, options.minValidationPhotos)) return null;
  shuffleInPlace(photos, createRandom(options.seed));
  const held = Math.max(1, Math.round(options.validationFraction * photos.length));
  const isHeld = new Uint8Array(prepared.numPhotos);
  for (let k = 0; k < held; k++) isHeld[photos[k] ?? 0] = 1;
  const train = entries.filter((e) => isHeld[table.photo[e] ?? 0] === 0);
  const validation = entries.filter((e) => isHeld[table.photo[e] ?? 0] === 1);
  return { train, validation, photos: held };
}
