// Issue 2 parity in a real browser: fixture photos and texts go through the worker (decode,
// preprocess, tokenize, onnxruntime-web) and must match the PyTorch reference.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { FIXTURE_DIR, cosine, reference } from '../fixture.ts';

const images = readdirSync(join(FIXTURE_DIR, 'images')).sort();
const texts = Object.keys(reference.texts);
/** The fixture photos' bytes, as base64 for the page (which makes Blobs of them). */
const photosB64 = images.map((name) =>
  readFileSync(join(FIXTURE_DIR, 'images', name)).toString('base64'),
);

async function openApp(page: Page, backend: string, dtype: string, prepare: string) {
  await page.goto(`/?model=clip-tiny&backend=${backend}&dtype=${dtype}&prepare=${prepare}`);
  return page.evaluate(
    () => (globalThis as unknown as { mumic: { ready: Promise<unknown> } }).mumic.ready,
  );
}

async function embedInPage(page: Page) {
  return page.evaluate(
    async ({ files, texts }) => {
      type Bridge = {
        embedImages(
          b: Blob[],
        ): Promise<({ embedding: Float32Array } | { error: { name: string } })[]>;
        embedTexts(t: string[]): Promise<{ inputIds: number[][]; embeddings: Float32Array }>;
      };
      const { bridge } = (globalThis as unknown as { mumic: { bridge: Bridge } }).mumic;
      const blobs = files.map(
        (b64) => new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))]),
      );
      const out = await bridge.embedImages(blobs);
      const text = await bridge.embedTexts(texts);
      return {
        images: out.map((o) => ('embedding' in o ? Array.from(o.embedding) : o.error.name)),
        inputIds: text.inputIds,
        textEmbeddings: Array.from(text.embeddings),
      };
    },
    { files: photosB64, texts },
  );
}

// `prepare`: images decoded in the CLIP worker (inline) or on its nested prepare worker; the
// app picks by core count, so both paths are tested whatever this machine has.
const cases = [
  { backend: 'wasm', dtype: 'fp32', min: 0.9999, prepare: 'inline' },
  { backend: 'wasm', dtype: 'q8', min: 0.999, prepare: 'worker' },
  { backend: 'webgpu', dtype: 'fp32', min: 0.9999, prepare: 'worker' },
];

for (const { backend, dtype, min, prepare } of cases) {
  test(`worker pipeline matches the reference on ${backend} ${dtype}, prepared ${prepare}`, async ({
    page,
  }) => {
    const status = (await openApp(page, backend, dtype, prepare)) as {
      backend: string;
      dtypes: { vision: string };
      fallbackReason?: string;
    };
    expect(status.backend, status.fallbackReason).toBe(backend);
    expect(status.dtypes.vision).toBe(dtype);
    await expect(page.locator('#status')).toHaveAttribute('data-backend', backend);

    const result = await embedInPage(page);
    const dim = reference.model.projection_dim;
    const lines: string[] = [];
    images.forEach((name, i) => {
      const got = result.images[i];
      expect(Array.isArray(got), `${name}: ${String(got)}`).toBe(true);
      const c = cosine(got as number[], reference.images[name]?.image_embeds ?? []);
      lines.push(`${name} ${c.toFixed(6)}`);
      expect(c, name).toBeGreaterThanOrEqual(min);
    });
    texts.forEach((text, i) => {
      const ref = reference.texts[text];
      expect(result.inputIds[i], JSON.stringify(text)).toEqual(ref?.input_ids);
      const c = cosine(result.textEmbeddings.slice(i * dim, (i + 1) * dim), ref?.text_embeds ?? []);
      lines.push(`text ${JSON.stringify(text).slice(0, 30)} ${c.toFixed(6)}`);
      expect(c, text).toBeGreaterThanOrEqual(min);
    });
    console.log(`${backend} ${dtype} cosines:\n  ${lines.join('\n  ')}`);
  });
}

// Issue 16: with one model thread on WASM, the nested prepare worker embeds the photos it
// prepares on its own copy of the vision tower; its vectors must be the CLIP worker's, exactly.
test('a prepare worker’s copy of the vision tower gives the same vectors, bit for bit (wasm q8)', async ({
  page,
}) => {
  /** Runs of the fixture photos until `stop` (photos embedded on the copy in the last run). */
  const runUntil = (stop: 'never' | 'beside') =>
    page.evaluate(
      async ({ files, stop }) => {
        type Bridge = {
          embedImages(b: Blob[]): Promise<({ embedding: Float32Array } | { error: unknown })[]>;
          status(): Promise<{ counters: { imagesEncodedBeside: number } }>;
        };
        const { bridge } = (globalThis as unknown as { mumic: { bridge: Bridge } }).mumic;
        const blobs = files.map(
          (b64) => new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))]),
        );
        const beside = async () => (await bridge.status()).counters.imagesEncodedBeside;
        let vectors: number[][] = [];
        let last = 0;
        // Until the copy has loaded (at the first batch) and embedded some of a run.
        for (let i = 0; i < (stop === 'never' ? 2 : 20) && (stop === 'never' || !last); i++) {
          const before = await beside();
          vectors = (await bridge.embedImages(blobs)).map((o) =>
            'embedding' in o ? Array.from(o.embedding) : [],
          );
          last = (await beside()) - before;
          await new Promise((r) => setTimeout(r, 300));
        }
        return { vectors, beside: last };
      },
      { files: photosB64, stop },
    );
  // The copy is used where the model has one thread: all cores but one to prepare workers (2
  // cores: the default). The CLIP worker alone (embed=0), then with the copy.
  await page.goto('/');
  const workers = Math.max(1, (await page.evaluate(() => navigator.hardwareConcurrency)) - 1);
  await openApp(page, 'wasm', 'q8', `${workers}&embed=0`);
  const alone = await runUntil('never');
  expect(alone.beside).toBe(0);
  await openApp(page, 'wasm', 'q8', String(workers));
  const beside = await runUntil('beside');
  expect(beside.beside, 'photos embedded on the copy in the last run').toBeGreaterThan(0);
  expect(beside.vectors).toEqual(alone.vectors);
  images.forEach((name, i) => {
    const c = cosine(beside.vectors[i] ?? [], reference.images[name]?.image_embeds ?? []);
    expect(c, name).toBeGreaterThanOrEqual(0.999);
  });
});
