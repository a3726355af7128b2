// Shared steps of the app's browser tests and benchmarks: open the app, add photos through the
// file input, read scores from the DOM hooks (docs/UI.md), run the `mumic` CLI.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect, type BrowserContext, type Page } from '@playwright/test';
import { labelMatrix } from '../../src/cli/label-options.ts';
import { loadModel } from '../../src/cli/load-model.ts';
import {
  formatLabelEmbeddingFile,
  labelEmbeddingFileName,
} from '../../src/core/label-embedding-file.ts';
import type { Label } from '../../src/core/labels/index.ts';
import { DEFAULT_TEMPLATES, templateSetKey } from '../../src/core/prompts.ts';
import type { Dtype } from '../../src/core/types.ts';
import { FIXTURE_DIR } from '../fixture.ts';

const run = promisify(execFile);
export const REPO = resolve(import.meta.dirname, '..', '..');
/** The fixture as installed for the app (tests/e2e/prepare.ts). */
/**
 * Where the tests' screenshots go: test-results/ (git-ignored), or the README's docs/screenshots
 * when asked for (`MUMIC_SCREENSHOTS=1 npm run test:e2e`), so a test run never changes the docs.
 */
export const SHOTS =
  process.env['MUMIC_SCREENSHOTS'] === '1'
    ? join(REPO, 'docs', 'screenshots')
    : join(REPO, 'test-results', 'screenshots');

export const MODEL_DIR = join(REPO, 'public', 'models', 'clip-tiny');

/** `count` different photos: one JPEG with distinct bytes after its end (decoders ignore them). */
export function distinctPhotos(count: number, prefix: string) {
  const jpeg = readFileSync(join(FIXTURE_DIR, 'images', 'chelsea.jpg'));
  return Array.from({ length: count }, (_, i) => ({
    name: `${prefix}-${i}.jpg`,
    mimeType: 'image/jpeg',
    buffer: Buffer.concat([jpeg, Buffer.from(`${prefix}-${i}`)]),
  }));
}

/** Label name → score (and cosine) of one photo. */
export type Scores = Map<string, number>;
export interface PhotoScores {
  scores: Scores;
  cosines: Scores;
}

/** Opens the app and waits until the model is loaded, labels are ready and stored photos in. */
export async function openApp(page: Page, backend: string, dtype: string): Promise<void> {
  await page.goto(`/?model=clip-tiny&backend=${backend}&dtype=${dtype}`);
  await page.evaluate(
    () => (globalThis as unknown as { mumic: { done: Promise<void> } }).mumic.done,
  );
  await expect(page.locator('#status')).toHaveAttribute('data-labels-ready', 'true');
}

export async function counters(page: Page): Promise<{ images: number; texts: number }> {
  const status = page.locator('#status');
  return {
    images: Number(await status.getAttribute('data-images-encoded')),
    texts: Number(await status.getAttribute('data-texts-encoded')),
  };
}

/** Waits until `count` photos are finished (scored or failed) and no batch runs. */
export async function waitForPhotos(page: Page, count: number, timeout = 120_000): Promise<void> {
  await expect(page.locator('li.photo:is([data-state="done"], [data-state="error"])')).toHaveCount(
    count,
    { timeout },
  );
  await expect(page.locator('[data-progress="batch"]')).toHaveAttribute('data-running', 'false', {
    timeout,
  });
}

/** Every label row of a photo's detail view: data-label → data-score, data-cosine (unrounded). */
export async function detailScores(page: Page, file: string): Promise<PhotoScores> {
  await page.locator(`li.photo[data-file="${file}"] .photo-open`).click();
  const dialog = page.locator('#detail');
  await expect(dialog).toBeVisible();
  await expect(dialog.locator('.detail-grid')).toHaveAttribute('data-file', file);
  const rows = await dialog.locator('.score-row').evaluateAll((els) =>
    els.map((e) => {
      const d = (e as HTMLElement).dataset;
      return [String(d['label']), Number(d['score']), Number(d['cosine'])] as const;
    }),
  );
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  return {
    scores: new Map(rows.map(([label, score]) => [label, score])),
    cosines: new Map(rows.map(([label, , cosine]) => [label, cosine])),
  };
}

