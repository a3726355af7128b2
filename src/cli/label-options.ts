import { embedLabels } from '../core/label-embeddings.ts';
import { runBatchSize } from '../core/model-files.ts';
import { DEFAULT_LABELS, parseLabelSet, type Label } from '../core/labels/index.ts';
import { DEFAULT_TEMPLATES, resolveTemplates } from '../core/prompts.ts';
import { createTokenizer } from '../core/tokenize.ts';
import { readOptionFile } from './args.ts';
import type { LoadedModel } from './load-model.ts';

export const LABEL_OPTIONS = {
  labels: { type: 'string' },
  template: { type: 'string' },
} as const;

export const LABEL_HELP = `  --labels FILE   label set: JSON ({"version":1,"labels":[...]}) or text, one label per line
                  (default: the 120 built-in accommodation labels)
  --template T    prompt template with {} for the label ("{}" = the label text verbatim), or an
                  ensemble name: default, verbatim, accommodation (default: "a photo of a {}.")`;

export async function readLabels(file: string | undefined): Promise<Label[]> {
  if (!file) return [...DEFAULT_LABELS];
  return parseLabelSet(await readOptionFile(file, 'InvalidLabelSet'), file);
}

/** The templates a --template option names (default: "a photo of a {}."). */
export const templatesOf = (template: string | undefined): readonly string[] =>
  template === undefined ? DEFAULT_TEMPLATES : resolveTemplates(template);

/** The label matrix [labels × dim] (unit rows) for a label set (or queries) under a template set. */
export async function labelMatrix(
  model: LoadedModel,
  labels: readonly Pick<Label, 'prompt'>[],
  templates: readonly string[],
): Promise<Float32Array> {
  const { json, config } = model.info.tokenizer;
  const tokenizer = createTokenizer(json, config, model.info.contextLength);
  return embedLabels(
    labels,
    templates,
    (texts) => model.encoder.embedTexts(tokenizer.encode(texts)),
    model.info.projectionDim,
    runBatchSize(model.encoder.dtypes.text, 64),
  );
}
