// Two tabs of the app (issue 10, item 6): two pages of one origin share the store and see each
// other's changes without a reload: photos added in one appear in the other (from the store, not
// encoded again), a label added in one is in the other, and a Clear all in one empties the other,
// even in the middle of its batch, with nothing written back (a reload of both shows no photos).
import { expect, test, type Page } from '@playwright/test';
import { counters, distinctPhotos as photos, openApp, waitForPhotos } from './app-helpers.ts';

const labelNames = (page: Page) =>
  page.evaluate(() =>
    (
      globalThis as unknown as { mumic: { app: { labelSet: { labels: { name: string }[] } } } }
    ).mumic.app.labelSet.labels.map((l) => l.name),
  );

test.setTimeout(600_000);

test('two tabs see each other’s photos, labels and Clear all', async ({ page: a, context }) => {
  const b = await context.newPage();
  await openApp(a, 'wasm', 'q8');
  await openApp(b, 'wasm', 'q8');

  // A adds photos: B shows them, done and scored, without encoding any image itself.
  await a.setInputFiles('#file-input', photos(6, 'a'));
  await waitForPhotos(a, 6);
  await expect(b.locator('li.photo[data-state="done"]')).toHaveCount(6);
  expect((await counters(b)).images).toBe(0);
  await expect(b.locator('li.photo[data-file="a-3.jpg"] .photo-open')).toBeAttached();

  // B removes one: A drops it.
  await b.locator('li.photo[data-file="a-5.jpg"] .photo-open').click();
  await b.locator('#detail button.danger', { hasText: 'Remove photo' }).click();
  await expect(a.locator('li.photo')).toHaveCount(5);

  // B adds a label: A has it, and scores every photo with it.
  const typed = 'a cat on a sofa';
  await b.locator('#new-label').fill(typed);
  await b.locator('#new-label').press('Enter');
  await expect.poll(() => labelNames(a)).toContain(typed);
  await expect(a.locator('#status')).toHaveAttribute('data-labels-ready', 'true');

  // B in the middle of a batch; A clears everything.
  await b.setInputFiles('#file-input', photos(80, 'b'));
  await expect(b.locator('li.photo[data-state="done"]').nth(8)).toBeAttached();
  await expect(b.locator('[data-progress="batch"]')).toHaveAttribute('data-running', 'true');
  a.once('dialog', (dialog) => void dialog.accept());
  await a.locator('#clear-all').click();
  await expect(a.locator('li.photo')).toHaveCount(0);
  await expect(b.locator('li.photo')).toHaveCount(0);
  await expect(b.locator('.notice.info')).toContainText(['cleared in another tab']);
  await expect(b.locator('[data-progress="batch"]')).toHaveAttribute('data-running', 'false');
  await expect(b.locator('#status')).toHaveAttribute('data-labels-ready', 'true');
  expect(await labelNames(b)).not.toContain(typed);

  // Nothing was written back: after a reload of both, no photos and the default labels.
  for (const page of [a, b]) {
    await page.reload();
    await openApp(page, 'wasm', 'q8');
    await expect(page.locator('li.photo')).toHaveCount(0);
    expect(await labelNames(page)).not.toContain(typed);
  }
});
