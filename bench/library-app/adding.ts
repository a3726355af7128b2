// Photos added to a large library through the file input. While they stream in, the page renders
// up to ten times a second, and each render derives from the whole library what the grid shows
// (its list, the count of photos per label): this prints what the page's main thread spends per
// photo added (from /proc), and its long tasks. The photos added are removed again afterwards,
// so a kept profile still holds the library it was seeded with.
import { appendFileSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import type { Page } from '@playwright/test';
import { benchImages } from '../bench-images.ts';
import { procSnapshot } from '../browser/proc-cpu.ts';

export async function adding(page: Page, count: number, library: number): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'mumic-adding-'));
  try {
    // New content each run (trailing bytes: the hash differs), so every photo is encoded.
    const stamp = Date.now();
    const files = benchImages(count).map((src, i) => {
      const path = join(folder, `added-${i}${extname(src)}`);
      copyFileSync(src, path);
      appendFileSync(path, `\n#${stamp}-${i}`);
      return path;
    });
    const encoded = Number(await page.locator('#status').getAttribute('data-images-encoded'));
    await page.evaluate('globalThis.longTasks = []');
    const before = procSnapshot();
    const started = performance.now();
    await page.setInputFiles('#file-input', files);
    await page
      .locator(`#status[data-images-encoded="${encoded + count}"]`)
      .waitFor({ state: 'attached', timeout: 600_000 });
    const took = performance.now() - started;
    const after = procSnapshot();
    const main = 'renderer: chromium';
    const mainMs = ((after.get(main) ?? 0) - (before.get(main) ?? 0)) * 1000;
    const tasks = (await page.evaluate('globalThis.longTasks')) as number[];
    console.log(
      `${count} photos added to a library of ${library}: ${(took / count).toFixed(0)} ms a photo; ` +
        `the page's main thread ${(mainMs / count).toFixed(1)} ms of CPU a photo; ` +
        `${tasks.length} long tasks over 50 ms` +
        (tasks.length ? ` (longest ${Math.max(...tasks).toFixed(0)} ms)` : ''),
    );
    // Off again: the photos whose names were added in this run.
    await page.evaluate(`(async () => {
      const library = globalThis.mumic.app.library;
      const ids = library.photos.filter((p) => p.name.startsWith('added-') && p.id).map((p) => p.id);
      await library.removePhotos(ids);
    })()`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
