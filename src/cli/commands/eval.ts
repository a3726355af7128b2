import { evaluate, truthMatrix } from '../../core/metrics.ts';
import { cosineMatrix, scoreCosines } from '../../core/score.ts';
import {
  DTYPE_HELP,
  MODEL_HELP,
  TRUTH_HELP,
  TRUTH_OPTIONS,
  parseCommand,
  requireTruth,
} from '../args.ts';
import { openModel } from '../load-model.ts';
import { HEAD_HELP, HEAD_OPTIONS, scoringLabels } from '../head-option.ts';
import { LABEL_HELP, LABEL_OPTIONS, readLabels, templatesOf } from '../label-options.ts';
import { writeLine } from '../output.ts';
import { embedTruthSet } from '../truth-set.ts';

export const EVAL_HELP = `Usage: mumic eval --model DIR --truth FILE.csv [--labels FILE] [--template T] [--dtype D]
                  [--head HEAD.json]

Scores the photos listed in FILE.csv (rows "file,label;label;..."; paths relative to the CSV)
and prints MuMIC's metrics as one JSON object: GAP@10, GAP, macro mAP and per-label AP.
Labels are matched by name or id. Photos that fail to decode are listed under "errors" and left
out; the exit status is then 1.

Options:
${MODEL_HELP}
${TRUTH_HELP}
${DTYPE_HELP}
${LABEL_HELP}
${HEAD_HELP}
  -h, --help      this help`;

export async function evalCommand(argv: string[]): Promise<number> {
  const args = parseCommand(argv, EVAL_HELP, {
    ...TRUTH_OPTIONS,
    ...LABEL_OPTIONS,
    ...HEAD_OPTIONS,
  });
  if (!args) return 0;
  const { values } = args;
  const truth = requireTruth(values.truth);
  const labels = await readLabels(values.labels);
  const templates = templatesOf(values.template);
  const model = await openModel(values);
  try {
    const dim = model.info.projectionDim;
    const set = await embedTruthSet(model, truth, labels);
    const { labelVectors, scoring } = await scoringLabels(values.head, model, labels, templates);
    const ids = labels.map((l) => l.id);
    const scored = scoreCosines(cosineMatrix(set.embeddings, labelVectors, dim), ids, scoring);
    // Logits, not probabilities: p saturates to 1.0 in float32 and would create false ties.
    const report = evaluate(scored.logits, truthMatrix(set.photoLabels, ids), ids.length, {
      k: 10,
    });
    await writeLine({
      photos: report.numPhotos,
      labels: report.numLabels,
      positives: report.numPositives,
      'GAP@10': report.gapAtK,
      GAP: report.gap,
      macro_mAP: report.macroMAP,
      per_label_AP: Object.fromEntries(
        labels.map((l, j) => [l.name, report.perLabelAP[j] ?? null]),
      ),
      head: values.head ?? null,
      errors: set.errors,
    });
    return set.errors.length > 0 ? 1 : 0;
  } finally {
    await model.encoder.release();
  }
}
