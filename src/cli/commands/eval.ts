import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { MumicError } from '../../core/errors.ts';
import { labelId, type Label } from '../../core/labels/index.ts';
import { evaluate, truthMatrix } from '../../core/metrics.ts';
import { cosineMatrix, scoreCosines } from '../../core/score.ts';
import { parseTruthCsv } from '../../core/truth-csv.ts';
import { MODEL_OPTIONS, parse, parseDtype, requireModel } from '../args.ts';
import { LABEL_HELP, LABEL_OPTIONS, labelMatrix, readLabels } from '../label-options.ts';
import { embedFiles, loadModel } from '../load-model.ts';
import { writeLine } from '../output.ts';

export const EVAL_HELP = `Usage: mumic eval --model DIR --truth FILE.csv [--labels FILE] [--template T] [--dtype D]

Scores the photos listed in FILE.csv (rows "file,label;label;..."; paths relative to the CSV)
and prints MuMIC's metrics as one JSON object: GAP@10, GAP, macro mAP and per-label AP.
Labels are matched by name or id. Photos that fail to decode are listed under "errors" and left out.

Options:
  --model DIR     a CLIP model folder in the Hugging Face layout
  --truth FILE    the ground-truth CSV
  --dtype D       fp32 | fp16 | q8 | q4 | q4f16 (default: q8 when present, else fp32)
${LABEL_HELP}
  -h, --help      this help`;

export async function evalCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { ...MODEL_OPTIONS, ...LABEL_OPTIONS, truth: { type: 'string' } });
  if (values.help) {
    process.stdout.write(`${EVAL_HELP}\n`);
    return 0;
  }
  if (!values.truth) throw new MumicError('InvalidArgument', '--truth FILE.csv is required');
  const truthPath = values.truth;
  const rows = parseTruthCsv(await readFile(truthPath, 'utf8'));
  const labels = await readLabels(values.labels);
  const resolveLabel = labelResolver(labels);
  const photoLabels = rows.map((r, i) => r.labels.map((name) => resolveLabel(name, i + 1)));
  const files = rows.map((r) => (isAbsolute(r.file) ? r.file : join(dirname(truthPath), r.file)));

  const model = await loadModel(requireModel(values.model), parseDtype(values.dtype));
  const dim = model.info.projectionDim;
  const labelVectors = await labelMatrix(model, labels, values.template);
  const ids = labels.map((l) => l.id);
  const embeddings = new Float32Array(files.length * dim);
  const ok: number[] = [];
  const errors: { file: string; error: unknown }[] = [];
  for await (const outcomes of embedFiles(model, files)) {
    for (const o of outcomes) {
      if ('error' in o) errors.push({ file: rows[o.index]?.file ?? '', error: o.error });
      else {
        embeddings.set(o.embedding, ok.length * dim);
        ok.push(o.index);
      }
    }
  }
  await model.encoder.release();
  if (ok.length === 0)
    throw new MumicError('InvalidArgument', 'no photo of the truth file could be scored');

  // Logits, not probabilities: p saturates to 1.0 in float32 and would create false ties.
  const scored = scoreCosines(
    cosineMatrix(embeddings.subarray(0, ok.length * dim), labelVectors, dim),
    ids,
  );
  const truth = truthMatrix(
    ok.map((i) => photoLabels[i] ?? []),
    ids,
  );
  const report = evaluate(scored.logits, truth, ids.length, { k: 10 });
  await writeLine({
    photos: report.numPhotos,
    labels: report.numLabels,
    positives: report.numPositives,
    'GAP@10': report.gapAtK,
    GAP: report.gap,
    macro_mAP: report.macroMAP,
    per_label_AP: Object.fromEntries(labels.map((l, j) => [l.name, report.perLabelAP[j] ?? null])),
    errors,
  });
  return errors.length > 0 ? 1 : 0;
}

/** Truth labels may be written as the label's name, its id, or anything slugging to its id. */
function labelResolver(labels: readonly Label[]): (name: string, row: number) => string {
  const byKey = new Map<string, string>();
  for (const l of labels) {
    byKey.set(l.id, l.id);
    byKey.set(l.name, l.id);
    byKey.set(labelId(l.name), l.id);
  }
  return (name, row) => {
    const id = byKey.get(name) ?? byKey.get(labelId(name));
    if (id === undefined)
      throw new MumicError('InvalidArgument', `truth row ${row}: unknown label "${name}"`);
    return id;
  };
}
