// The photo library in the built app (issue 11): "Find photos" by words, "more like this" and
// near-duplicates over the stored embeddings, checked against the cosines of the `mumic` CLI's
// own library (`mumic index` / `search` / `similar` / `duplicates`) on the same photos and dtype.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';
import { FIXTURE_DIR } from '../fixture.ts';
import { counters, MODEL_DIR, openApp, REPO, waitForPhotos } from './app-helpers.ts';

const run = promisify(execFile);
const names = readdirSync(join(FIXTURE_DIR, 'images')).sort();
const DIR = mkdtempSync(join(tmpdir(), 'mumic-library-e2e-'));
for (const n of names) copyFileSync(join(FIXTURE_DIR, 'images', n), join(DIR, n));
const paths = names.map((n) => join(DIR, n));
/** An exact copy under another name: must group with its original. */
const COPY = join(DIR, 'chelsea-copy.jpg');
copyFileSync(join(DIR, 'chelsea.jpg'), COPY);
const LIB = join(DIR, 'lib');
const QUERY = 'a cat on a sofa';
/**
 * The same fp32 model in Chromium (WASM) and Node: texts agree to ~1e-6; image embeddings to
 * ~5e-4 of cosine on the RGBA photo (decoders differ on alpha), as in app.spec.ts.
 */
const TOLERANCE = 1e-3;

test.use({ serviceWorkers: 'block' });

type Ranked = { file: string; cosine: number }[];

async function cli(...args: string[]): Promise<unknown[]> {
  const { stdout } = await run(process.execPath, [join(REPO, 'bin', 'mumic.js'), ...args], {
    cwd: REPO,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);
}

const named = (r: Ranked): Ranked => r.map((x) => ({ file: basename(x.file), cosine: x.cosine }));

/** The ranked tiles of the results grid, best first, from the DOM hooks. */
async function rankedTiles(page: Page): Promise<(Ranked[number] & { rank: number })[]> {
  const rows = await page.locator('.results li.photo[data-rank]').evaluateAll((els) =>
    els.map((e) => {
      const d = (e as HTMLElement).dataset;
      return { file: String(d['file']), rank: Number(d['rank']), cosine: Number(d['match']) };
    }),
  );
  return rows;
}

/** The app's order agrees with the CLI's cosines: same cosines, and best first by them. */
function expectOrder(app: Awaited<ReturnType<typeof rankedTiles>>, want: Ranked): void {
  expect(app.map((r) => r.rank)).toEqual(app.map((_, i) => i + 1));
  expect(app.map((r) => r.file).sort()).toEqual(want.map((r) => r.file).sort());
  const cliCosine = new Map(want.map((r) => [r.file, r.cosine]));
  app.forEach((r, i) => {
    expect(Math.abs(r.cosine - (cliCosine.get(r.file) ?? NaN)), r.file).toBeLessThan(TOLERANCE);
    const next = app[i + 1];
    if (next) {
      expect(r.cosine).toBeGreaterThanOrEqual(next.cosine);
      // By the CLI's cosines too (near-ties may swap within the tolerance).
      const a = cliCosine.get(r.file) ?? NaN;
      const b = cliCosine.get(next.file) ?? NaN;
      expect(a, `${r.file} before ${next.file}`).toBeGreaterThanOrEqual(b - 2 * TOLERANCE);
    }
  });
}

test('find photos by words, more like this, near-duplicates: as the CLI ranks them', async ({
  page,
}) => {
  await cli('index', '--model', MODEL_DIR, '--dtype', 'fp32', '--index', LIB, ...paths, COPY);
  const [search] = (await cli(
    'search',
    '--model',
    MODEL_DIR,
    '--index',
    LIB,
    '--top',
    '100',
    QUERY,
  )) as { results: Ranked }[];
  const [similar] = (await cli(
    'similar',
    '--index',
    LIB,
    '--top',
    '100',
    join(DIR, 'chelsea.jpg'),
  )) as {
    results: Ranked;
  }[];
  const groups = (await cli('duplicates', '--index', LIB)) as { group: Ranked }[];

  await openApp(page, 'wasm', 'fp32');
  await page.setInputFiles('#file-input', paths);
  await waitForPhotos(page, names.length);
  const labels = await page.locator('.label-item').count();
  const before = await counters(page);

  // Search by words: one text pass, no image encoded, every photo ranked (the copy is not in yet).
  await page.locator('#photo-search').fill(QUERY);
  await page.locator('#photo-search').press('Enter');
  await expect(page.locator('.results li.photo[data-rank]')).toHaveCount(names.length);
  const withoutCopy = named(search?.results ?? []).filter((r) => r.file !== basename(COPY));
  expectOrder(await rankedTiles(page), withoutCopy);
  expect(await counters(page)).toEqual({ images: before.images, texts: before.texts + 1 });
  // A query is not a label until the person says so.
  expect(await page.locator('.label-item').count()).toBe(labels);
  await page.locator('[data-action="add-query-label"]').click();
  await expect(page.locator('.label-item')).toHaveCount(labels + 1);

  // Clearing the box returns to the normal view (order added, no ranks).
  await page.locator('#photo-search').fill('');
  await expect(page.locator('.results li.photo[data-rank]')).toHaveCount(0);
  const order = await page
    .locator('.results li.photo')
    .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset['file']));
  expect(order).toEqual(names);

  // More like this: every other photo by image-image cosine.
  await page.locator('.results li.photo[data-file="chelsea.jpg"] .photo-open').click();
  await page.locator('#detail button[data-action="similar"]').click();
  await expect(page.locator('.results li.photo[data-rank]')).toHaveCount(names.length - 1);
  const likeThis = named(similar?.results ?? []).filter((r) => r.file !== basename(COPY));
  expectOrder(await rankedTiles(page), likeThis);
  expect((await counters(page)).images).toBe(before.images);
  await page.locator('[data-action="clear-search"]').click();

  // Near-duplicates: a copy under another name groups with its original, as the CLI groups them.
  await page.setInputFiles('#file-input', [COPY]);
  await waitForPhotos(page, names.length + 1);
  await page.locator('[data-action="duplicates"]').click();
  const appGroups = page.locator('[data-duplicate-group]');
  await expect(appGroups).toHaveCount(groups.length);
  const got = await appGroups.evaluateAll((els) =>
    els.map((g) =>
      [...g.querySelectorAll<HTMLElement>('li.photo')].map((p) => String(p.dataset['file'])).sort(),
    ),
  );
  const want = groups.map((g) =>
    named(g.group)
      .map((r) => r.file)
      .sort(),
  );
  const key = (g: string[]) => g.join('|');
  expect(got.map(key).sort()).toEqual(want.map(key).sort());

  // Keep one, remove the others, in one action; the removal holds after a reload.
  const group = page.locator('[data-duplicate-group]', {
    has: page.locator('li.photo[data-file="chelsea-copy.jpg"]'),
  });
  const members = await group.locator('li.photo').count();
  await group.locator('label', { hasText: 'chelsea-copy.jpg' }).locator('input').check();
  await group.locator('[data-action="keep-one"]').click();
  await expect(page.locator('.results li.photo')).toHaveCount(names.length + 2 - members);
  await expect(page.locator('.results li.photo[data-file="chelsea-copy.jpg"]')).toHaveCount(1);
  await expect(page.locator('.results li.photo[data-file="chelsea.jpg"]')).toHaveCount(0);
  await openApp(page, 'wasm', 'fp32');
  await expect(page.locator('.results li.photo')).toHaveCount(names.length + 2 - members);
  await expect(page.locator('.results li.photo[data-file="chelsea.jpg"]')).toHaveCount(0);
});
