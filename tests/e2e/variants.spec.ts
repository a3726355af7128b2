// Issue 12 in a real browser: every preprocess-variants folder (MobileCLIP-, SigLIP-, Lanczos-style
// image processors) through the app's worker on WASM, fp32, against its PyTorch reference.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { VARIANTS, variantReference } from '../family-fixtures.ts';
import { FIXTURE_DIR, cosine } from '../fixture.ts';

const images = readdirSync(join(FIXTURE_DIR, 'images')).sort();
const files = images.map((name) => ({
  name,
  b64: readFileSync(join(FIXTURE_DIR, 'images', name)).toString('base64'),
}));

for (const variant of VARIANTS) {
  test(`${variant}: the worker's embeddings reach cosine >= 0.9999`, async ({ page }) => {
    await page.goto(`/?model=${variant}&backend=wasm&dtype=fp32`);
    await page.evaluate(
      () => (globalThis as unknown as { mumic: { ready: Promise<unknown> } }).mumic.ready,
    );
    const out = await page.evaluate(async (files) => {
      type Bridge = {
        embedImages(b: Blob[]): Promise<({ embedding: Float32Array } | { error: unknown })[]>;
      };
      const { bridge } = (globalThis as unknown as { mumic: { bridge: Bridge } }).mumic;
      const blobs = files.map(
        (f) => new Blob([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))]),
      );
      return (await bridge.embedImages(blobs)).map((o) =>
        'embedding' in o ? Array.from(o.embedding) : [],
      );
    }, files);
    const ref = variantReference(variant);
    const lines = images.map((name, i) => {
      const c = cosine(out[i] ?? [], ref.images[name]?.image_embeds ?? []);
      expect(c, name).toBeGreaterThanOrEqual(0.9999);
      return `${name} ${c.toFixed(6)}`;
    });
    console.log(`${variant} (wasm fp32):\n  ${lines.join('\n  ')}`);
  });
}
