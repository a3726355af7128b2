import './styles.css';
import { readAppParams } from './app-params.ts';
import { App } from './app.ts';
import { WorkerBridge } from './bridge.ts';
import { collectDrop, collectPaste } from './collect-files.ts';
import { View } from './view.ts';

const params = readAppParams(location.search);
const bridge = new WorkerBridge();
const root = document.querySelector<HTMLDivElement>('#app');
if (!root) throw new Error('#app missing');

// The callback runs only after start-up begins, when `view` exists.
const app = new App(bridge, params, () => view.update());
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
    (collected) => app.add(collected),
    (error: unknown) => app.notify(error),
  );
});
document.addEventListener('paste', (e) => {
  if (!e.clipboardData || e.clipboardData.files.length === 0) return;
  e.preventDefault();
  app.add(collectPaste(e.clipboardData));
});

const modelId = params.model ?? 'clip-vit-base-patch32';
const base = new URL(import.meta.env.BASE_URL, location.href);
const { model: ready, done } = app.start({
  id: modelId,
  baseUrl: new URL(`models/${modelId}/`, base).href,
  wasmPaths: new URL('ort/', base).href,
  dtype: params.dtype,
  backend: params.backend,
});
// Failures are shown in the page; tests read them from these promises.
ready.catch(() => undefined);
done.catch(() => undefined);

// A console and test handle: the worker bridge (the same API the UI uses), the model's status
// once loaded (`ready`), and the end of start-up: labels and stored photos in (`done`).
Object.assign(globalThis, { mumic: { bridge, ready, done, app } });
