import { describe, expect, it } from 'vitest';
import { MumicError } from '../../src/core/errors.ts';
import {
  decodeFloat32Base64,
  encodeFloat32Base64,
  formatLabelEmbeddingFile,
  labelEmbeddingFileName,
  labelEmbeddingMismatch,
  parseLabelEmbeddingFile,
  type LabelEmbeddingTable,
} from '../../src/core/label-embedding-file.ts';
import { templateSetKey } from '../../src/core/prompts.ts';

const templates = ['a photo of a {}.'];
const table = (): LabelEmbeddingTable => ({
  model: 'clip-tiny',
  dtype: 'q8',
  templateKey: templateSetKey(templates),
  templates,
  dim: 2,
  labels: [
    { id: 'sea-view', prompt: 'sea view' },
    { id: 'pool', prompt: 'swimming pool' },
  ],
  vectors: new Float32Array([0.6, 0.8, 1, 0]),
});

function errorName(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MumicError);
    return (error as MumicError).name;
  }
  throw new Error('nothing was thrown');
}

describe('label embeddings file', () => {
  it('is named by the text dtype', () => {
    expect(labelEmbeddingFileName('q8')).toBe('label-embeddings.q8.json');
  });

  it('round-trips base64 little-endian float32 exactly', () => {
    const v = new Float32Array([0.1, -2.5, 3e-8, Math.PI]);
    expect(decodeFloat32Base64(encodeFloat32Base64(v))).toEqual(v);
    // Little-endian on any host: 1.0f is 00 00 80 3f.
    expect(encodeFloat32Base64(new Float32Array([1]))).toBe(btoa('\x00\x00\x80\x3f'));
  });

  it('writes and parses the documented format', () => {
    const text = formatLabelEmbeddingFile(table());
    const raw = JSON.parse(text) as Record<string, unknown>;
    expect(raw['format']).toBe('mumic-label-embeddings');
    expect(raw['version']).toBe(1);
    expect(typeof raw['embeddings']).toBe('string');
    const back = parseLabelEmbeddingFile(text);
    expect(back.labels).toEqual(table().labels);
    expect(back.vectors).toEqual(table().vectors);
    expect(labelEmbeddingMismatch(back, { ...table(), dim: 2 })).toBeUndefined();
  });

  it('says why a file cannot serve another model, dtype, template set or size', () => {
    const t = table();
    const want = { model: 'clip-tiny', dtype: 'q8' as const, templateKey: t.templateKey, dim: 2 };
    expect(labelEmbeddingMismatch(t, { ...want, model: 'other' })).toMatch(/model/);
    expect(labelEmbeddingMismatch(t, { ...want, dtype: 'fp32' })).toMatch(/dtype/);
    expect(labelEmbeddingMismatch(t, { ...want, templateKey: templateSetKey(['{}']) })).toMatch(
      /template/,
    );
    expect(labelEmbeddingMismatch(t, { ...want, dim: 3 })).toMatch(/dimension/);
  });

  it('rejects damaged files as ModelFileInvalid', () => {
    const good = JSON.parse(formatLabelEmbeddingFile(table())) as Record<string, unknown>;
    const bad = (patch: Record<string, unknown>) => JSON.stringify({ ...good, ...patch });
    expect(errorName(() => parseLabelEmbeddingFile('{nope'))).toBe('ModelFileInvalid');
    expect(errorName(() => parseLabelEmbeddingFile(bad({ format: 'x' })))).toBe('ModelFileInvalid');
    expect(errorName(() => parseLabelEmbeddingFile(bad({ version: 2 })))).toBe('ModelFileInvalid');
    expect(errorName(() => parseLabelEmbeddingFile(bad({ templateKey: 'tpl1:[]' })))).toBe(
      'ModelFileInvalid',
    );
    expect(errorName(() => parseLabelEmbeddingFile(bad({ dim: 3 })))).toBe('ModelFileInvalid');
    expect(
      errorName(() =>
        parseLabelEmbeddingFile(
          bad({ embeddings: encodeFloat32Base64(new Float32Array([1, 1, 1, 0])) }),
        ),
      ),
    ).toBe('ModelFileInvalid');
    expect(errorName(() => parseLabelEmbeddingFile(bad({ embeddings: '***' })))).toBe(
      'ModelFileInvalid',
    );
  });
});
