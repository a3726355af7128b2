// The app as a person uses it, in Debian's Chromium against the built app (vite preview): photos
// in through the file input, scores out through the DOM hooks of docs/UI.md, compared with the
// `mumic classify` CLI on the same model, dtype, labels and template.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { DEFAULT_LABELS } from '../../src/core/labels/index.ts';
import { FIXTURE_DIR } from '../fixture.ts';
import {
  classifyCli,
  counters,
  detailScores,
  maxDifference,
  openApp,
  SHOTS,
  serveLabelFile,
  waitForPhotos,
  type PhotoScores,
} from './app-helpers.ts';

const IMAGES = join(FIXTURE_DIR, 'images');
const names = readdirSync(IMAGES).sort();
const paths = names.map((n) => join(IMAGES, n));
const TOLERANCE = 1e-3;

// These tests drive the page's own code paths; a service worker (the offline cache) would answer
// some requests before the tests' routes could (tests/e2e/offline.spec.ts covers it).
test.use({ serviceWorkers: 'block' });

/**
 * Fixture photos whose scores cannot match the CLI to 1e-3 on q8, and why (measured; docs/UI.md
 * "Scores in the browser and in the CLI"). With t = 0.01 a score moves up to 25x its cosine, so
 * these are held to their cosine instead, and the size of the gap is printed.
 */
const Q8_APART: Record<string, string> = {
  'astronaut-rgba.png':
    'a 2D canvas keeps premultiplied alpha, so decoded RGB differs from the CLI by up to 2/255 where alpha < 255',
  'chelsea-exif6.jpg':
    'the same input tensor gives a different q8 embedding in onnxruntime WASM and native (1 - cos = 4.5e-5)',
};
/** Bound on |app - CLI| cosines for those photos (measured: up to 4.9e-3). */
const Q8_APART_COSINE = 1e-2;

type Results = Map<string, PhotoScores>;

async function allDetailScores(page: Page, files: readonly string[]): Promise<Results> {
  const out: Results = new Map();
  for (const file of files) out.set(file, await detailScores(page, file));
  return out;
}

/** Checks every photo against the CLI; `apart` photos by cosine only. Prints the gaps. */
function compare(what: string, app: Results, cli: Results, apart: Record<string, string> = {}) {
  const lines: string[] = [];
  for (const name of names) {
    const score = maxDifference(app, cli, name, 'scores');
    const cosine = maxDifference(app, cli, name, 'cosines');
    lines.push(
      `${name}: max |Δscore| ${score.max.toExponential(2)}, max |Δcos| ${cosine.max.toExponential(2)}`,
    );
    if (name in apart) {
      expect(cosine.max, `${name} (${apart[name]}): ${cosine.where}`).toBeLessThanOrEqual(
        Q8_APART_COSINE,
      );
    } else {
      expect(score.max, score.where).toBeLessThanOrEqual(TOLERANCE);
    }
  }
  console.log(`${what}, app vs mumic classify:\n  ${lines.join('\n  ')}`);
}

