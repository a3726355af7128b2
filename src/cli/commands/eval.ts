import { evaluateKnownCells } from '../../core/adapt/index.ts';
import { evaluate, truthMatrix } from '../../core/metrics.ts';
import { keywordFeedback } from '../../core/xmp/keyword-truth.ts';
import { cosineMatrix, scoreCosines } from '../../core/score.ts';
import { DTYPE_HELP, MODEL_HELP, TRUTH_HELP, TRUTH_OPTIONS, parseCommand } from '../args.ts';
import { openModel, PREPARE_HELP, PREPARE_OPTIONS } from '../load-model.ts';
import { HEAD_HELP, HEAD_OPTIONS, scoringLabels } from '../head-option.ts';
import { LABEL_HELP, LABEL_OPTIONS, readLabels, templatesOf } from '../label-options.ts';
import { writeLine } from '../output.ts';
import { embedTruth, truthSource } from '../truth-set.ts';

export const EVAL_HELP = `Usage: mumic eval --model DIR --truth FILE.csv [--labels FILE] [--template T] [--dtype D]
                  [--head HEAD.json]
       mumic eval --model DIR --truth-from keywords [--complete-labels FILE|all] [...] PATH...

Scores the photos listed in FILE.csv (rows "file,label;label;..."; paths relative to the CSV)
and prints MuMIC's metrics as one JSON object: GAP@10, GAP, macro mAP and per-label AP.
Labels are matched by name or id. Photos that fail to decode are listed under "errors" and left
out; the exit status is then 1. With keywords as truth, only known (photo, label) pairs count.

Options:
${MODEL_HELP}
${TRUTH_HELP}
${DTYPE_HELP}
${LABEL_HELP}
${HEAD_HELP}
${PREPARE_HELP}
  -h, --help      this help`;

export async function evalCommand(argv: string[]): Promise<number> {
  const args = parseCommand(argv, EVAL_HELP, {
    ...TRUTH_OPTIONS,
    ...LABEL_OPTIONS,
    ...HEAD_OPTIONS,
    ...PREPARE_OPTIONS,
  });
  if (!args) return 0;
  const { values } = args;
  const truth = truthSource(values, args.positionals);
  const labels = await readLabels(values.labels);
  const templates = templatesOf(values.template);
  const model = await openModel(values);
  try {
    const dim = model.info.projectionDim;
    const set = await embedTruth(model, truth, labels);
    const { labelVectors, scoring } = await scoringLabels(values.head, model, labels, templates);
    const ids = labels.map((l) => l.id);
    const scored = scoreCosines(cosineMatrix(set.embeddings, labelVectors, dim), ids, scoring);
    // Logits, not probabilities: p saturates to 1.0 in float32 and would create false ties.
    const report =
      set.complete.size === ids.length
        ? evaluate(scored.logits, truthMatrix(set.photoLabels, ids), ids.length, { k: 10 })
        : knownCellReport(scored.logits, set.photoLabels, set.complete, ids);
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
      ...set.notes,
    });
    return set.errors.length > 0 ? 1 : 0;
  } finally {
    await model.encoder.release();
  }
}

/** Metrics over the known pairs only: keyword positives and the complete labels' negatives. */
function knownCellReport(
  logits: Float32Array,
  photoLabels: readonly string[][],
  complete: ReadonlySet<string>,
  ids: readonly string[],
) {
  const column = new Map(ids.map((id, j) => [id, j]));
  const cells = keywordFeedback(photoLabels, complete);
  const label = cells.map((c) => column.get(c.label) ?? 0);
  const photo = cells.map((c) => c.photo);
  const scores = cells.map((c, e) => logits[c.photo * ids.length + (label[e] ?? 0)] ?? 0);
  return evaluateKnownCells(
    ids.length,
    photo,
    label,
    cells.map((c) => c.value),
    scores,
    10,
  );
}
