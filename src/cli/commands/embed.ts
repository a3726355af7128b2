import { optionalNumber, parseCommand } from '../args.ts';
import { collectFiles } from '../files.ts';
import { embedFiles, openModel, PREPARE_HELP, PREPARE_OPTIONS } from '../load-model.ts';
import { toJsonNumbers, writeLine } from '../output.ts';

export const EMBED_HELP = `Usage: mumic embed --model DIR [--dtype D] [--batch N] IMAGE|FOLDER...

Prints one JSON line per image, in argument order (folders recursively, sorted):
  {"file": PATH, "embedding": [...]}                  the CLIP image embedding (unnormalised)
  {"file": PATH, "error": {"name": ..., "message": ...}}  when that image failed
Every image is attempted; the exit status is 1 if any failed.

Options:
  --model DIR   a model folder in the Hugging Face layout (config.json, onnx/...), or the
                id of an installed model (npm run models -- --list)
  --dtype D     fp32 | fp16 | q8 | q4 | q4f16 (default: q8 when present, else fp32)
  --batch N     images per model run (default 8; q8 models run one at a time)
${PREPARE_HELP}
  -h, --help    this help`;

export async function embedCommand(argv: string[]): Promise<number> {
  const args = parseCommand(argv, EMBED_HELP, { batch: { type: 'string' }, ...PREPARE_OPTIONS });
  if (!args) return 0;
  const { values, positionals } = args;
  const batch = optionalNumber(values.batch, '--batch', 1, 1024) ?? 8;
  const model = await openModel(values);
  const files = await collectFiles(positionals);
  let failed = 0;
  for await (const outcomes of embedFiles(model, files, batch)) {
    for (const outcome of outcomes) {
      const file = files[outcome.index];
      if ('error' in outcome) {
        failed++;
        await writeLine({ file, error: outcome.error });
      } else {
        await writeLine({ file, embedding: toJsonNumbers(outcome.embedding) });
      }
    }
  }
  await model.encoder.release();
  return failed > 0 ? 1 : 0;
}
