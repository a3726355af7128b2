/**
 * A kept head against a label set that changed since it was trained. An imported file is checked
 * strictly (checkHeadFits refuses it whole); a head already in use is applied leniently instead:
 * labels removed or reworded since lose their adaptation (they fall back to zero-shot) and are
 * listed with the reason, the rest keep it. Refusing the whole head because a person removed one
 * label would throw away everything they taught the others.
 */
import type { HeadLabel, MumicHead } from './head.ts';

export interface LabelSetNow {
  readonly labelIds: readonly string[];
  /** Prompt texts aligned with labelIds. */
  readonly labelTexts: readonly string[];
  /** The current templateSetKey. */
  readonly templates: string;
  /** The loaded model's embedding size. */
  readonly projectionDim: number;
}

export interface HeadFit {
  /** Head labels that apply to the current set. */
  readonly labels: HeadLabel[];
  /** Head labels that do not, each with why. */
  readonly left: { readonly id: string; readonly reason: string }[];
}

export function fitHeadToLabels(head: MumicHead, now: LabelSetNow): HeadFit {
  const none = (reason: string): HeadFit => ({
    labels: [],
    left: head.labels.map((l) => ({ id: l.id, reason })),
  });
  if (head.model.projectionDim !== now.projectionDim) {
    return none(
      `it was made for ${head.model.projectionDim}-d vectors, the model has ${now.projectionDim}`,
    );
  }
  // Residuals were learned on vectors of other prompts: none of them applies.
  if (head.templates !== now.templates)
    return none('the prompt templates changed since it was adapted');
  const textOf = new Map(now.labelIds.map((id, j) => [id, now.labelTexts[j]]));
  const labels: HeadLabel[] = [];
  const left: HeadFit['left'] = [];
  for (const l of head.labels) {
    const text = textOf.get(l.id);
    if (text === undefined) left.push({ id: l.id, reason: 'it is not in the label set' });
    else if (text !== l.text) left.push({ id: l.id, reason: 'its text changed' });
    else labels.push(l);
  }
  return { labels, left };
}
