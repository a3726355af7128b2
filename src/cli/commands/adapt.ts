import { writeFile } from 'node:fs/promises';
import {
  adapt,
  buildHead,
  evaluateAdaptation,
  serializeHead,
  type AdaptOptions,
} from '../../core/adapt/index.ts';
import { templateSetKey } from '../../core/prompts.ts';
import { keywordFeedback } from '../../core/xmp/keyword-truth.ts';
import {
  DTYPE_HELP,
  MODEL_HELP,
  TRUTH_HELP,
  TRUTH_OPTIONS,
  optionalNumber,
  parseCommand,
} from '../args.ts';
import { openModel } from '../load-model.ts';
import { baseScoring, modelIdOf } from '../head-option.ts';
import {
  LABEL_HELP,
  LABEL_OPTIONS,
  labelMatrix,
  readLabels,
  templatesOf,
} from '../label-options.ts';
import { writeLine } from '../output.ts';
import { embedTruth, truthSource } from '../truth-set.ts';

export const ADAPT_HELP = `Usage: mumic adapt --model DIR --truth FILE.csv [--labels FILE] [--template T]
                   [--out HEAD.json] [--gamma G] [--no-residual] [--seed N] [--dtype D]
       mumic adapt --model DIR --truth-from keywords [--complete-labels FILE|all] [...] PATH...

Learns each label's temperature and bias (and a residual on its text embedding) from a truth CSV
(rows "file,label;label;..."; every other label of a listed photo counts as absent), with
MuMIC's hardness-aware tempered-sigmoid loss, on the photos' embeddings. Writes the "head" JSON to
--out (or stdout) and prints held-out GAP@10, GAP and macro mAP before/after (k-fold when small).

Options:
${MODEL_HELP}
${TRUTH_HELP}
  --out FILE      where to write the head (default: stdout; the metrics then go to stderr)
  --gamma G       hardness exponent: weight (1 - p_true)^G (default 0, plain balanced BCE)
  --no-residual   learn temperature and bias only (much faster on large truth files)
  --seed N        seed of the hold-out split (default 1)
${DTYPE_HELP}
${LABEL_HELP}
  -h, --help      this help`;

export async function adaptCommand(argv: string[]): Promise<number> {
  const args = parseCommand(argv, ADAPT_HELP, {
    ...TRUTH_OPTIONS,
    ...LABEL_OPTIONS,
    out: { type: 'string' },
    gamma: { type: 'string' },
    'no-residual': { type: 'boolean' },
    seed: { type: 'string' },
  });
  if (!args) return 0;
  const { values } = args;
  const truth = truthSource(values, args.positionals);
  const options: Partial<AdaptOptions> = {
    residual: !values['no-residual'],
    ...(values.gamma !== undefined
      ? { gamma: optionalNumber(values.gamma, '--gamma', 0, 10) }
      : {}),
    ...(values.seed !== undefined
      ? { seed: optionalNumber(values.seed, '--seed', 0, 2 ** 31) }
      : {}),
  };
  const labels = await readLabels(values.labels);
  const templates = templatesOf(values.template);
  const model = await openModel(values);
  try {
    const dim = model.info.projectionDim;
    const set = await embedTruth(model, truth, labels);
    const labelIds = labels.map((l) => l.id);
    const feedback = keywordFeedback(set.photoLabels, set.complete);
    const input = {
      images: set.embeddings,
      dim,
      labelEmbeddings: await labelMatrix(model, labels, templates),
      labelIds,
      feedback,
      scoring: baseScoring(model),
    };
    const evaluation = evaluateAdaptation(input, options);
    const result = adapt(input, options);
    const head = buildHead(result, {
      model: { id: modelIdOf(model), dtype: model.encoder.dtypes.vision, projectionDim: dim },
      templates: templateSetKey(templates),
      labelTexts: labels.map((l) => l.prompt),
      evaluation,
    });
    const summary = {
      photos: set.files.length,
      adaptedLabels: result.labels.length,
      evaluation: evaluation && {
        scheme: evaluation.scheme,
        folds: evaluation.folds,
        before: pick(evaluation.before),
        after: pick(evaluation.after),
      },
      errors: set.errors,
      ...set.notes,
    };
    if (values.out) {
      await writeFile(values.out, serializeHead(head));
      await writeLine({ head: values.out, ...summary });
    } else {
      process.stdout.write(serializeHead(head));
      process.stderr.write(`${JSON.stringify(summary)}\n`);
    }
    return set.errors.length > 0 ? 1 : 0;
  } finally {
    await model.encoder.release();
  }
}

const pick = (r: { gapAtK: number | null; gap: number | null; macroMAP: number | null }) => ({
  'GAP@10': r.gapAtK,
  GAP: r.gap,
  macro_mAP: r.macroMAP,
});