test('WASM q8: scores match mumic classify; typed label, reload, broken files', async ({
  page,
  context,
}, info) => {
  // q8 towers quantize activations per tensor, so a vector depends on its batch; the app runs
  // q8 one input at a time (docs/UI.md). The CLI is run the same way: --batch 1 for images, and
  // its own label vectors (batches of 64 texts) reach the app as the model's precomputed file.
  await serveLabelFile(context, DEFAULT_LABELS, 'q8');
  await page.setViewportSize({ width: 1280, height: 900 });
  await openApp(page, 'wasm', 'q8');
  const status = page.locator('#status');
  await expect(status).toHaveAttribute('data-backend', 'wasm');
  await expect(status).toHaveAttribute('data-dtype', 'q8');
  // All 120 default label vectors came from the precomputed file: no text was encoded.
  expect(await counters(page)).toEqual({ images: 0, texts: 0 });
  await page.screenshot({ path: join(SHOTS, 'empty.png') });

  await page.setInputFiles('#file-input', paths);
  await waitForPhotos(page, names.length);
  await expect(page.locator('li.photo[data-state="error"]')).toHaveCount(0);
  expect((await counters(page)).images).toBe(names.length);
  await page.screenshot({ path: join(SHOTS, 'results.png'), fullPage: true });

  const app = await allDetailScores(page, names);
  const cli = await classifyCli(paths, { dtype: 'q8', batch: 1 });
  compare('WASM q8', app, cli, Q8_APART);

  // The same numbers appear on the chips (those above the threshold).
  const chip = page.locator('li.photo .chip[data-score]').first();
  const chipFile = await chip.locator('xpath=ancestor::li[@data-file]').getAttribute('data-file');
  const chipLabel = String(await chip.getAttribute('data-label'));
  expect(Number(await chip.getAttribute('data-score'))).toBe(
    app.get(String(chipFile))?.scores.get(chipLabel),
  );

  // Sorted by score: each photo's best label first, as the grid derives it (ScoreColumns).
  await page.locator('#sort').selectOption('score');
  const best = (n: string) => Math.max(...(app.get(n)?.scores.values() ?? []));
  const files = () =>
    page.locator('li.photo').evaluateAll((tiles) => tiles.map((t) => t.getAttribute('data-file')));
  await expect.poll(files).toEqual([...names].sort((a, b) => best(b) - best(a)));
  await page.locator('#sort').selectOption('added');
  await expect.poll(files).toEqual(names);

  // The detail view, for the screenshot.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.locator(`li.photo[data-file="chelsea.jpg"] .photo-open`).click();
  await expect(page.locator('#detail')).toBeVisible();
  await page.screenshot({ path: join(SHOTS, 'detail.png') });
  await page.keyboard.press('Escape');

  // A typed label: encoded once, scored for every photo, no image encoded again.
  const typed = 'a cat on a sofa';
  const before = await counters(page);
  await page.locator('#new-label').fill(typed);
  await page.locator('#new-label').press('Enter');
  await expect(status).toHaveAttribute('data-texts-encoded', String(before.texts + 1));
  await expect(status).toHaveAttribute('data-labels-ready', 'true');
  expect((await counters(page)).images).toBe(before.images);
  const labelFile = info.outputPath('typed.txt');
  writeFileSync(labelFile, `${typed}\n`);
  const cliTyped = await classifyCli(paths, { dtype: 'q8', batch: 1, labelsFile: labelFile });
  const withTyped = await allDetailScores(page, names);
  for (const name of names) {
    const got = withTyped.get(name)?.scores.get(typed);
    expect(got, `${name}: typed label scored`).toBeDefined();
    // Adding a label changes no other label's score (each label is scored on its own).
    expect(withTyped.get(name)?.scores.get('Bathrobe')).toBe(app.get(name)?.scores.get('Bathrobe'));
  }
  const typedApp = new Map(
    names.map((n) => [n, onlyLabel(withTyped.get(n) as PhotoScores, typed)] as const),
  );
  compare(`WASM q8, typed label "${typed}"`, typedApp, cliTyped, Q8_APART);
  expect((await counters(page)).images).toBe(before.images);

  // Export: CSV and JSON rows carry file, label, score and the threshold flag.
  const [csvDownload] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#export-csv').click(),
  ]);
  const csv = readFileSync(await csvDownload.path(), 'utf8').split('\r\n');
  // A UTF-8 byte-order mark first, so that spreadsheets read non-ASCII names right.
  expect(csv[0]).toBe('\uFEFFfile,label,score,above_threshold,error');
  expect(csv.filter((l) => l.startsWith('chelsea.jpg,'))).toHaveLength(121);
  const [jsonDownload] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#export-json').click(),
  ]);
  const json = JSON.parse(readFileSync(await jsonDownload.path(), 'utf8')) as {
    photos: { file: string; labels: { label: string; score: number; above: boolean }[] }[];
  };
  const tiny = json.photos.find((p) => p.file === 'tiny.png');
  expect(tiny?.labels.find((l) => l.label === typed)?.score).toBe(
    withTyped.get('tiny.png')?.scores.get(typed),
  );

  // Reload: photos, scores and the typed label come back from IndexedDB; nothing is encoded.
  await page.reload();
  await openApp(page, 'wasm', 'q8');
  await expect(page.locator('li.photo[data-state="done"]')).toHaveCount(names.length);
  expect(await counters(page)).toEqual({ images: 0, texts: 0 });
  const restored = await allDetailScores(page, names);
  for (const name of names) {
    expect(restored.get(name), name).toEqual(withTyped.get(name));
  }

  // Broken files fail alone, by name; a text file is not taken; a good photo still works.
  const dir = info.outputPath('bad');
  mkdirSync(dir, { recursive: true });
  const jpeg = readFileSync(join(IMAGES, 'chelsea.jpg'));
  writeFileSync(join(dir, 'truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 3)));
  writeFileSync(join(dir, 'notes.txt'), 'not a photo\n');
  writeFileSync(join(dir, 'text-renamed.jpg'), 'this is text, not a JPEG\n');
  const good = Buffer.concat([readFileSync(join(IMAGES, 'tiny.png')), Buffer.from('x')]);
  writeFileSync(join(dir, 'good-copy.png'), good);
  await page.setInputFiles(
    '#file-input',
    ['truncated.jpg', 'notes.txt', 'text-renamed.jpg', 'good-copy.png'].map((n) => join(dir, n)),
  );
  await waitForPhotos(page, names.length + 3);
  const truncated = page.locator('li.photo[data-file="truncated.jpg"]');
  await expect(truncated).toHaveAttribute('data-error-name', 'ImageDecodeFailed');
  await expect(page.locator('li.photo[data-file="text-renamed.jpg"]')).toHaveAttribute(
    'data-error-name',
    'UnsupportedImageFormat',
  );
  await expect(page.locator('li.photo[data-file="good-copy.png"]')).toHaveAttribute(
    'data-state',
    'done',
  );
  await expect(page.locator('.skipped li[data-file="notes.txt"]')).toHaveAttribute(
    'data-error-name',
    'UnsupportedImageFormat',
  );
  await expect(truncated.locator('.photo-error')).toContainText('damaged or truncated');
  await page.locator('.skipped summary').click();
  await page.screenshot({ path: join(SHOTS, 'errors.png'), fullPage: true });

  // A narrow phone screen, and dark mode.
  await page.setViewportSize({ width: 360, height: 780 });
  await page.screenshot({ path: join(SHOTS, 'mobile-360.png'), fullPage: true });
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(scroll, 'no sideways scrolling at 360 px').toBeLessThanOrEqual(360);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(300); // the drop zone's colour transition
  await page.screenshot({ path: join(SHOTS, 'dark.png') });
});