export interface ClassifyOptions {
  dtype: Dtype;
  labelsFile?: string;
  template?: string;
  batch?: number;
  /** An adapted head file (`--head`). */
  head?: string;
}

/** `mumic classify` on the fixture model: file base name → label name → score and cosine. */
export async function classifyCli(
  files: readonly string[],
  options: ClassifyOptions,
): Promise<Map<string, PhotoScores>> {
  const args = [join(REPO, 'bin', 'mumic.js'), 'classify', '--model', MODEL_DIR];
  args.push('--dtype', options.dtype);
  if (options.labelsFile) args.push('--labels', options.labelsFile);
  if (options.template) args.push('--template', options.template);
  if (options.batch) args.push('--batch', String(options.batch));
  if (options.head) args.push('--head', options.head);
  const { stdout } = await run(process.execPath, [...args, ...files], {
    cwd: REPO,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  const out = new Map<string, PhotoScores>();
  for (const line of stdout.trim().split('\n')) {
    if (!line) continue;
    const row = JSON.parse(line) as {
      file: string;
      labels?: { label: string; score: number; cosine: number }[];
    };
    if (row.labels) {
      out.set(basename(row.file), {
        scores: new Map(row.labels.map((l) => [l.label, l.score])),
        cosines: new Map(row.labels.map((l) => [l.label, l.cosine])),
      });
    }
  }
  return out;
}

/**
 * Largest |app - CLI| of one photo's scores (or cosines) over every label; fails when the photo
 * or a label is missing on either side.
 */
export function maxDifference(
  app: Map<string, PhotoScores>,
  cli: Map<string, PhotoScores>,
  file: string,
  what: keyof PhotoScores = 'scores',
): { max: number; where: string } {
  const want = cli.get(file)?.[what];
  const got = app.get(file)?.[what];
  expect(want, `CLI has no scores for ${file}`).toBeDefined();
  expect(got, `app has no scores for ${file}`).toBeDefined();
  expect(got?.size, `${file}: number of labels`).toBe(want?.size);
  let max = 0;
  let where = '';
  for (const [label, value] of want ?? []) {
    const mine = got?.get(label);
    expect(mine, `${file}: no ${what} for ${label}`).toBeDefined();
    const d = Math.abs((mine ?? Number.NaN) - value);
    if (!(d <= max)) {
      max = d;
      where = `${file} / ${label}: app ${mine}, CLI ${value}`;
    }
  }
  return { max, where };
}

/**
 * Serves the model's precomputed label-embeddings file, made exactly as `mumic classify` makes
 * its label vectors (the CLI's own labelMatrix on the same model and dtype).
 */
export async function serveLabelFile(
  context: BrowserContext,
  labels: readonly Label[],
  dtype: Dtype,
): Promise<void> {
  const model = await loadModel(MODEL_DIR, dtype, { images: false });
  try {
    const vectors = await labelMatrix(model, labels, DEFAULT_TEMPLATES);
    const body = formatLabelEmbeddingFile({
      model: 'clip-tiny',
      dtype: model.encoder.dtypes.text,
      templateKey: templateSetKey(DEFAULT_TEMPLATES),
      templates: [...DEFAULT_TEMPLATES],
      dim: model.info.projectionDim,
      labels: labels.map((l) => ({ id: l.id, prompt: l.prompt })),
      vectors,
    });
    await context.route(`**/models/clip-tiny/${labelEmbeddingFileName(dtype)}`, (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body }),
    );
  } finally {
    await model.encoder.release();
  }
}

/** Clicks ✓ or ✗ of a label in a photo's detail view. */
export async function answer(page: Page, file: string, label: string, value: 'yes' | 'no') {
  await page.locator(`li.photo[data-file="${file}"] .photo-open`).click();
  const dialog = page.locator('#detail');
  await expect(dialog.locator('.detail-grid')).toHaveAttribute('data-file', file);
  await dialog.locator('#detail-search').fill(label);
  const row = dialog.locator(`.score-row[data-label="${label}"]`);
  await row.locator(`button[data-answer="${value}"]`).click();
  await expect(row).toHaveAttribute('data-answer', value);
  await dialog.locator('#detail-search').fill('');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
}
