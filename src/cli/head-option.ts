import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { applyHead, parseHead, type AppliedHead } from '../core/adapt/index.ts';
import { MumicError } from '../core/errors.ts';
import type { Label } from '../core/labels/index.ts';
import type { LoadedModel } from './load-model.ts';

export const HEAD_HELP = `  --head FILE     apply a head made by "mumic adapt" (refused if made for another model,
                  dtype, template set or label texts)`;

/** A model's identity in heads: its folder name, as under public/models/<id>/ in the app. */
export const modelIdOf = (model: LoadedModel): string => basename(resolve(model.dir));

/** Loads and checks a head file, then applies it to the label vectors (or passes them through). */
export async function withHead(
  file: string | undefined,
  model: LoadedModel,
  labels: readonly Label[],
  labelVectors: Float32Array,
  templates: string,
): Promise<AppliedHead | null> {
  if (!file) return null;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new MumicError('InvalidHead', `cannot read ${file}: ${(cause as Error).message}`, {
      cause,
    });
  }
  const labelIds = labels.map((l) => l.id);
  const head = parseHead(text, {
    modelId: modelIdOf(model),
    dtype: model.encoder.dtypes.vision,
    projectionDim: model.info.projectionDim,
    labelIds,
    labelTexts: labels.map((l) => l.prompt),
    templates,
  });
  return applyHead(head, labelIds, labelVectors, model.info.projectionDim);
}
