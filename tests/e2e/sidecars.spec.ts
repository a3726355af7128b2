// XMP sidecars and keywords in the app (issue 15): tags written into a folder opened read-write
// (the origin private file system stands in for the folder picker), merged into an exiftool-made
// sidecar and read back by exiftool; every sidecar as a zip download; keywords exiftool embedded
// into copies of the fixture photos read from the dropped photos, an unknown one added as a label,
// and learned from.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { FIXTURE_DIR } from '../fixture.ts';
import { answer, detailScores, openApp, waitForPhotos } from './app-helpers.ts';

const IMAGES = join(FIXTURE_DIR, 'images');
const DEFAULTS = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../src/core/labels/default-labels.json'), 'utf8'),
) as { labels: { name: string; category: string }[] };
const CATEGORY = new Map(DEFAULTS.labels.map((l) => [l.name, l.category]));

test.use({ serviceWorkers: 'block' });

const exiftool = (...args: string[]): string =>
  execFileSync('exiftool', args, { encoding: 'utf8' });

interface SidecarTags {
  Subject?: string | string[];
  HierarchicalSubject?: string | string[];
  TagsList?: string | string[];
  Rating?: number;
  Title?: string;
}
const list = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];

function readSidecar(file: string): SidecarTags {
  const out = exiftool(
    '-j',
    '-XMP-dc:Subject',
    '-XMP-lr:HierarchicalSubject',
    '-XMP-digiKam:TagsList',
    '-XMP-xmp:Rating',
    '-XMP-dc:Title',
    file,
  );
  return (JSON.parse(out) as SidecarTags[])[0] as SidecarTags;
}

/** The labels a photo's sidecar should hold: at or above 0.5, plus confirmed, minus rejected. */
async function expectedLabels(page: Page, file: string, yes: string[], no: string[]) {
  const { scores } = await detailScores(page, file);
  const above = [...scores].filter(([, s]) => s >= 0.5).map(([name]) => name);
  return [...new Set([...above, ...yes])].filter((n) => !no.includes(n));
}

function expectKeywords(tags: SidecarTags, labels: string[], own: string[] = []) {
  const sorted = (a: string[]) => [...a].sort();
  expect(sorted(list(tags.Subject))).toEqual(sorted([...own, ...labels]));
  expect(sorted(list(tags.HierarchicalSubject))).toEqual(
    sorted(labels.map((n) => `mumic|${CATEGORY.get(n) ?? ''}|${n}`)),
  );
  expect(sorted(list(tags.TagsList))).toEqual(
    sorted(labels.map((n) => `mumic/${CATEGORY.get(n) ?? ''}/${n}`)),
  );
}

test('writes tags into an opened folder, merged with an exiftool sidecar, and reopens it', async ({
  page,
}, info) => {
  test.setTimeout(300_000);
  // The folder picker answers with a folder of the origin private file system.
  await page.addInitScript(() => {
    (globalThis as unknown as { showDirectoryPicker: () => Promise<unknown> }).showDirectoryPicker =
      async () => (await navigator.storage.getDirectory()).getDirectoryHandle('photos');
  });
  // An exiftool sidecar with a rating, a title and a keyword of the person's.
  const dir = info.outputPath('made');
  mkdirSync(dir, { recursive: true });
  const own = join(dir, 'chelsea.jpg.xmp');
  exiftool('-o', own, '-XMP-xmp:Rating=3', '-XMP-dc:Title=Cat', '-XMP-dc:Subject=Holiday');
  const files: Record<string, number[]> = {};
  for (const name of ['chelsea.jpg', 'astronaut.png']) {
    files[`trip/${name}`] = [...readFileSync(join(IMAGES, name))];
  }
  files['trip/chelsea.jpg.xmp'] = [...readFileSync(own)];

  await openApp(page, 'wasm', 'fp32');
  await page.evaluate(async (files) => {
    const root = await navigator.storage.getDirectory();
    const trip = await (
      await root.getDirectoryHandle('photos', { create: true })
    ).getDirectoryHandle('trip', { create: true });
    for (const [path, bytes] of Object.entries(files)) {
      const handle = await trip.getFileHandle(path.slice(5), { create: true });
      const w = await handle.createWritable();
      await w.write(new Uint8Array(bytes));
      await w.close();
    }
  }, files);
  await page.locator('#folder-open').click();
  await waitForPhotos(page, 2);
  await answer(page, 'astronaut.png', 'Bedroom', 'yes');
  await answer(page, 'chelsea.jpg', 'Kitchen', 'yes');
  // A label above the threshold the person rejected is never written.
  const above = await expectedLabels(page, 'astronaut.png', [], ['Bedroom']);
  const rejected = above[0] ?? '';
  expect(rejected).not.toBe('');
  await answer(page, 'astronaut.png', rejected, 'no');
  const astronautLabels = await expectedLabels(page, 'astronaut.png', ['Bedroom'], [rejected]);
  const chelseaLabels = await expectedLabels(page, 'chelsea.jpg', ['Kitchen'], []);

  await page.locator('#folder-write').click();
  const preview = page.locator('.sidecar-preview');
  await expect(preview).toHaveAttribute('data-created', '1');
  await expect(preview).toHaveAttribute('data-changed', '1');
  await expect(preview).toContainText('1 sidecar will be created');
  await page.locator('#folder-write-confirm').click();
  await expect(preview).toBeHidden();

  const written = await page.evaluate(async () => {
    const trip = await (
      await (await navigator.storage.getDirectory()).getDirectoryHandle('photos')
    ).getDirectoryHandle('trip');
    const out: Record<string, string> = {};
    for await (const [name, handle] of (
      trip as unknown as { entries(): AsyncIterable<[string, FileSystemFileHandle]> }
    ).entries()) {
      if (name.endsWith('.xmp')) out[name] = await (await handle.getFile()).text();
    }
    return out;
  });
  expect(Object.keys(written).sort()).toEqual(['astronaut.png.xmp', 'chelsea.jpg.xmp']);
  const back = info.outputPath('back');
  mkdirSync(back, { recursive: true });
  for (const [name, text] of Object.entries(written)) writeFileSync(join(back, name), text);
  const merged = readSidecar(join(back, 'chelsea.jpg.xmp'));
  expect(merged.Rating).toBe(3);
  expect(merged.Title).toBe('Cat');
  expectKeywords(merged, chelseaLabels, ['Holiday']);
  expectKeywords(readSidecar(join(back, 'astronaut.png.xmp')), astronautLabels);

  // A second write changes nothing.
  await page.locator('#folder-write').click();
  await expect(preview).toHaveAttribute('data-created', '0');
  await expect(preview).toHaveAttribute('data-changed', '0');
  await expect(preview).toHaveAttribute('data-unchanged', '2');
  await preview.getByRole('button', { name: 'Cancel' }).click();

  // After a reload the folder is offered again (its handle is kept in IndexedDB).
  await page.reload();
  await page.evaluate(
    () => (globalThis as unknown as { mumic: { done: Promise<void> } }).mumic.done,
  );
  await page.locator('#folder-reopen').click();
  await expect(page.locator('#folder-write')).toHaveAttribute('data-folder', 'photos');
});

