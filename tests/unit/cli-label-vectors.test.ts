// Issue 16: `mumic classify` / `eval` take label vectors from the model folder's precomputed file
// when it fits the model, text dtype and templates, and encode only the labels it lacks.
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { labelMatrix } from '../../src/cli/label-options.ts';
import { folderLabelMatrix } from '../../src/cli/label-vectors.ts';
import { loadModel } from '../../src/cli/load-model.ts';
import {
  encodeFloat32Base64,
  labelEmbeddingFileName,
} from '../../src/core/label-embedding-file.ts';
import { DEFAULT_LABELS } from '../../src/core/labels/index.ts';
import { DEFAULT_TEMPLATES, templateSetKey } from '../../src/core/prompts.ts';
import { FIXTURE_DIR } from '../fixture.ts';

const dir = join(mkdtempSync(join(tmpdir(), 'mumic-labelvec-')), 'tiny-model');
cpSync(FIXTURE_DIR, dir, { recursive: true });
const model = await loadModel(dir, 'fp32', { images: false });
afterAll(() => model.encoder.release());
const dim = model.info.projectionDim;
const labels = DEFAULT_LABELS.slice(0, 5);

/** Counts the text tower's runs. */
let encodedTexts = 0;
const embedTexts = model.encoder.embedTexts.bind(model.encoder);
model.encoder.embedTexts = (tokens) => {
  encodedTexts++;
  return embedTexts(tokens);
};

function writeTable(id: string, vectors: Float32Array, rows = labels.slice(0, 3)): void {
  const file = {
    format: 'mumic-label-embeddings',
    version: 1,
    model: id,
    dtype: 'fp32',
    templateKey: templateSetKey(DEFAULT_TEMPLATES),
    templates: [...DEFAULT_TEMPLATES],
    dim,
    labels: rows.map((l) => ({ id: l.id, prompt: l.prompt })),
    embeddings: encodeFloat32Base64(vectors),
  };
  writeFileSync(join(dir, labelEmbeddingFileName('fp32')), JSON.stringify(file));
}

test('rows in the file are read, the others encoded; same matrix as encoding all', async () => {
  const all = await labelMatrix(model, labels, DEFAULT_TEMPLATES);
  writeTable('tiny-model', all.slice(0, 3 * dim));
  encodedTexts = 0;
  const { matrix, encoded } = await folderLabelMatrix(
    model,
    'tiny-model',
    labels,
    DEFAULT_TEMPLATES,
  );
  expect(encoded).toBe(2);
  expect(encodedTexts).toBeGreaterThan(0);
  expect([...matrix]).toEqual([...all]);
});

test('a file made for another model is not used', async () => {
  writeTable('other-model', new Float32Array(3 * dim).fill(1 / Math.sqrt(dim)));
  encodedTexts = 0;
  const { encoded } = await folderLabelMatrix(model, 'tiny-model', labels, DEFAULT_TEMPLATES);
  expect(encoded).toBe(5);
  expect(encodedTexts).toBeGreaterThan(0);
});

test('every default label in the file: nothing is encoded', async () => {
  const unit = new Float32Array(3 * dim).fill(1 / Math.sqrt(dim));
  writeTable('tiny-model', unit);
  encodedTexts = 0;
  const { matrix, encoded } = await folderLabelMatrix(
    model,
    'tiny-model',
    labels.slice(0, 3),
    DEFAULT_TEMPLATES,
  );
  expect(encoded).toBe(0);
  expect(encodedTexts).toBe(0);
  expect([...matrix]).toEqual([...unit]);
});
