// Whether a head belongs to the loaded model, dtype, dimension, template set and labels
// (HeadMismatch, naming what differs).
import { MumicError } from '../errors.ts';
import type { HeadExpectation, MumicHead } from './head.ts';

const mismatch = (reason: string): MumicError => new MumicError('HeadMismatch', reason);

function preview(ids: readonly string[]): string {
  const shown = ids.slice(0, 5).map((id) => `"${id}"`);
  return ids.length > 5 ? `${shown.join(', ')} and ${ids.length - 5} more` : shown.join(', ');
}

/** Refuses (HeadMismatch) a well-formed head made for another model or label set. */
export function checkHeadFits(head: MumicHead, expected: HeadExpectation): MumicHead {
  const { model } = head;
  if (model.id !== expected.modelId) {
    throw mismatch(
      `it was made for model "${model.id}", the loaded model is "${expected.modelId}"`,
    );
  }
  if (model.dtype !== expected.dtype) {
    throw mismatch(
      `it was made with ${model.dtype} embeddings, the loaded model uses ${expected.dtype}`,
    );
  }
  if (model.projectionDim !== expected.projectionDim) {
    throw mismatch(
      `it has ${model.projectionDim}-d label vectors, the model embeds in ${expected.projectionDim}-d`,
    );
  }
  if (expected.templates !== undefined && head.templates !== expected.templates) {
    throw mismatch(
      `it was made with prompt templates ${head.templates}, the current ones are ${expected.templates}`,
    );
  }
  if (expected.labelIds !== undefined) {
    const ids = expected.labelIds;
    const index = new Map(ids.map((id, j) => [id, j]));
    const missing = head.labels.filter((l) => !index.has(l.id)).map((l) => l.id);
    if (missing.length > 0) {
      throw mismatch(
        `it was made for other labels: ${preview(missing)} ${missing.length === 1 ? 'is' : 'are'} not in the current label set`,
      );
    }
    const texts = expected.labelTexts;
    if (texts !== undefined) {
      if (texts.length !== ids.length) {
        throw new MumicError(
          'InvalidArgument',
          `${texts.length} label texts for ${ids.length} labels`,
        );
      }
      for (const l of head.labels) {
        const current = texts[index.get(l.id) ?? 0];
        if (current !== l.text) {
          throw mismatch(
            `label "${l.id}" was adapted for the text "${l.text}", it now reads "${current}"`,
          );
        }
      }
    }
  }
  return head;
}
