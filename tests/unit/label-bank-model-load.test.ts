// A label set belongs to the model it was made for: a model load forgets it, and a set made
// for a model that is no longer loaded never becomes current.
import { describe, expect, it } from 'vitest';
import { LabelBank, ModelChanged, type LabelContext } from '../../src/worker/label-bank.ts';
import { errorOf } from '../errors.ts';

const noStore = {
  getLabelEmbeddings: () => Promise.resolve([]),
  putLabelEmbeddings: () => Promise.resolve(),
};

/** A text tower of `dim` whose vector for a text is fixed by its length. */
const context = (model: string, dim: number, stillCurrent?: () => boolean): LabelContext => ({
  model,
  textDtype: 'fp32',
  dim,
  encode: (texts) =>
    Promise.resolve(
      Float32Array.from({ length: texts.length * dim }, (_, i) =>
        i % dim === (texts[Math.floor(i / dim)]?.length ?? 0) % dim ? 1 : 0.1,
      ),
    ),
  batchSize: 1,
  readModelFile: () => Promise.resolve(undefined),
  stillCurrent,
});

const labels = [
  { id: 'cat', prompt: 'cat' },
  { id: 'dog', prompt: 'a dog' },
];
const unit = (dim: number) => Float32Array.from({ length: dim }, (_, i) => (i === 0 ? 1 : 0));

describe('LabelBank across model loads', () => {
  it('scores nothing between a model load and the next label set, then the new set', async () => {
    const bank = new LabelBank(noStore);
    await bank.set(labels, ['{}'], context('a', 4));
    expect(bank.score(['p'], [unit(4)]).labelIds).toEqual(['cat', 'dog']);

    const version = bank.version;
    bank.forgetSet();
    expect(bank.version).toBeGreaterThan(version);
    // The next model's photos (another size) are shown with no scores, not scored against a's.
    const between = bank.score(['p'], [unit(8)]);
    expect(between.labelIds).toEqual([]);
    expect(between.scores.length).toBe(0);

    await bank.set(labels, ['{}'], context('b', 8));
    const after = bank.score(['p'], [unit(8)]);
    expect(after.labelIds).toEqual(['cat', 'dog']);
    expect(after.scores.length).toBe(2);
  });

  it('refuses to make current a set whose model was unloaded meanwhile', async () => {
    const bank = new LabelBank(noStore);
    await bank.set(labels, ['{}'], context('a', 4));
    const version = bank.version;
    const error = await bank
      .set(
        labels,
        ['{}'],
        context('b', 4, () => false),
      )
      .catch((e) => e);
    expect(error).toBeInstanceOf(ModelChanged);
    expect(bank.version).toBe(version);
  });

  it('treats photo embeddings of another size than the set as a broken invariant', async () => {
    const bank = new LabelBank(noStore);
    await bank.set(labels, ['{}'], context('a', 4));
    expect(errorOf(() => bank.score(['p'], [unit(8)])).name).toBe('InferenceFailed');
  });
});
