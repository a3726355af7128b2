// Runs the app worker's adaptation code (src/worker/adaptation.ts trainHead, then the head applied
// and 1,000 photos rescored) in a dedicated worker in Chromium, on bench/adapt-cases.ts data.
import { adapt, applyHead, type PhotoFeedback } from '../../src/core/adapt/index.ts';
import { normalizeRows, scoreImages } from '../../src/core/score.ts';
import { adaptOptions, trainHead } from '../../src/worker/adaptation.ts';
import { appFeedback, benchData } from '../adapt-cases.ts';
import type { AdaptCase, AdaptTiming } from './adapt-protocol.ts';

const data = benchData();
const dim = data.dim;
const hashOf = (i: number): string => i.toString(16).padStart(64, '0');
const rows = new Map(
  Array.from({ length: data.images.length / dim }, (_, i) => [
    hashOf(i),
    data.images.subarray(i * dim, (i + 1) * dim),
  ]),
);
const labels = {
  ids: data.labelIds,
  prompts: data.labelIds.map((id) => `a photo of ${id}`),
  matrix: normalizeRows(data.labelEmbeddings, dim),
  dim,
  templateKey: 'bench',
};

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1] ?? NaN;

function run(c: AdaptCase): AdaptTiming {
  const cells = appFeedback(data, c.top, c.others);
  const feedback: PhotoFeedback[] = cells.map((f) => ({
    hash: hashOf(f.photo),
    label: f.label,
    value: f.value,
  }));
  const train: number[] = [];
  const only: number[] = [];
  const rescore: number[] = [];
  let timing: Omit<AdaptTiming, 'trainMs' | 'adaptMs' | 'rescoreMs'> | undefined;
  for (let r = 0; r < c.runs; r++) {
    let t = performance.now();
    const { head } = trainHead(
      feedback,
      labels,
      (h) => rows.get(h),
      { id: 'bench', visionDtype: 'q8' },
      c.request,
    );
    train.push(performance.now() - t);
    t = performance.now();
    adapt(
      {
        images: data.images,
        dim,
        labelEmbeddings: labels.matrix,
        labelIds: labels.ids,
        feedback: cells,
      },
      adaptOptions(c.request),
    );
    only.push(performance.now() - t);
    t = performance.now();
    const applied = applyHead(head, labels.ids, labels.matrix, dim);
    scoreImages(data.images, applied.labelEmbeddings, dim, labels.ids, applied.scoring);
    rescore.push(performance.now() - t);
    timing = {
      name: c.name,
      cells: cells.length,
      adaptedLabels: head.labels.length,
      before: head.metrics?.before.macroMAP ?? null,
      after: head.metrics?.after.macroMAP ?? null,
    };
  }
  return {
    ...(timing as AdaptTiming),
    trainMs: median(train),
    adaptMs: median(only),
    rescoreMs: median(rescore),
  };
}

self.onmessage = (e: MessageEvent<AdaptCase[]>) => {
  try {
    self.postMessage({ results: e.data.map(run) });
  } catch (error) {
    self.postMessage({ error: String((error as Error).stack ?? error) });
  }
};
