// What both transformers.js comparisons share: the combined model it loads (the bench model's two
// q8 towers joined into one model_quantized.onnx by make-combined-clip.py), the labels and the
// template.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_LABELS } from '../src/core/labels/index.ts';
import { DEFAULT_TEMPLATE } from '../src/core/prompts.ts';
import { BENCH_MODEL, ensureBenchLabelFile, ensureBenchModel } from './ensure-model.ts';

export const COMBINED_MODEL = `${BENCH_MODEL}-combined`;
export const TJS_LABELS = DEFAULT_LABELS.map((l) => l.prompt);
export const TJS_TEMPLATE = DEFAULT_TEMPLATE;

/** Makes the bench model, its label file and the combined model if missing. */
export async function ensureCombinedModel(): Promise<string> {
  ensureBenchModel();
  await ensureBenchLabelFile();
  if (!existsSync(join(COMBINED_MODEL, 'onnx', 'model_quantized.onnx'))) {
    execFileSync(
      '/usr/bin/python3',
      [join(import.meta.dirname, 'make-combined-clip.py'), BENCH_MODEL, COMBINED_MODEL],
      { stdio: 'inherit' },
    );
  }
  return COMBINED_MODEL;
}

/** The transformers.js package folder inside the folder it was npm-installed in, and its version. */
export function tjsPackage(installDir: string): { dir: string; version: string } {
  const dir = join(resolve(installDir), 'node_modules', '@huggingface', 'transformers');
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    version: string;
  };
  return { dir, version };
}
