import { describe, expect, it } from 'vitest';
import { MumicError } from '../../src/core/errors.ts';
import { evaluate, type EvaluationReport } from '../../src/core/metrics.ts';
import { scoreImages } from '../../src/core/score.ts';
import {
  adapt,
  applyAdapted,
  evaluateAdaptation,
  type AdaptInput,
  type AdaptResult,
  type FeedbackEntry,
} from '../../src/core/adapt/index.ts';
import {
  makeSynthetic,
  syntheticFeedback,
  type SyntheticData,
} from '../../src/core/adapt/synthetic.ts';

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from }, (_, i) => from + i);

function inputOf(data: SyntheticData, feedback: FeedbackEntry[]): AdaptInput {
  return {
    images: data.images,
    dim: data.dim,
    labelEmbeddings: data.labelEmbeddings,
    labelIds: data.labelIds,
    feedback,
  };
}

/** Metrics on photos that gave no feedback, complete truth, scored as the app would score. */
function heldOut(data: SyntheticData, result: AdaptResult | null, photos: number[]) {
  const { dim } = data;
  const m = data.labelIds.length;
  const images = new Float32Array(photos.length * dim);
  const truth = new Uint8Array(photos.length * m);
  photos.forEach((p, k) => {
    images.set(data.images.subarray(p * dim, (p + 1) * dim), k * dim);
    truth.set(data.truth.subarray(p * m, (p + 1) * m), k * m);
  });
  const applied = applyAdapted(result?.labels ?? [], data.labelIds, data.labelEmbeddings, dim);
  const scored = scoreImages(images, applied.labelEmbeddings, dim, data.labelIds, applied.scoring);
  return evaluate(scored.logits, truth, m);
}

const fmt = (r: Pick<EvaluationReport, 'gapAtK' | 'gap' | 'macroMAP'>): string =>
  `GAP@10 ${r.gapAtK?.toFixed(3)}, GAP ${r.gap?.toFixed(3)}, macro mAP ${r.macroMAP?.toFixed(3)}`;

