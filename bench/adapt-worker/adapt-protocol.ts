// Messages between the adapt benchmark page and its worker.
import type { AdaptRequest } from '../../src/shared/worker-api.ts';

export interface AdaptCase {
  name: string;
  /** Per label: its top-scoring photos and random others (bench/adapt-cases.ts appFeedback). */
  top: number;
  others: number;
  request: AdaptRequest;
  runs: number;
}

export interface AdaptTiming {
  name: string;
  cells: number;
  /** Median ms of what the app's adapt action runs in its worker: evaluation (k-fold) + adapt. */
  trainMs: number;
  /** Median ms of adapt alone (the target), and of rescoring the 1,000 photos. */
  adaptMs: number;
  rescoreMs: number;
  adaptedLabels: number;
  before: number | null;
  after: number | null;
}
