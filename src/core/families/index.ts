/** The model families, and which one a model folder belongs to. */
import { CLIP } from './clip.ts';
import type { FamilyId, ModelFamily, TokenizerScheme } from './family.ts';
import { isRecord } from './family.ts';
export { calibrationFromLogits } from './family.ts';
import { SIGLIP } from './siglip.ts';

export type {
  Calibration,
  FamilyId,
  ModelFamily,
  ModelSizes,
  TokenizerScheme,
  TowerIo,
} from './family.ts';
export { CLIP } from './clip.ts';
export { SIGLIP } from './siglip.ts';

export const FAMILIES: readonly ModelFamily[] = [CLIP, SIGLIP];

/**
 * The family of a config.json, by `model_type`. An unknown type is read as CLIP, the layout every
 * export here shares, but then it must state its sizes (CLIP's defaults are not assumed).
 */
export function familyOfConfig(config: unknown): ModelFamily {
  const type = isRecord(config) ? config['model_type'] : undefined;
  return FAMILIES.find((f) => typeof type === 'string' && f.modelTypes.includes(type)) ?? CLIP;
}

export function familyById(id: FamilyId): ModelFamily {
  return FAMILIES.find((f) => f.id === id) ?? CLIP;
}

/** The tokenizer scheme a tokenizer_config.json's `tokenizer_class` names (CLIP's by default). */
export function tokenizerSchemeOf(tokenizerClass: unknown): TokenizerScheme {
  const family = FAMILIES.find(
    (f) => typeof tokenizerClass === 'string' && f.tokenizer.classes.includes(tokenizerClass),
  );
  return (family ?? CLIP).tokenizer;
}
