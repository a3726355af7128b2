// The worker entry: the one comlink expose. Results' buffers are transferred, not copied.
import { expose, transfer } from 'comlink';
import type { ScoreTable, WorkerApi } from '../shared/worker-api.ts';
import { ClipService } from './clip-service.ts';

const service = new ClipService();

/** The table's buffers, each once (an empty table may share one). */
const buffersOf = (table: ScoreTable): ArrayBuffer[] => [
  ...new Set([table.scores.buffer as ArrayBuffer, table.cosines.buffer as ArrayBuffer]),
];

/**
 * Calls of the page's callbacks that the page has not finished yet. A callback travels on its own
 * MessagePort, so without waiting, a call's last progress or update could reach the page after
 * the call's answer; every call below waits for its callbacks before it answers.
 */
class Deliveries {
  private readonly pending = new Set<Promise<unknown>>();

  /** Wraps a page callback: not awaited by the caller (results stream), but tracked. */
  track<A extends unknown[]>(callback: ((...args: A) => unknown) | undefined) {
    if (!callback) return undefined;
    return (...args: A): void => {
      const delivery = Promise.resolve(callback(...args)).catch(() => undefined);
      this.pending.add(delivery);
      void delivery.finally(() => this.pending.delete(delivery));
    };
  }

  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}

/** Model-loading progress also reports the text tower, which loads during a later setLabels. */
const modelProgress = new Deliveries();

const api: WorkerApi = {
  async loadModel(request, onProgress) {
    const status = await service.loadModel(request, modelProgress.track(onProgress));
    await modelProgress.settled();
    return status;
  },
  status: () => service.status(),
  async embedImages(files) {
    const outcomes = await service.embedImages(files);
    const buffers = outcomes.flatMap((o) =>
      'embedding' in o ? [o.embedding.buffer as ArrayBuffer] : [],
    );
    return transfer(outcomes, buffers);
  },
  async embedTexts(texts) {
    const result = await service.embedTexts(texts);
    return transfer(result, [result.embeddings.buffer as ArrayBuffer]);
  },
  async setLabels(labels, templates, onProgress) {
    const deliveries = new Deliveries();
    const result = await service.setLabels(labels, templates, deliveries.track(onProgress));
    await Promise.all([deliveries.settled(), modelProgress.settled()]);
    return transfer(result, buffersOf(result.table));
  },
  async restore() {
    const result = await service.restore();
    return transfer(result, buffersOf(result.table));
  },
  async classify(inputs, onUpdate) {
    const deliveries = new Deliveries();
    const send = deliveries.track(onUpdate);
    const summary = await service.classify(inputs, (update) =>
      send?.(transfer(update, buffersOf(update.table))),
    );
    await deliveries.settled();
    return summary;
  },
  cancel: () => service.cancel(),
  async scorePhotos(ids) {
    const table = await service.scorePhotos(ids);
    return transfer(table, buffersOf(table));
  },
  removePhotos: (ids) => service.removePhotos(ids),
  clearAll: () => service.clearAll(),
  getSetting: (key) => service.getSetting(key),
  putSetting: (key, value) => service.putSetting(key, value),
  listFeedback: () => service.listFeedback(),
  setFeedback: (changes) => service.setFeedback(changes),
  exportFeedback: () => service.exportFeedback(),
  importFeedback: (json) => service.importFeedback(json),
  async adapt(request) {
    const outcome = await service.adapt(request);
    return transfer(outcome, buffersOf(outcome.table));
  },
  headState: () => service.headState(),
  exportHead: () => service.exportHead(),
  async importHead(json) {
    const change = await service.importHead(json);
    return transfer(change, buffersOf(change.table));
  },
  async clearHead() {
    const change = await service.clearHead();
    return transfer(change, buffersOf(change.table));
  },
  // ---- local model folders (issue 5)
  async installLocalModel(request, onProgress) {
    const deliveries = new Deliveries();
    const summary = await service.installLocalModel(request, deliveries.track(onProgress));
    await deliveries.settled();
    return summary;
  },
  localModels: (modelsUrl) => service.localModels(modelsUrl),
  removeLocalModel: (modelsUrl, id) => service.removeLocalModel(modelsUrl, id),
};

expose(api);
