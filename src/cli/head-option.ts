import { basename, resolve } from 'node:path';
import { applyHead, parseHead, type AppliedHead } from '../core/adapt/index.ts';
import type { Label } from '../core/labels/index.ts';
import type { ScoringParams } from '../core/score.ts';
import { templateSetKey } from '../core/prompts.ts';
import { readOptionFile, type Options } from './args.ts';
import { folderLabelMatrix } from './label-vectors.ts';
import type { LoadedModel } from './load-model.ts';

export const HEAD_OPTIONS = { head: { type: 'string' } } as const satisfies Options;

export const HEAD_HELP = `  --head FILE     apply a head made by "mumic adapt" (refused if made for another model,
                  dtype, template set or label texts)`;

/** A model's identity in heads: its folder name, as under public/models/<id>/ in the app. */
export const modelIdOf = (model: LoadedModel): string => basename(resolve(model.dir));

/**
 * The label matrix of `labels` under `templates` (see labelMatrix; rows the model folder ships
 * precomputed are read, not encoded), with the head of --head applied when one is given;
 * `scoring` is the head's, else the model's calibration (its family's defaults: core/families).
 */
export async function scoringLabels(
  headFile: string | undefined,
  model: LoadedModel,
  labels: readonly Label[],
  templates: readonly string[],
): Promise<{ labelVectors: Float32Array; head: AppliedHead | null; scoring: ScoringParams }> {
  const { matrix: zeroShot } = await folderLabelMatrix(model, modelIdOf(model), labels, templates);
  const head = await withHead(headFile, model, labels, zeroShot, templateSetKey(templates));
  return {
    labelVectors: head?.labelEmbeddings ?? zeroShot,
    head,
    scoring: head?.scoring ?? baseScoring(model),
  };
}

/** The model's own tempered-sigmoid defaults. */
export const baseScoring = (model: LoadedModel): ScoringParams => ({
  temperature: model.info.calibration.temperature,
  bias: model.info.calibration.bias,
});

/** Loads and checks a head file, then applies it to the label vectors (or passes them through). */
async function withHead(
  file: string | undefined,
  model: LoadedModel,
  labels: readonly Label[],
  labelVectors: Float32Array,
  templates: string,
): Promise<AppliedHead | null> {
  if (!file) return null;
  const text = await readOptionFile(file, 'InvalidHead');
  const labelIds = labels.map((l) => l.id);
  const head = parseHead(text, {
    modelId: modelIdOf(model),
    dtype: model.encoder.dtypes.vision,
    projectionDim: model.info.projectionDim,
    labelIds,
    labelTexts: labels.map((l) => l.prompt),
    templates,
  });
  return applyHead(head, labelIds, labelVectors, model.info.projectionDim, baseScoring(model));
}