test('WebGPU fp32: scores match mumic classify', async ({ page, context }) => {
  // No precomputed file here: the app encodes the 120 labels itself (fp32 does not depend on
  // batching, so the CLI's default batches give the same vectors).
  await context.route('**/models/clip-tiny/label-embeddings.*.json', (route) =>
    route.fulfill({ status: 404, body: '' }),
  );
  await openApp(page, 'webgpu', 'fp32');
  const status = page.locator('#status');
  await expect(status, String(await status.textContent())).toHaveAttribute(
    'data-backend',
    'webgpu',
  );
  await expect(status).toHaveAttribute('data-dtype', 'fp32');
  expect((await counters(page)).texts).toBe(DEFAULT_LABELS.length);
  await page.setInputFiles('#file-input', paths);
  await waitForPhotos(page, names.length);
  const app = await allDetailScores(page, names);
  const cli = await classifyCli(paths, { dtype: 'fp32' });
  compare('WebGPU fp32', app, cli);
});

function onlyLabel(photo: PhotoScores, label: string): PhotoScores {
  const pick = (m: Map<string, number>) => new Map([[label, m.get(label) ?? Number.NaN]]);
  return { scores: pick(photo.scores), cosines: pick(photo.cosines) };
}

test('WASM: cancel a batch; import, search and export labels', async ({ page }, info) => {
  await openApp(page, 'wasm', 'q8');
  // 48 distinct photos (trailing bytes change the content hash, not the picture).
  const dir = info.outputPath('many');
  mkdirSync(dir, { recursive: true });
  const many = Array.from({ length: 48 }, (_, i) => {
    const name = names[i % names.length] as string;
    const path = join(dir, `${i}-${name}`);
    writeFileSync(path, Buffer.concat([readFileSync(join(IMAGES, name)), Buffer.from(`#${i}`)]));
    return path;
  });
  await page.setInputFiles('#file-input', many);
  await expect(page.locator('li.photo[data-state="done"]').first()).toBeVisible();
  await page.locator('#cancel').click();
  await expect(page.locator('[data-progress="batch"]')).toHaveAttribute('data-running', 'false');
  await expect(page.locator('.notice.info')).toContainText('Cancelled');
  const done = await page.locator('li.photo[data-state="done"]').count();
  expect(done).toBeGreaterThan(0);
  expect(done).toBeLessThan(many.length);
  // What was not tagged is gone, not left waiting.
  await expect(page.locator('li.photo[data-state="queued"]')).toHaveCount(0);
  await expect(page.locator('li.photo')).toHaveCount(done);

  // Replace the label set with a text file of two labels.
  const file = info.outputPath('labels.txt');
  writeFileSync(file, '# two labels\nViews: Sea view | view of the sea\nRooms: Bathroom\n');
  await page.setInputFiles('#labels-replace-file', file);
  await expect(page.locator('.labels-panel .label-item')).toHaveCount(2);
  await expect(page.locator('#status')).toHaveAttribute('data-labels-ready', 'true');
  const first = page.locator('li.photo[data-state="done"]').first();
  const scores = await detailScores(page, String(await first.getAttribute('data-file')));
  expect([...scores.scores.keys()].sort()).toEqual(['Bathroom', 'Sea view']);

  // Search filters the labels panel; export writes the set back as JSON.
  await page.locator('#label-search').fill('sea');
  await expect(page.locator('.labels-panel .label-item')).toHaveCount(1);
  await page.locator('#label-search').fill('');
  await page.locator('.label-tools summary').click();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#labels-export-json').click(),
  ]);
  const exported = JSON.parse(readFileSync(await download.path(), 'utf8')) as {
    labels: { name: string; prompt: string; category: string }[];
  };
  expect(exported.labels).toEqual([
    { id: 'sea-view', name: 'Sea view', prompt: 'view of the sea', category: 'Views' },
    { id: 'bathroom', name: 'Bathroom', prompt: 'Bathroom', category: 'Rooms' },
  ]);

  // A bad label file fails by name and leaves the labels as they were.
  const bad = info.outputPath('bad.json');
  writeFileSync(bad, '{"version": 2, "labels": []}');
  await page.setInputFiles('#labels-add-file', bad);
  await expect(page.locator('.notice.error[data-error-name="InvalidLabelSet"]')).toBeVisible();
  await expect(page.locator('.labels-panel .label-item')).toHaveCount(2);
});

