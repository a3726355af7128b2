import { DEFAULT_THRESHOLD, cosineMatrix, scoreCosines } from '../../core/score.ts';
import { isSidecarName } from '../../core/xmp/sidecar-names.ts';
import { photoLabelScores, selectLabels } from '../../core/score-rank.ts';
import { DTYPE_HELP, MODEL_HELP, optionalNumber, parseCommand } from '../args.ts';
import { collectFiles } from '../files.ts';
import { HEAD_HELP, HEAD_OPTIONS, scoringLabels } from '../head-option.ts';
import { LABEL_HELP, LABEL_OPTIONS, readLabels, templatesOf } from '../label-options.ts';
import { embedFiles, openModel, PREPARE_HELP, PREPARE_OPTIONS } from '../load-model.ts';
import { writeLine } from '../output.ts';
import { XMP_HELP, XMP_OPTIONS, sidecarWriter } from '../xmp-sidecars.ts';

export const CLASSIFY_HELP = `Usage: mumic classify --model DIR [--dtype D] [--labels FILE] [--template T]
                      [--threshold X] [--top K] [--head HEAD.json]
                      [--xmp [--xmp-name ext|base] [--keyword-root R] [--dry-run]] PATH...

Scores every label of every photo with MuMIC's tempered sigmoid of the image-text cosine.
PATHs are image files or folders (recursive). One JSON line per photo:
  {"file": PATH, "labels": [{"label": NAME, "score": P, "cosine": C}, ...]}   best first
  {"file": PATH, "error": {"name": ..., "message": ...}}
With --xmp, each line also has "xmp": {"file", "action", "added", "removed"} or {"file", "error"}.
Every photo is attempted; the exit status is 1 if any failed.

Options:
${MODEL_HELP}
${DTYPE_HELP}
${LABEL_HELP}
${HEAD_HELP}
${PREPARE_HELP}
  --threshold X   keep labels with score >= X (0..1; default: all labels; 0.5 with --xmp)
  --top K         keep at most K labels per photo (default: all)
  --batch N       images per model run (default 8; q8 models run one at a time, see
                  docs/PERFORMANCE.md)
${XMP_HELP}
  -h, --help      this help`;

export async function classifyCommand(argv: string[]): Promise<number> {
  const args = parseCommand(argv, CLASSIFY_HELP, {
    ...LABEL_OPTIONS,
    ...HEAD_OPTIONS,
    threshold: { type: 'string' },
    top: { type: 'string' },
    batch: { type: 'string' },
    ...XMP_OPTIONS,
    ...PREPARE_OPTIONS,
  });
  if (!args) return 0;
  const { values, positionals } = args;
  const sidecars = sidecarWriter(values);
  const threshold =
    optionalNumber(values.threshold, '--threshold', 0, 1) ??
    (sidecars ? DEFAULT_THRESHOLD : undefined);
  const top = optionalNumber(values.top, '--top', 1, Infinity);
  const labels = await readLabels(values.labels);
  const model = await openModel(values);
  const dim = model.info.projectionDim;
  const templates = templatesOf(values.template);
  const { labelVectors, scoring } = await scoringLabels(values.head, model, labels, templates);
  const ids = labels.map((l) => l.id);
  const byId = new Map(labels.map((l) => [l.id, l]));
  // A sidecar beside the photos is never a photo.
  const files = (await collectFiles(positionals)).filter((f) => !isSidecarName(f));
  let failed = 0;
  for await (const outcomes of embedFiles(
    model,
    files,
    optionalNumber(values.batch, '--batch', 1, 1024) ?? 8,
  )) {
    for (const outcome of outcomes) {
      const file = files[outcome.index] ?? '';
      if ('error' in outcome) {
        failed++;
        await writeLine({ file, error: outcome.error });
        continue;
      }
      const scored = scoreCosines(cosineMatrix(outcome.embedding, labelVectors, dim), ids, scoring);
      const chosen = selectLabels(photoLabelScores(scored, 0), { threshold, top });
      const xmp = await sidecars?.write(
        file,
        chosen.flatMap((s) => byId.get(s.label) ?? []),
      );
      if (xmp && 'error' in xmp) failed++;
      await writeLine({
        file,
        labels: chosen.map((s) => ({
          label: byId.get(s.label)?.name,
          score: s.score,
          cosine: s.cosine,
        })),
        ...(xmp ? { xmp } : {}),
      });
    }
  }
  await model.encoder.release();
  return failed > 0 ? 1 : 0;
}
