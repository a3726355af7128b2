// The adaptation benchmark's data, shared by the Node run (bench/adapt.ts) and the in-worker run
// in Chromium (bench/adapt-browser.ts): 120 labels × 1,000 cached photos × 512-d, synthetic.
import type { FeedbackEntry } from '../src/core/adapt/index.ts';
import { createRandom, shuffleInPlace } from '../src/core/adapt/random.ts';
import { makeSynthetic, type SyntheticData } from '../src/core/adapt/synthetic.ts';
import { cosineMatrix } from '../src/core/score.ts';

export const NUM_PHOTOS = 1000;

export function benchData(): SyntheticData {
  return makeSynthetic({
    dim: 512,
    numLabels: 120,
    numPhotos: NUM_PHOTOS,
    prevalence: 0.03,
    seed: 1,
  });
}

/**
 * Feedback as a person gives it in the app: per label, the `top` photos it scores highest on
 * (the ones shown with it) and `others` random photos.
 */
export function appFeedback(data: SyntheticData, top: number, others: number): FeedbackEntry[] {
  const m = data.labelIds.length;
  const n = data.images.length / data.dim;
  const cosines = cosineMatrix(data.images, data.labelEmbeddings, data.dim);
  const random = createRandom(3);
  const out: FeedbackEntry[] = [];
  data.labelIds.forEach((label, j) => {
    const order = Array.from({ length: n }, (_, i) => i).sort(
      (a, b) => (cosines[b * m + j] ?? 0) - (cosines[a * m + j] ?? 0),
    );
    const rest = shuffleInPlace(Int32Array.from(order.slice(top)), random);
    for (const photo of [...order.slice(0, top), ...rest.subarray(0, others)]) {
      out.push({ photo, label, value: data.truth[photo * m + j] === 1 ? 1 : -1 });
    }
  });
  return out;
}
