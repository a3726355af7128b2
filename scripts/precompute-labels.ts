// Computes the default labels' embeddings for an installed model, once per text-tower dtype, and
// writes them next to the model (label-embeddings.<dtype>.json) for the app to load.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadModel } from '../src/cli/load-model.ts';
import { labelMatrix } from '../src/cli/label-options.ts';
import {
  encodeFloat32Base64,
  labelEmbeddingFileName,
  type LabelEmbeddingFile,
} from '../src/core/label-embedding-file.ts';
import { DEFAULT_LABELS } from '../src/core/labels/index.ts';
import { DEFAULT_TEMPLATES, templateSetKey } from '../src/core/prompts.ts';

export async function precomputeLabelEmbeddings(modelDir: string, id: string): Promise<string[]> {
  const probe = await loadModel(modelDir, undefined, { images: false });
  const written: string[] = [];
  for (const dtype of probe.info.dtypes.text) {
    const model = await loadModel(modelDir, dtype, { images: false });
    try {
      const matrix = await labelMatrix(model, DEFAULT_LABELS, DEFAULT_TEMPLATES);
      const file: LabelEmbeddingFile = {
        format: 'mumic-label-embeddings',
        version: 1,
        model: id,
        dtype,
        templateKey: templateSetKey(DEFAULT_TEMPLATES),
        templates: [...DEFAULT_TEMPLATES],
        dim: model.info.projectionDim,
        labels: DEFAULT_LABELS.map((l) => ({ id: l.id, prompt: l.prompt })),
        embeddings: encodeFloat32Base64(matrix),
      };
      const name = labelEmbeddingFileName(dtype);
      await writeFile(join(modelDir, name), JSON.stringify(file));
      written.push(name);
    } finally {
      await model.encoder.release();
    }
  }
  await probe.encoder.release();
  return written;
}