describe('adapt on synthetic hidden directions (text matches each at cos 0.5)', () => {
  // 8 labels in 64-d; a person gave feedback on a fifth of the labels of 300 photos (~480 cells);
  // 500 other photos, with complete truth, measure the effect.
  const data = makeSynthetic({ seed: 7 });
  const feedback = syntheticFeedback(data, range(0, 300), 0.2, 7);
  const test = range(300, 800);

  it('raises held-out macro mAP well above zero-shot, the same numbers on every run', () => {
    const first = adapt(inputOf(data, feedback));
    const again = adapt(inputOf(data, feedback));
    expect(again).toEqual(first);
    const before = heldOut(data, null, test);
    const after = heldOut(data, first, test);
    console.log(
      `synthetic, ${feedback.length} feedback cells, 500 held-out photos:\n` +
        `  zero-shot: ${fmt(before)}\n  adapted:   ${fmt(after)} (${first.epochs} epochs)`,
    );
    expect(before.macroMAP ?? 1).toBeLessThan(0.4);
    expect(after.macroMAP ?? 0).toBeGreaterThan((before.macroMAP ?? 1) + 0.4);
    expect(after.gap ?? 0).toBeGreaterThan((before.gap ?? 1) + 0.4);
    expect(after.gapAtK ?? 0).toBeGreaterThan((before.gapAtK ?? 1) + 0.4);
  });

  it('reports the same gain through its own k-fold evaluation of the feedback', () => {
    const evaluation = evaluateAdaptation(inputOf(data, feedback));
    expect(evaluation).not.toBeNull();
    if (evaluation === null) return;
    console.log(
      `k-fold (${evaluation.folds} folds, ${evaluation.heldOutEntries} held-out cells):\n` +
        `  zero-shot: ${fmt(evaluation.before)}\n  adapted:   ${fmt(evaluation.after)}`,
    );
    expect(evaluation.scheme).toBe('k-fold');
    expect(evaluation.heldOutEntries).toBe(feedback.length);
    expect(evaluation.after.macroMAP ?? 0).toBeGreaterThan((evaluation.before.macroMAP ?? 1) + 0.3);
    expect(evaluateAdaptation(inputOf(data, feedback))).toEqual(evaluation);
  });

  it('does not depend on the order of the feedback; a later correction replaces an earlier one', () => {
    const shuffled = [...feedback].reverse();
    expect(adapt(inputOf(data, shuffled))).toEqual(adapt(inputOf(data, feedback)));
    const first = feedback[0];
    if (first === undefined) throw new Error('no feedback');
    const flipped: FeedbackEntry = { ...first, value: first.value === 1 ? -1 : 1 };
    // The flipped entry first, the real one after it: the real one wins.
    expect(adapt(inputOf(data, [flipped, ...feedback]))).toEqual(adapt(inputOf(data, feedback)));
  });

  it('keeps zero-shot parameters for labels without feedback (per-label mode)', () => {
    const some = feedback.filter((f) => f.label === 'label-1' || f.label === 'label-4');
    const result = adapt(inputOf(data, some));
    expect(result.labels.map((l) => l.id).sort()).toEqual(['label-1', 'label-4']);
    const applied = applyAdapted(result.labels, data.labelIds, data.labelEmbeddings, data.dim);
    expect(Object.keys(applied.scoring.overrides ?? {}).sort()).toEqual(['label-1', 'label-4']);
    const { dim } = data;
    for (const j of [0, 2, 3, 5, 6, 7]) {
      expect(applied.labelEmbeddings.subarray(j * dim, (j + 1) * dim)).toEqual(
        data.labelEmbeddings.subarray(j * dim, (j + 1) * dim),
      );
    }
  });

  it('global mode fits one temperature and bias, applied to every label', () => {
    const result = adapt(inputOf(data, feedback), { mode: 'global', residual: false });
    expect(result.labels).toHaveLength(data.labelIds.length);
    const [first] = result.labels;
    for (const l of result.labels) {
      expect(l.temperature).toBe(first?.temperature);
      expect(l.bias).toBe(first?.bias);
      expect(l.residual).toBeNull();
    }
    // (t, b) shared by all labels cannot reorder a label's photos: macro mAP is unchanged.
    expect(heldOut(data, result, test).macroMAP).toBeCloseTo(
      heldOut(data, null, test).macroMAP ?? 0,
      12,
    );
  });

  it('trains on all of very little feedback without a validation split, and stays sane', () => {
    const tiny = syntheticFeedback(data, range(0, 3), 1, 7);
    const result = adapt(inputOf(data, tiny));
    expect(result.validation).toBeNull();
    expect(result.epochs).toBe(result.options.maxEpochs);
    const before = heldOut(data, null, test).macroMAP ?? 0;
    const after = heldOut(data, result, test).macroMAP ?? 0;
    console.log(`3 photos of feedback: macro mAP ${before.toFixed(3)} → ${after.toFixed(3)}`);
    expect(after).toBeGreaterThan(before - 0.05);
  });

  it('refuses bad feedback and bad options with InvalidArgument naming the problem', () => {
    const expectError = (fn: () => unknown, text: string): void => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(MumicError);
        expect((error as MumicError).name).toBe('InvalidArgument');
        expect((error as MumicError).message).toContain(text);
        return;
      }
      throw new Error('expected an error');
    };
    const entry = (e: Partial<FeedbackEntry>): FeedbackEntry[] => [
      { photo: 0, label: 'label-0', value: 1, ...e } as FeedbackEntry,
    ];
    expectError(() => adapt(inputOf(data, entry({ label: 'pool' }))), 'unknown label "pool"');
    expectError(() => adapt(inputOf(data, entry({ photo: 800 }))), 'photo index 800');
    expectError(() => adapt(inputOf(data, entry({ value: 0 as 1 }))), 'value must be 1');
    expectError(() => adapt(inputOf(data, feedback), { gamma: -1 }), 'gamma');
    expectError(
      () => adapt({ ...inputOf(data, feedback), labelIds: ['x'] }),
      'label embeddings but 1 label ids',
    );
  });
});
