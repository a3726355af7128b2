// Issue 5: with no model installed, the app shows the command to run and "Choose a model folder";
// a chosen folder is checked in the worker (files, configs, ONNX, SHA-256, sessions), stored in
// Cache Storage and loaded again on later visits without being chosen. Broken folders are refused
// by name. Runs the clip-tiny fixture on WASM.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { FIXTURE_DIR, fixtureImage } from '../fixture.ts';
import { waitForPhotos } from './app-helpers.ts';

// The page's own code paths (tests/e2e/offline.spec.ts covers the service worker).
test.use({ serviceWorkers: 'block' });

const MISSING = '/?model=not-installed&backend=wasm';
/** clip-tiny is installed on the server too (tests/e2e/prepare.ts), so the folder gets -2. */
const LOCAL_ID = 'clip-tiny-2';
const MODEL_FILES = [
  'config.json',
  'preprocessor_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'onnx/vision_model.onnx',
  'onnx/vision_model_quantized.onnx',
  'onnx/text_model.onnx',
  'onnx/text_model_quantized.onnx',
];

let scratch = '';
test.beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'mumic-local-model-'));
});
test.afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** A copy of the fixture's model files in `<scratch>/<name>/`, then changed by `change`. */
function modelCopy(name: string, change: (dir: string) => void): string {
  const dir = join(scratch, name);
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  for (const file of MODEL_FILES) copyFileSync(join(FIXTURE_DIR, file), join(dir, file));
  change(dir);
  return dir;
}

async function waitForStart(page: Page): Promise<void> {
  await page.evaluate(() =>
    (globalThis as unknown as { mumic: { done: Promise<void> } }).mumic.done.catch(() => undefined),
  );
}

/** Opens the app with a model that is not installed: the no-model screen. */
async function openNoModel(page: Page): Promise<void> {
  await page.goto(MISSING);
  const status = page.locator('#status');
  await expect(status).toHaveAttribute('data-error-name', 'ModelFileMissing');
  await expect(page.locator('[data-model-picker]')).toBeVisible();
  await expect(page.locator('[data-model-picker] code[data-command]')).toHaveText('npm run models');
}

test('no model: choose a model folder, classify, and it loads from storage after a reload', async ({
  page,
}) => {
  const modelRequests: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes(`/models/${LOCAL_ID}/`)) modelRequests.push(r.url());
  });

  await openNoModel(page);
  // The fixture folder as it is: photos, reference files and a README beside the model files.
  await page.setInputFiles('#model-folder-input', FIXTURE_DIR);
  const status = page.locator('#status');
  await expect(status).toHaveAttribute('data-model', LOCAL_ID);
  expect(new URL(page.url()).searchParams.get('model')).toBe(LOCAL_ID);
  await waitForStart(page);
  await expect(status).toHaveAttribute('data-labels-ready', 'true');
  await expect(status).toHaveAttribute('data-backend', 'wasm');

  const photos = ['chelsea.jpg', 'astronaut.png'];
  await page.setInputFiles('#file-input', photos.map(fixtureImage));
  await waitForPhotos(page, photos.length);
  await expect(page.locator('li.photo[data-state="error"]')).toHaveCount(0);
  await expect(page.locator('li.photo[data-state="done"]')).toHaveCount(photos.length);

  // A later visit: loaded from Cache Storage (checked against the stored manifest), not chosen
  // again, and the photos tagged with it are back.
  await page.reload();
  await waitForStart(page);
  await expect(status).toHaveAttribute('data-model', LOCAL_ID);
  await expect(status).toHaveAttribute('data-labels-ready', 'true');
  await expect(page.locator('li.photo[data-state="done"]')).toHaveCount(photos.length);
  // Its files exist only in this browser: nothing was asked of the server.
  expect(modelRequests).toEqual([]);

  // Without ?model, the default is used when the server has it, else the model chosen last.
  const index = (await (await page.request.get('/models/index.json')).json()) as {
    models: { id: string }[];
  };
  if (!index.models.some((m) => m.id === 'clip-vit-base-patch32')) {
    await page.goto('/?backend=wasm');
    await waitForStart(page);
    await expect(status).toHaveAttribute('data-model', LOCAL_ID);
  }

  // Removed from the no-model screen: then it is gone for good.
  await openNoModel(page);
  const stored = page.locator(`[data-local-model="${LOCAL_ID}"]`);
  await expect(stored).toBeVisible();
  page.once('dialog', (dialog) => void dialog.accept());
  await stored.locator(`[data-remove-local-model="${LOCAL_ID}"]`).click();
  await expect(stored).toHaveCount(0);
  await page.goto(`/?model=${LOCAL_ID}&backend=wasm`);
  await expect(status).toHaveAttribute('data-error-name', 'ModelFileMissing');
  const left = await page.evaluate(async () => {
    const cache = await caches.open('mumic-models');
    return (await cache.keys()).map((r) => r.url).filter((u) => u.includes('/clip-tiny-2/'));
  });
  expect(left).toEqual([]);
});

