import './styles.css';
import { readAppParams } from './app-params.ts';
import { App } from './app.ts';
import { startWorker, storedLibrary } from './bridge.ts';
import { collectDrop, collectPaste } from './collect-files.ts';
import { ModelPicker, startModelId } from './model-picker-state.ts';
import { ModelSwitch } from './state/model-switch.ts';
import { View } from './view.ts';
import { LibraryPreview } from './state/library-preview.ts';

const params = readAppParams(location.search);
const { bridge, supervisor } = startWorker({
  fault: params.workerFault,
  deadlineMs: params.workerDeadlineMs,
});
const root = document.querySelector<HTMLDivElement>('#app');
if (!root) throw new Error('#app missing');

// The callback runs only after start-up begins, when `view` exists.
const app = new App(bridge, params, () => view.update());
supervisor.onFailure = (error) => app.workerFailed(error);
const view = new View(root, app);
view.renderNow();

// Drops anywhere on the page; the drop zone lights up while something is dragged over.
const hasFiles = (e: DragEvent): boolean => e.dataTransfer?.types.includes('Files') ?? false;
let depth = 0;
document.addEventListener('dragenter', (e) => {
  if (!hasFiles(e)) return;
  depth++;
  if (!view.dragging) {
    view.dragging = true;
    view.update();
  }
});
document.addEventListener('dragleave', (e) => {
  if (!hasFiles(e)) return;
  depth = Math.max(0, depth - 1);
  if (depth === 0) {
    view.dragging = false;
    view.update();
  }
});
document.addEventListener('dragover', (e) => {
  if (!hasFiles(e)) return;
  e.preventDefault();
  if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
});
document.addEventListener('drop', (e) => {
  if (!e.dataTransfer || !hasFiles(e)) return;
  e.preventDefault();
  depth = 0;
  view.dragging = false;
  collectDrop(e.dataTransfer).then(
    (collected) => app.library.add(collected),
    (error: unknown) => app.messages.notify(error),
  );
});
document.addEventListener('paste', (e) => {
  if (!e.clipboardData || e.clipboardData.files.length === 0) return;
  e.preventDefault();
  app.library.add(collectPaste(e.clipboardData));
});

const DEFAULT_MODEL = 'clip-vit-base-patch32';
const base = new URL(import.meta.env.BASE_URL, location.href);
const wasmPaths = new URL('ort/', base).href;
const picker = new ModelPicker(
  bridge,
  {
    modelsUrl: new URL('models/', base).href,
    wasmPaths,
    backend: params.backend,
    dtype: params.dtype,
  },
  () => view.update(),
);
app.modelPicker = picker;
const models = new ModelSwitch(app, new URL('models/', base).href, picker);
app.models = models;
// Read-only beside the worker's store: the stored photos are shown while the model loads.
app.preview = new LibraryPreview(storedLibrary());
void picker.state().then(() => models.refresh());

interface Started {
  ready: Promise<unknown>;
  done: Promise<void>;
}

/** Start-up with one model; on failure the no-model screen lists the models chosen earlier. */
function startWith(modelId: string): Started {
  const { model: ready, done } = app.start({
    id: modelId,
    baseUrl: new URL(`models/${encodeURIComponent(modelId)}/`, base).href,
    wasmPaths,
    dtype: params.dtype,
    backend: params.backend,
    prepareWorker: params.prepareWorker,
    embedders: params.embedders,
  });
  // Failures are shown in the page; tests read them from these promises.
  ready.catch(() => void picker.state());
  done.catch(() => undefined);
  return { ready, done };
}

// A console and test handle: the worker bridge (the same API the UI uses), the model's status
// once loaded (`ready`), and the end of start-up: labels and stored photos in (`done`). Both are
// replaced when another model is started from the no-model screen.
const handle = {
  bridge,
  supervisor,
  app,
  ready: Promise.resolve<unknown>(undefined),
  done: Promise.resolve(),
};
Object.assign(globalThis, { mumic: handle });

const publish = (started: Promise<Started>): void => {
  handle.ready = started.then((s) => s.ready);
  handle.done = started.then((s) => s.done);
  handle.ready.catch(() => undefined);
  handle.done.catch(() => undefined);
};

// Without ?model: the default when the server has it, else the model last chosen from disk.
publish(
  (params.model !== undefined ? Promise.resolve(undefined) : picker.state()).then((state) => {
    const id = startModelId(params.model, DEFAULT_MODEL, state);
    // Named in the status line ("Loading model …") when it is not the default.
    if (id !== DEFAULT_MODEL) params.model = id;
    return startWith(id);
  }),
);

// A model folder was chosen and stored (or a stored one picked): it becomes the URL's model, so
// a reload opens it too, and start-up runs again with it, without a reload.
// The model menu loads through the same path, after keeping the photos shown aside (ModelSwitch).
const use = (id: string): void => {
  params.model = id;
  const url = new URL(location.href);
  url.searchParams.set('model', id);
  history.replaceState(history.state, '', url);
  const started = startWith(id);
  started.done.then(
    () => models.arrived(),
    () => undefined,
  );
  publish(Promise.resolve(started));
  void picker.state().then(() => models.refresh());
};
picker.onUse = use;
models.onLoad = use;
