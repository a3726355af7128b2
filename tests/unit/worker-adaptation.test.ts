// The worker's adaptation steps on synthetic embeddings: which feedback is used, and that the
// label bank scores through the head it is given (the store is not touched here).
import { describe, expect, it } from 'vitest';
import { makeSynthetic, syntheticFeedback } from '../../src/core/adapt/synthetic.ts';
import type { PhotoFeedback } from '../../src/core/adapt/index.ts';
import { normalizeRows } from '../../src/core/score.ts';
import { describeHead, trainHead, trainingSet } from '../../src/worker/adaptation.ts';
import { LabelBank, type ZeroShotSet } from '../../src/worker/label-bank.ts';
import { errorOf } from '../errors.ts';

/** Label vectors are not read or stored here. */
const noStore = {
  getLabelEmbeddings: () => Promise.resolve([]),
  putLabelEmbeddings: () => Promise.resolve(),
};

const data = makeSynthetic({ numPhotos: 60, numLabels: 6, dim: 16, prevalence: 0.3, seed: 5 });
const hashOf = (i: number): string => i.toString(16).padStart(64, '0');
const embeddings = new Map(
  Array.from({ length: 60 }, (_, i) => [
    hashOf(i),
    data.images.slice(i * data.dim, (i + 1) * data.dim),
  ]),
);
const labels: ZeroShotSet = {
  ids: data.labelIds,
  prompts: data.labelIds.map((id) => `a photo of ${id}`),
  matrix: normalizeRows(data.labelEmbeddings, data.dim),
  dim: data.dim,
  templateKey: 'T',
};
const feedback: PhotoFeedback[] = syntheticFeedback(
  data,
  Array.from({ length: 40 }, (_, i) => i),
  0.6,
  7,
).map((f) => ({ hash: hashOf(f.photo), label: f.label, value: f.value }));

describe('trainingSet', () => {
  it('uses feedback on current labels and stored photos, and counts the rest', () => {
    const extra: PhotoFeedback[] = [
      { hash: hashOf(0), label: 'not-a-label', value: 1 },
      { hash: 'f'.repeat(64), label: data.labelIds[0] ?? '', value: 1 },
    ];
    const set = trainingSet([...feedback, ...extra], labels, (h) => embeddings.get(h));
    expect(set.ignored).toEqual({ notInLabels: 1, noEmbedding: 1 });
    expect(set.used.entries).toBe(feedback.length);
    expect(set.used.photos).toBe(new Set(feedback.map((f) => f.hash)).size);
    expect(set.images.length).toBe(set.used.photos * data.dim);
  });
});

describe('trainHead', () => {
  it('refuses to run without usable feedback, saying what to do', () => {
    const error = errorOf(() =>
      trainHead([], labels, (h) => embeddings.get(h), { id: 'm', visionDtype: 'fp32' }),
    );
    expect(error.name).toBe('InvalidArgument');
    expect(error.message).toContain('confirm or reject');
  });

  it('makes a head for the model with before/after metrics, and the bank scores through it', () => {
    const { head, used } = trainHead(feedback, labels, (h) => embeddings.get(h), {
      id: 'm',
      visionDtype: 'fp32',
    });
    expect(head.model).toEqual({ id: 'm', dtype: 'fp32', projectionDim: data.dim });
    expect(head.templates).toBe('T');
    expect(head.metrics?.scheme).toBe('k-fold');
    expect(used.labels).toBe(data.labelIds.length);
    expect(head.labels.length).toBeGreaterThan(0);

    const bank = new LabelBank(noStore);
    // The bank's set, as setLabels leaves it (without encoding anything).
    Object.assign(bank, {
      ids: [...labels.ids],
      prompts: [...labels.prompts],
      templateKey: 'T',
      matrix: labels.matrix,
      dim: labels.dim,
    });
    const ids = ['p0', 'p1'];
    const rows = [embeddings.get(hashOf(50)), embeddings.get(hashOf(51))] as Float32Array[];
    const before = bank.score(ids, rows);
    const version = bank.version;
    bank.setHead(head);
    const after = bank.score(ids, rows);
    expect(after.version).toBeGreaterThan(version);
    expect(after.scores).not.toEqual(before.scores);
    expect(describeHead(bank, 'trained')).toMatchObject({
      source: 'trained',
      adapted: head.labels.map((l) => l.id),
      left: [],
    });
    bank.setHead(undefined);
    expect(bank.score(ids, rows).scores).toEqual(before.scores);
  });
});

describe('a kept head after the label set changes', () => {
  it('keeps the adaptation of labels still there and says why the others lost it', async () => {
    const { head } = trainHead(feedback, labels, (h) => embeddings.get(h), {
      id: 'm',
      visionDtype: 'fp32',
    });
    const bank = new LabelBank(noStore);
    // IndexedDB is missing in Node: the bank notes it and encodes with the fake text encoder.
    const vectorOf = new Map(labels.prompts.map((p, j) => [p, j]));
    const ctx = {
      model: 'm',
      textDtype: 'fp32' as const,
      dim: data.dim,
      batchSize: 8,
      encode: (texts: string[]) => {
        const out = new Float32Array(texts.length * data.dim);
        texts.forEach((t, i) => {
          const j = vectorOf.get(t) ?? 0;
          out.set(labels.matrix.subarray(j * data.dim, (j + 1) * data.dim), i * data.dim);
        });
        return Promise.resolve(out);
      },
      readModelFile: () => Promise.resolve(undefined),
    };
    const refs = labels.ids.map((id, j) => ({ id, prompt: labels.prompts[j] ?? '' }));
    await bank.set(refs, ['{}'], ctx);
    const templates = bank.zeroShot.templateKey;
    bank.setHead({ ...head, templates });
    expect(bank.headFit()?.left).toEqual([]);
    const [first, second, ...rest] = refs;
    await bank.set(
      [{ ...(second as (typeof refs)[0]), prompt: 'other words' }, ...rest],
      ['{}'],
      ctx,
    );
    const fit = bank.headFit();
    expect(fit?.left).toEqual([
      { id: first?.id, reason: 'it is not in the label set' },
      { id: second?.id, reason: 'its text changed' },
    ]);
    expect(fit?.labels.map((l) => l.id)).toEqual(rest.map((r) => r.id));
  });
});
