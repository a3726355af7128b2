// Issue 14 in a real browser: siglip-tiny through the app's worker (decode, squash, canonical
// tokenization, onnxruntime-web, the label bank's scoring with the model's own calibration).
// Every score must be sigmoid(logits_per_image) of the PyTorch reference within 1e-4.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { SIGLIP_DIR, sigmoid, siglipReference as ref } from '../family-fixtures.ts';

const images = readdirSync(join(SIGLIP_DIR, 'images')).sort();
const texts = Object.keys(ref.texts).filter((t) => t.trim() !== '');
// Typed in another case and with punctuation: must score as the canonical text does.
const labels = [
  ...texts.map((t, i) => ({ id: `t${i}`, prompt: t, text: t })),
  ...texts.map((t, i) => ({ id: `s${i}`, prompt: `${t.toUpperCase()}!?`, text: t })),
];

for (const backend of ['wasm', 'webgpu']) {
  test(`siglip-tiny scores through the worker on ${backend} equal the model's sigmoid`, async ({
    page,
  }) => {
    await page.goto(`/?model=siglip-tiny&backend=${backend}&dtype=fp32`);
    const status = (await page.evaluate(
      () => (globalThis as unknown as { mumic: { ready: Promise<unknown> } }).mumic.ready,
    )) as { backend: string; fallbackReason?: string };
    expect(status.backend, status.fallbackReason).toBe(backend);

    const files = images.map((name) => ({
      name,
      b64: readFileSync(join(SIGLIP_DIR, 'images', name)).toString('base64'),
    }));
    const table = await page.evaluate(
      async ({ files, labels }) => {
        type Table = { labelIds: string[]; photoIds: string[]; scores: Float32Array };
        type Bridge = {
          classify(
            inputs: { key: number; file: Blob; name: string; path: string }[],
            onUpdate: (u: unknown) => void,
          ): Promise<unknown>;
          setLabels(l: { id: string; prompt: string }[], t: string[]): Promise<{ table: Table }>;
          restore(): Promise<{ photos: { id: string; name: string }[] }>;
        };
        const { bridge } = (globalThis as unknown as { mumic: { bridge: Bridge } }).mumic;
        const inputs = files.map((f, key) => ({
          key,
          name: f.name,
          path: f.name,
          file: new Blob([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))]),
        }));
        await bridge.classify(inputs, () => {});
        // The label set last, so that nothing the page does in between replaces it.
        const refs = labels.map(({ id, prompt }) => ({ id, prompt }));
        const { table } = await bridge.setLabels(refs, ['{}']);
        const names = new Map((await bridge.restore()).photos.map((p) => [p.id, p.name]));
        return {
          labelIds: table.labelIds,
          photos: table.photoIds.map((id) => names.get(id) ?? id),
          scores: Array.from(table.scores),
        };
      },
      { files, labels },
    );

    expect([...table.photos].sort()).toEqual(images);
    let worst = 0;
    const perPhoto: string[] = [];
    table.photos.forEach((photo, i) => {
      let photoWorst = 0;
      table.labelIds.forEach((id, j) => {
        const text = labels.find((l) => l.id === id)?.text ?? '';
        const want = sigmoid(ref.logits_per_image[photo]?.[text] ?? NaN);
        const got = table.scores[i * table.labelIds.length + j] ?? NaN;
        photoWorst = Math.max(photoWorst, Math.abs(got - want));
      });
      worst = Math.max(worst, photoWorst);
      perPhoto.push(`${photo} ${photoWorst.toExponential(2)}`);
    });
    console.log(
      `${backend}: ${table.photos.length} photos x ${table.labelIds.length} labels, max |score - sigmoid(logit)| ${worst.toExponential(2)}\n  ${perPhoto.join('\n  ')}`,
    );
    expect(worst).toBeLessThanOrEqual(1e-4);
  });
}