test('WASM: drop files on the page; clear all', async ({ page }) => {
  await openApp(page, 'wasm', 'q8');
  // A drop as the page receives it (a synthetic DataTransfer: files only, no folder entries).
  const png = readFileSync(join(IMAGES, 'tiny.png')).toString('base64');
  await page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], 'dropped.png', { type: 'image/png' }));
    data.items.add(new File(['hello'], 'readme.md', { type: 'text/markdown' }));
    const init = { dataTransfer: data, bubbles: true, cancelable: true };
    document.body.dispatchEvent(new DragEvent('dragenter', init));
    document.body.dispatchEvent(new DragEvent('dragover', init));
    document.body.dispatchEvent(new DragEvent('drop', init));
  }, png);
  await waitForPhotos(page, 1);
  await expect(page.locator('li.photo[data-file="dropped.png"]')).toHaveAttribute(
    'data-state',
    'done',
  );
  await expect(page.locator('.skipped li[data-file="readme.md"]')).toBeAttached();

  // Clear all: photos, results and stored data go; a reload finds nothing.
  page.once('dialog', (dialog) => void dialog.accept());
  await page.locator('#clear-all').click();
  await expect(page.locator('li.photo')).toHaveCount(0);
  await expect(page.locator('.notice.info')).toContainText('deleted');
  await expect(page.locator('#status')).toHaveAttribute('data-labels-ready', 'true');
  await page.reload();
  await openApp(page, 'wasm', 'q8');
  await expect(page.locator('li.photo')).toHaveCount(0);
  await expect(page.locator('.labels-panel h2 .count')).toHaveText('120 of 120 on');
});