test('a folder with a truncated vision tower or without tokenizer.json is refused by name', async ({
  page,
}) => {
  const truncated = modelCopy('truncated-vision', (dir) => {
    const file = join(dir, 'onnx/vision_model_quantized.onnx');
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length >> 1));
  });
  const noTokenizer = modelCopy('no-tokenizer', (dir) => rmSync(join(dir, 'tokenizer.json')));

  await openNoModel(page);
  const panel = page.locator('[data-model-picker]');
  const message = panel.locator('[data-install-error-message]');

  await page.setInputFiles('#model-folder-input', truncated);
  await expect(panel).toHaveAttribute('data-install-state', 'failed');
  await expect(panel).toHaveAttribute('data-install-error', 'ModelFileInvalid');
  await expect(message).toContainText('onnx/vision_model_quantized.onnx');
  await expect(message).toContainText('truncated');

  await page.setInputFiles('#model-folder-input', noTokenizer);
  await expect(panel).toHaveAttribute('data-install-error', 'ModelFileMissing');
  await expect(panel).toHaveAttribute('data-install-state', 'failed');
  await expect(message).toContainText('tokenizer.json is missing');

  // Nothing of either was stored or listed; the app still shows the no-model screen.
  await expect(panel.locator('[data-local-model]')).toHaveCount(0);
  const stored = await page.evaluate(async () => {
    const cache = await caches.open('mumic-models');
    return (await cache.keys())
      .map((r) => new URL(r.url).pathname)
      .filter((p) => !p.endsWith('/index.json'));
  });
  expect(stored).toEqual([]);
  await expect(page.locator('#status')).toHaveAttribute('data-error-name', 'ModelFileMissing');
});

test('a full storage: StorageQuotaExceeded, and nothing is kept', async ({
  context,
  page,
  baseURL,
}) => {
  const folder = modelCopy('full-storage', () => undefined);
  const cdp = await context.newCDPSession(page);
  // Less than the model (16 MB): it cannot be stored.
  const origin = new URL(String(baseURL)).origin;
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 4_000_000 });
  await openNoModel(page);
  const panel = page.locator('[data-model-picker]');
  await page.setInputFiles('#model-folder-input', folder);
  await expect(panel).toHaveAttribute('data-install-state', 'failed');
  await expect(panel).toHaveAttribute('data-install-error', 'StorageQuotaExceeded');
  const message = panel.locator('[data-install-error-message]');
  await expect(message).toContainText('could not store model full-storage');
  await expect(message).toContainText('Free space:');
  await expect(panel.locator('[data-local-model]')).toHaveCount(0);
  const stored = await page.evaluate(async () => {
    const cache = await caches.open('mumic-models');
    return (await cache.keys())
      .map((r) => new URL(r.url).pathname)
      .filter((p) => p.includes('/full-storage/'));
  });
  expect(stored).toEqual([]);
});
