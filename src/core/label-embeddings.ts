import { combineEmbeddings, expandPrompts, type TemplateSet } from './prompts.ts';

/** Encodes texts with the CLIP text tower: [texts.length × dim], row-major. */
export type TextEmbedFn = (texts: string[]) => Promise<Float32Array>;

/**
 * One embedding per label: every template filled with the label's prompt, encoded, normalised,
 * averaged and normalised again (the template ensemble). [labels.length × dim], unit rows.
 */
export async function embedLabels(
  labels: readonly { readonly prompt: string }[],
  templates: TemplateSet,
  embed: TextEmbedFn,
  dim: number,
  batchSize = 64,
): Promise<Float32Array> {
  const prompts = labels.map((label) => expandPrompts(label, templates));
  const flat = prompts.flat();
  const vectors = new Float32Array(flat.length * dim);
  for (let start = 0; start < flat.length; start += batchSize) {
    const batch = flat.slice(start, start + batchSize);
    vectors.set(await embed(batch), start * dim);
  }
  const out = new Float32Array(labels.length * dim);
  let row = 0;
  prompts.forEach((texts, j) => {
    const rows = texts.map((_, k) => vectors.subarray((row + k) * dim, (row + k + 1) * dim));
    out.set(combineEmbeddings(rows, dim), j * dim);
    row += texts.length;
  });
  return out;
}
