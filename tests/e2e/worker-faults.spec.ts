// Nothing lost, nothing frozen (issue 10, items 1 and 2): Clear all in the middle of a batch
// leaves nothing to come back after a reload; a worker that closes, throws at top level or hangs
// in the middle of a batch is replaced and every photo still completes.
import { expect, test, type Page } from '@playwright/test';
import { distinctPhotos as photos, openApp, waitForPhotos } from './app-helpers.ts';

async function openWith(page: Page, query: string): Promise<void> {
  await page.goto(`/?model=clip-tiny&backend=wasm&dtype=q8&${query}`);
  await page.evaluate(
    () => (globalThis as unknown as { mumic: { done: Promise<void> } }).mumic.done,
  );
  await expect(page.locator('#status')).toHaveAttribute('data-labels-ready', 'true');
}

test.setTimeout(600_000);

test('Clear all in the middle of a batch: a reload shows no photos', async ({ page }) => {
  await openApp(page, 'wasm', 'q8');
  await page.setInputFiles('#file-input', photos(60, 'clear'));
  await expect(page.locator('li.photo[data-state="done"]').first()).toBeAttached();
  page.once('dialog', (dialog) => void dialog.accept());
  await page.locator('#clear-all').click();
  await expect(page.locator('li.photo')).toHaveCount(0);
  await expect(page.locator('.notice.info').last()).toContainText('Model folders');
  await expect(page.locator('#status')).toHaveAttribute('data-labels-ready', 'true');
  await page.reload();
  await openApp(page, 'wasm', 'q8');
  await expect(page.locator('li.photo')).toHaveCount(0);
});

for (const kind of ['close', 'throw', 'hang']) {
  test(`a worker that ${kind}s in the middle of a batch is replaced; every photo completes`, async ({
    page,
  }) => {
    await openWith(page, `workerFault=${kind}@3&workerDeadline=20000`);
    await page.setInputFiles('#file-input', photos(16, kind));
    await waitForPhotos(page, 16);
    await expect(page.locator('li.photo[data-state="error"]')).toHaveCount(0);
    await expect(page.locator('.notice')).toContainText(['restarted']);
    // Stored once each: a reload finds all 16.
    await openApp(page, 'wasm', 'q8');
    await expect(page.locator('li.photo')).toHaveCount(16);
  });
}
