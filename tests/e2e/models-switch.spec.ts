// Issue 12 (switching models in the app) and issue 14 (the family and calibration shown): two
// installed models, clip-tiny and siglip-tiny (tests/e2e/prepare.ts). Photos tagged with one are
// listed as such after switching to the other and can be re-tagged; each model keeps its own
// library, and switching back restores the first one's scores unchanged.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { FIXTURE_DIR } from '../fixture.ts';
import { detailScores, openApp, waitForPhotos, type PhotoScores } from './app-helpers.ts';

const IMAGES = join(FIXTURE_DIR, 'images');
const names = readdirSync(IMAGES).sort().slice(0, 4);
const paths = names.map((n) => join(IMAGES, n));

test.use({ serviceWorkers: 'block' });

async function allScores(page: Page): Promise<Map<string, PhotoScores>> {
  const out = new Map<string, PhotoScores>();
  for (const name of names) out.set(name, await detailScores(page, name));
  return out;
}

/** Waits until `id` is loaded with its labels and stored photos in. */
async function loaded(page: Page, id: string, family: string): Promise<void> {
  const status = page.locator('#status');
  await expect(status).toHaveAttribute('data-model', id);
  await expect(status).toHaveAttribute('data-family', family);
  await expect(status).toHaveAttribute('data-labels-ready', 'true');
  await page.evaluate(
    () => (globalThis as unknown as { mumic: { done: Promise<void> } }).mumic.done,
  );
}

async function labelScore(page: Page, typed: string, file: string): Promise<number | undefined> {
  await page.locator('#new-label').fill(typed);
  await page.locator('#new-label').press('Enter');
  await expect(page.locator('#status')).toHaveAttribute('data-labels-ready', 'true');
  const score = (await detailScores(page, file)).scores.get(typed);
  await page.getByRole('button', { name: `Remove label ${typed}` }).click();
  await expect(page.locator('#status')).toHaveAttribute('data-labels-ready', 'true');
  return score;
}

test('switching between two models keeps each library apart and shows the calibration', async ({
  page,
}) => {
  // Seven model loads and hundreds of detail rows read on a shared, slow machine.
  test.setTimeout(480_000);
  await openApp(page, 'wasm', 'fp32');
  const status = page.locator('#status');
  await expect(status).toHaveAttribute('data-family', 'clip');
  await expect(status).toHaveAttribute('data-calibration', 'default');
  await expect(status.locator('[data-calibration-text]')).toHaveText(
    'CLIP · MuMIC defaults t = 0.01, b = 0.25',
  );

  // The menu lists both installed models with their sizes; the chosen one says what it is.
  const menu = page.locator('#model-select');
  await expect(menu.locator('option[data-model-choice="clip-tiny"]')).toContainText(
    /clip-tiny · \d/,
  );
  await expect(menu.locator('option[data-model-choice="siglip-tiny"]')).toContainText(
    /siglip-tiny · \d/,
  );
  await expect(page.locator('[data-model-description]')).not.toBeEmpty();

  await page.setInputFiles('#file-input', paths);
  await waitForPhotos(page, names.length);
  const clip = await allScores(page);

  // To SigLIP: its library is empty; the CLIP photos say they were tagged with clip-tiny.
  await menu.selectOption('siglip-tiny');
  await loaded(page, 'siglip-tiny', 'siglip');
  await expect(page).toHaveURL(/model=siglip-tiny/);
  await expect(status).toHaveAttribute('data-calibration', 'model');
  await expect(status.locator('[data-calibration-text]')).toHaveText(
    'SigLIP · calibration from the model (exp(scale) = 10, bias = −2.5)',
  );
  await expect(page.locator('li.photo')).toHaveCount(0);
  const others = page.locator('section.other-model');
  await expect(others).toHaveAttribute('data-other-model-photos', String(names.length));
  await expect(others.locator('[data-other-model="clip-tiny"]')).toBeVisible();
  await expect(others.locator('.badge').first()).toHaveText('tagged with clip-tiny — re-tag');

  // Re-tagged with SigLIP from the files the page still holds.
  await others.locator('[data-retag]').click();
  await waitForPhotos(page, names.length);
  await expect(others).toHaveCount(0);
  const siglip = await allScores(page);
  for (const name of names) {
    const a = siglip.get(name)?.scores;
    const b = clip.get(name)?.scores;
    expect(a?.size, name).toBe(b?.size);
    // Another model, another calibration: the scores are not CLIP's.
    expect(
      [...(a ?? [])].some(([label, p]) => p !== b?.get(label)),
      name,
    ).toBe(true);
  }

  // SigLIP canonicalises text: a label typed in capitals with punctuation scores as its plain form.
  const plain = await labelScore(page, 'striped cat', names[0] as string);
  const shouted = await labelScore(page, 'Striped CAT!!', names[0] as string);
  expect(plain).toBeDefined();
  expect(shouted).toBe(plain);

  // Back to CLIP: its photos and scores come back unchanged, nothing is encoded again.
  const encodedBefore = Number(await status.getAttribute('data-images-encoded'));
  await menu.selectOption('clip-tiny');
  await loaded(page, 'clip-tiny', 'clip');
  await expect(page.locator('li.photo[data-state="done"]')).toHaveCount(names.length);
  const back = await allScores(page);
  for (const name of names) {
    expect([...(back.get(name)?.scores ?? [])], name).toEqual([...(clip.get(name)?.scores ?? [])]);
  }
  expect(Number(await status.getAttribute('data-images-encoded'))).toBe(encodedBefore);
  // The photos just tagged with SigLIP are CLIP's too: none is listed as tagged elsewhere only.
  await expect(others).toHaveCount(0);

  // And SigLIP's library again: its own scores, unchanged.
  await menu.selectOption('siglip-tiny');
  await loaded(page, 'siglip-tiny', 'siglip');
  await expect(page.locator('li.photo[data-state="done"]')).toHaveCount(names.length);
  const siglipAgain = await allScores(page);
  for (const name of names) {
    expect([...(siglipAgain.get(name)?.scores ?? [])], name).toEqual([
      ...(siglip.get(name)?.scores ?? []),
    ]);
  }
});
