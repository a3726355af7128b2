// Adaptation in the worker, on what it already holds: the photos' stored embeddings (by content
// hash) and the zero-shot label set. The image and text encoders never run here.
import {
  adapt,
  buildHead,
  evaluateAdaptation,
  type AdaptOptions,
  type FeedbackEntry,
  type MumicHead,
  type PhotoFeedback,
} from '../core/adapt/index.ts';
import { MumicError } from '../core/errors.ts';
import type { Dtype } from '../core/types.ts';
import type { AdaptOutcome, AdaptRequest, HeadState } from '../shared/worker-api.ts';
import type { LabelBank, ZeroShotSet } from './label-bank.ts';

export interface TrainingSet {
  images: Float32Array;
  feedback: FeedbackEntry[];
  used: AdaptOutcome['used'];
  ignored: AdaptOutcome['ignored'];
}

/**
 * The adaptation input from stored feedback: one image row per photo content with feedback on a
 * label of the current set. Feedback on labels not in the set, or on pictures this model has no
 * embedding of (added under another model, or removed), is counted and left out.
 */
export function trainingSet(
  feedback: readonly PhotoFeedback[],
  labels: ZeroShotSet,
  embeddingOf: (hash: string) => Float32Array | undefined,
): TrainingSet {
  const inSet = new Set(labels.ids);
  const rowOf = new Map<string, number>();
  const rows: Float32Array[] = [];
  const entries: FeedbackEntry[] = [];
  const ignored = { notInLabels: 0, noEmbedding: 0 };
  for (const f of feedback) {
    if (!inSet.has(f.label)) {
      ignored.notInLabels++;
      continue;
    }
    let photo = rowOf.get(f.hash);
    if (photo === undefined) {
      const embedding = embeddingOf(f.hash);
      if (!embedding) {
        ignored.noEmbedding++;
        continue;
      }
      photo = rows.length;
      rows.push(embedding);
      rowOf.set(f.hash, photo);
    }
    entries.push({ photo, label: f.label, value: f.value });
  }
  const images = new Float32Array(rows.length * labels.dim);
  rows.forEach((r, i) => images.set(r, i * labels.dim));
  return {
    images,
    feedback: entries,
    used: {
      photos: rows.length,
      entries: entries.length,
      positives: entries.filter((e) => e.value === 1).length,
      labels: new Set(entries.map((e) => e.label)).size,
    },
    ignored,
  };
}

/** Core options from what the page may set (anything else: core defaults). */
export function adaptOptions(request: AdaptRequest = {}): Partial<AdaptOptions> {
  const options: { -readonly [K in keyof AdaptOptions]?: AdaptOptions[K] } = {};
  if (request.gamma !== undefined) options.gamma = request.gamma;
  if (request.residual !== undefined) options.residual = request.residual;
  if (request.mode !== undefined) options.mode = request.mode;
  return options;
}

export interface ModelRef {
  id: string;
  visionDtype: Dtype;
}

/** Trains and evaluates a head on the stored feedback (synchronous: the worker's own thread). */
export function trainHead(
  feedback: readonly PhotoFeedback[],
  labels: ZeroShotSet,
  embeddingOf: (hash: string) => Float32Array | undefined,
  model: ModelRef,
  request: AdaptRequest = {},
): { head: MumicHead; used: TrainingSet['used']; ignored: TrainingSet['ignored'] } {
  const set = trainingSet(feedback, labels, embeddingOf);
  if (set.feedback.length === 0) {
    const why =
      feedback.length === 0
        ? 'there is no feedback yet: confirm or reject labels on a few photos first'
        : `none of the ${feedback.length} answers is on a stored photo and a current label`;
    throw new MumicError('InvalidArgument', `Nothing to adapt: ${why}.`);
  }
  const input = {
    images: set.images,
    dim: labels.dim,
    labelEmbeddings: labels.matrix,
    labelIds: labels.ids,
    feedback: set.feedback,
    scoring: labels.scoring,
  };
  const options = adaptOptions(request);
  const evaluation = evaluateAdaptation(input, options);
  const result = adapt(input, options);
  const head = buildHead(result, {
    model: { id: model.id, dtype: model.visionDtype, projectionDim: labels.dim },
    templates: labels.templateKey,
    labelTexts: labels.prompts,
    evaluation,
  });
  return { head, used: set.used, ignored: set.ignored };
}

/** What the page shows of the head in use. */
export function describeHead(bank: LabelBank, source: HeadState['source']): HeadState | null {
  const head = bank.currentHead;
  if (!head) return null;
  const fit = bank.headFit();
  return {
    source,
    trainedAt: head.trainedAt,
    adapted: fit?.labels.map((l) => l.id) ?? [],
    left: fit?.left ?? head.labels.map((l) => ({ id: l.id, reason: 'no label set yet' })),
    metrics: head.metrics,
    training: head.training ?? null,
  };
}
