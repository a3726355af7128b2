import { MumicError } from '../../core/errors.ts';
import { evaluate, truthMatrix } from '../../core/metrics.ts';
import { templateSetKey } from '../../core/prompts.ts';
import { cosineMatrix, scoreCosines } from '../../core/score.ts';
import { MODEL_OPTIONS, parse, parseDtype, requireModel } from '../args.ts';
import { HEAD_HELP, withHead } from '../head-option.ts';
import {
  LABEL_HELP,
  LABEL_OPTIONS,
  labelMatrix,
  readLabels,
  templatesOf,
} from '../label-options.ts';
import { loadModel } from '../load-model.ts';
import { writeLine } from '../output.ts';
import { embedTruthSet } from '../truth-set.ts';

export const EVAL_HELP = `Usage: mumic eval --model DIR --truth FILE.csv [--labels FILE] [--template T] [--dtype D]
                  [--head HEAD.json]

Scores the photos listed in FILE.csv (rows "file,label;label;..."; paths relative to the CSV)
and prints MuMIC's metrics as one JSON object: GAP@10, GAP, macro mAP and per-label AP.
Labels are matched by name or id. Photos that fail to decode are listed under "errors" and left
out; the exit status is then 1.

Options:
  --model DIR     a CLIP model folder in the Hugging Face layout
  --truth FILE    the ground-truth CSV
  --dtype D       fp32 | fp16 | q8 | q4 | q4f16 (default: q8 when present, else fp32)
${LABEL_HELP}
${HEAD_HELP}
  -h, --help      this help`;

export async function evalCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    ...MODEL_OPTIONS,
    ...LABEL_OPTIONS,
    truth: { type: 'string' },
    head: { type: 'string' },
  });
  if (values.help) {
    process.stdout.write(`${EVAL_HELP}\n`);
    return 0;
  }
  if (!values.truth) throw new MumicError('InvalidArgument', '--truth FILE.csv is required');
  const labels = await readLabels(values.labels);
  const templates = templatesOf(values.template);
  const model = await loadModel(requireModel(values.model), parseDtype(values.dtype));
  try {
    const dim = model.info.projectionDim;
    const set = await embedTruthSet(model, values.truth, labels);
    let labelVectors = await labelMatrix(model, labels, templates);
    const head = await withHead(
      values.head,
      model,
      labels,
      labelVectors,
      templateSetKey(templates),
    );
    if (head) labelVectors = head.labelEmbeddings;
    const ids = labels.map((l) => l.id);
    const scored = scoreCosines(
      cosineMatrix(set.embeddings, labelVectors, dim),
      ids,
      head?.scoring,
    );
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
