import { createTokenizer } from '../../core/tokenize.ts';
import { parseCommand } from '../args.ts';
import { openModel } from '../load-model.ts';
import { toJsonNumbers, writeLine } from '../output.ts';

export const EMBED_TEXT_HELP = `Usage: mumic embed-text --model DIR [--dtype D] TEXT...

Prints one JSON line per text: {"text": T, "input_ids": [...], "embedding": [...]}
input_ids are the CLIP tokens fed to the model (padded to its context length).

Options:
  --model DIR   a model folder in the Hugging Face layout, or an installed model's id
  --dtype D     fp32 | fp16 | q8 | q4 | q4f16 (default: q8 when present, else fp32)
  -h, --help    this help`;

export async function embedTextCommand(argv: string[]): Promise<number> {
  const args = parseCommand(argv, EMBED_TEXT_HELP, {});
  if (!args) return 0;
  const { values, positionals } = args;
  const model = await openModel(values, { images: false });
  const { json, config } = model.info.tokenizer;
  const tokenizer = createTokenizer(json, config, model.info.contextLength);
  const tokens = tokenizer.encode(positionals);
  const dim = model.info.projectionDim;
  const embeddings =
    positionals.length > 0 ? await model.encoder.embedTexts(tokens) : new Float32Array();
  for (const [i, text] of positionals.entries()) {
    const ids = tokens.inputIds.subarray(i * tokens.length, (i + 1) * tokens.length);
    await writeLine({
      text,
      input_ids: Array.from(ids, Number),
      embedding: toJsonNumbers(embeddings.subarray(i * dim, (i + 1) * dim)),
    });
  }
  await model.encoder.release();
  return 0;
}