test('downloads every sidecar as a zip that exiftool reads', async ({ page }, info) => {
  test.setTimeout(300_000);
  await openApp(page, 'wasm', 'fp32');
  const names = ['chelsea.jpg', 'camera-gray.png'];
  await page.setInputFiles(
    '#file-input',
    names.map((n) => join(IMAGES, n)),
  );
  await waitForPhotos(page, 2);
  for (const n of names) await answer(page, n, 'Kitchen', 'yes');
  const expected = new Map<string, string[]>();
  for (const n of names) expected.set(n, await expectedLabels(page, n, ['Kitchen'], []));
  await page.locator('#keyword-root').fill('tags');
  await page.locator('#keyword-root').press('Tab');
  await page.locator('#sidecar-naming').selectOption('base');

  const download = page.waitForEvent('download');
  await page.locator('#sidecars-zip').click();
  const zip = info.outputPath('sidecars.zip');
  await (await download).saveAs(zip);
  const out = info.outputPath('unzipped');
  execFileSync('unzip', ['-q', zip, '-d', out]);
  expect(readdirSync(out).sort()).toEqual(['camera-gray.xmp', 'chelsea.xmp']);
  for (const n of names) {
    const tags = readSidecar(join(out, n.replace(/\.\w+$/, '.xmp')));
    const labels = expected.get(n) ?? [];
    expect(list(tags.Subject).sort()).toEqual([...labels].sort());
    expect(list(tags.HierarchicalSubject).sort()).toEqual(
      labels.map((l) => `tags|${CATEGORY.get(l) ?? ''}|${l}`).sort(),
    );
  }
});

test('reads keywords embedded in dropped photos, adds an unknown one, learns from them', async ({
  page,
}, info) => {
  test.setTimeout(300_000);
  const dir = info.outputPath('tagged');
  mkdirSync(dir, { recursive: true });
  const names = readdirSync(IMAGES).sort();
  for (const n of names) copyFileSync(join(IMAGES, n), join(dir, n));
  const tag = (name: string, ...args: string[]) =>
    exiftool('-overwrite_original', ...args, join(dir, name));
  // IPTC and XMP into the JPEGs (read by the worker from the bytes it hashes), XMP (flat and
  // hierarchical) into the PNGs.
  for (const n of ['chelsea.jpg', 'chelsea-exif6.jpg', 'tall-chelsea.jpg']) {
    tag(n, '-IPTC:Keywords=Kitchen', '-XMP-dc:Subject=Cat');
  }
  for (const n of ['astronaut.png', 'camera-gray.png']) {
    tag(n, '-XMP-dc:Subject=Bedroom', '-XMP-lr:HierarchicalSubject=Rooms|Bedroom');
  }

  await openApp(page, 'wasm', 'fp32');
  await page.setInputFiles(
    '#file-input',
    names.map((n) => join(dir, n)),
  );
  await waitForPhotos(page, names.length);
  const panel = page.locator('.keywords');
  await expect(panel).toHaveAttribute('data-photos', '5');
  await expect(panel.locator('li[data-label="Kitchen"]')).toHaveAttribute('data-count', '3');
  await expect(panel.locator('li[data-label="Bedroom"]')).toHaveAttribute('data-count', '2');
  await expect(panel.locator('li[data-keyword="Cat"]')).toContainText('Cat (3)');

  await panel.locator('button[data-add-keyword="Cat"]').click();
  await expect(panel.locator('li[data-label="Cat"]')).toHaveAttribute('data-count', '3');
  await expect(panel.locator('li[data-keyword="Cat"]')).toHaveCount(0);

  // Complete for Kitchen and Bedroom: the other photos' missing keywords are "no"s.
  await panel.locator('input[data-complete="Kitchen"]').check();
  await panel.locator('input[data-complete="Bedroom"]').check();
  await panel.locator('#learn-keywords').click();
  const learned = panel.locator('.keyword-learned');
  await expect(learned).toHaveAttribute('data-positives', '8');
  await expect(learned).toHaveAttribute('data-negatives', '5');
  await expect(learned).toContainText('before');
  await expect(
    page.locator('li.photo[data-file="chelsea.jpg"] .chip[data-label="Kitchen"]'),
  ).toBeVisible();
});
