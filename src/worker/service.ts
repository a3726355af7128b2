// The composition root of the worker: one instance of each capability, wired to one store and
// one model host. Each capability implements its part of WorkerApi; `satisfies WorkerApi` below
// checks at compile time that together they implement all of it.
import {
  applyLabelChange,
  LABEL_SETTINGS_KEY,
  type LabelChange,
  type LabelSettings,
} from '../core/labels/label-settings.ts';
import type { LocalModelInstallRequest, WorkerApi } from '../shared/worker-api.ts';
import type { MumicStore } from '../store/types.ts';
import { Classify } from './classify/classify.ts';
import { LabelBank } from './label-bank.ts';
import { Labels } from './labels/labels.ts';
import { Learning } from './learning/learning.ts';
import { PhotoLibrary } from './library/library.ts';
import { LibrarySearch } from './library/search.ts';
import { TabChanges } from './library/tab-changes.ts';
import { LocalModels, type LocalModelsOptions } from './local-model.ts';
import { ModelHost, type ModelHostOptions } from './models/model-host.ts';

export interface WorkerParts {
  store: MumicStore;
  /** Encoder sessions, model files, decoding (defaults: onnxruntime-web, fetch, PrepareThread). */
  models?: ModelHostOptions | undefined;
  localModels?: LocalModelsOptions | undefined;
}

/** The methods `names` of `part`, bound to it. */
function pick<T, K extends keyof T>(part: T, ...names: K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const name of names) {
    const method = part[name];
    out[name] = (typeof method === 'function' ? method.bind(part) : method) as T[K];
  }
  return out;
}

export function createWorkerApi({ store, models: modelOptions, localModels }: WorkerParts) {
  const models = new ModelHost(modelOptions);
  const bank = new LabelBank(store);
  const library = new PhotoLibrary(store, models, bank);
  const labels = new Labels(bank, models, library);
  const learning = new Learning(store, models, bank, labels, library);
  const classify = new Classify(store, models, bank, library, labels);
  const folders = new LocalModels(localModels);
  const search = new LibrarySearch(models, library);
  models.onLoad = () => {
    library.forget();
    bank.forgetSet();
  };
  const tabs = new TabChanges(store, models, bank, library);

  /** Empties memory, then `finish` (the store's wipe, or taking another tab's wipe). */
  async function dropEverything(finish: () => Promise<void>): Promise<void> {
    // Waits for the classify calls under way: their last batch must not be stored after the wipe.
    await classify.stopAll();
    // Behind any adapt or head import under way, so none of them stores a head after the wipe.
    await labels.queue.run(() =>
      learning.feedbackQueue.run(async () => {
        bank.reset();
        bank.setHead(undefined);
        await library.empty();
        search.release();
        await finish();
      }),
    );
  }

  /** Cross-capability methods: settings, wiping everything, and models chosen from disk. */
  const root = {
    getSetting: (key: string) => store.getSetting(key),
    putSetting: (key: string, value: unknown) => store.putSetting(key, value),
    changeLabelSettings: (change: LabelChange, fallback: LabelSettings) =>
      store.updateSetting(LABEL_SETTINGS_KEY, (s) => applyLabelChange(s, change, fallback)),
    tidyStore: () => store.moveThumbnails?.() ?? Promise.resolve(),
    clearAll: () => dropEverything(() => store.clearEverything()),
    /** Another tab cleared everything: drop what this one holds, once nothing here can write. */
    clearedElsewhere: () => dropEverything(() => store.followClear()),
    // In the label queue, as a clear is: one read before a clear cannot be taken in after it.
    photosChangedElsewhere: (added: string[], removed: string[]) =>
      labels.queue.run(() => tabs.photosChangedElsewhere(added, removed)),
    headChangedElsewhere: () => labels.queue.run(() => tabs.headChangedElsewhere()),
    installLocalModel: (
      request: LocalModelInstallRequest,
      onProgress?: Parameters<WorkerApi['installLocalModel']>[1],
    ) => folders.install(request, onProgress),
    localModels: (modelsUrl: string) => folders.list(modelsUrl),
    async removeLocalModel(modelsUrl: string, id: string): Promise<void> {
      await folders.remove(modelsUrl, id);
      // What was kept of it: photos, embeddings, label vectors and the head of that id.
      await store.deleteModelData(id);
      // Its id may go to another folder later: nothing kept in memory may serve that one.
      bank.reset();
      if (models.current?.request.id === id) library.forget();
    },
  };

  return {
    ...pick(models, 'loadModel', 'status', 'embedImages', 'embedTexts', 'textWanted'),
    ...pick(labels, 'setLabels'),
    ...pick(library, 'restore', 'scorePhotos', 'removePhotos'),
    ...pick(classify, 'classify', 'cancel'),
    ...pick(
      learning,
      'listFeedback',
      'setFeedback',
      'exportFeedback',
      'importFeedback',
      'adapt',
      'headState',
      'exportHead',
      'importHead',
      'clearHead',
    ),
    ...pick(search, 'searchPhotos', 'similarPhotos', 'duplicatePhotos'),
    ...pick(search, 'morePhotos'),
    ...pick(library, 'photoThumbnails'),
    ...root,
  } satisfies WorkerApi;
}
