// Label vectors for the CLI: rows of the model folder's precomputed file
// (label-embeddings.<text dtype>.json, the one the app loads) where it was made for this model,
// text dtype and template set; only the labels it lacks are encoded.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  labelEmbeddingFileName,
  labelEmbeddingMismatch,
  parseLabelEmbeddingFile,
} from '../core/label-embedding-file.ts';
import type { Label } from '../core/labels/index.ts';
import { templateSetKey } from '../core/prompts.ts';
import { labelMatrix } from './label-options.ts';
import type { LoadedModel } from './load-model.ts';

/** Precomputed vectors by prompt, or an empty map when the file is absent or does not fit. */
export async function precomputedLabelVectors(
  model: LoadedModel,
  modelId: string,
  templates: readonly string[],
): Promise<Map<string, Float32Array>> {
  const found = new Map<string, Float32Array>();
  const dim = model.info.projectionDim;
  let text: string;
  try {
    text = await readFile(
      join(model.dir, labelEmbeddingFileName(model.encoder.dtypes.text)),
      'utf8',
    );
  } catch {
    return found; // none shipped: everything is encoded
  }
  try {
    const table = parseLabelEmbeddingFile(text);
    const want = {
      model: modelId,
      dtype: model.encoder.dtypes.text,
      templateKey: templateSetKey(templates),
      dim,
    };
    if (labelEmbeddingMismatch(table, want) !== undefined) return found;
    table.labels.forEach((l, r) =>
      found.set(l.prompt, table.vectors.slice(r * dim, (r + 1) * dim)),
    );
  } catch {
    // A damaged file is not fatal here: the labels are encoded, as without it.
  }
  return found;
}

/**
 * The label matrix [labels × dim] (unit rows) as `labelMatrix` computes it, taking the rows the
 * model folder's precomputed file has and encoding only the others.
 */
export async function folderLabelMatrix(
  model: LoadedModel,
  modelId: string,
  labels: readonly Label[],
  templates: readonly string[],
): Promise<{ matrix: Float32Array; encoded: number }> {
  const dim = model.info.projectionDim;
  const known = await precomputedLabelVectors(model, modelId, templates);
  const missing = labels.filter((l) => !known.has(l.prompt));
  const fresh = missing.length > 0 ? await labelMatrix(model, missing, templates) : undefined;
  const matrix = new Float32Array(labels.length * dim);
  let m = 0;
  labels.forEach((l, j) => {
    const row = known.get(l.prompt) ?? fresh?.subarray(m * dim, ++m * dim);
    if (row) matrix.set(row, j * dim);
  });
  return { matrix, encoded: missing.length };
}
