// Issues 12 and 14 through the `mumic` binary: every preprocess variant embeds like its reference,
// and SigLIP scores are the model's own sigmoid(logits_per_image).
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  SIGLIP_DIR,
  VARIANTS,
  VARIANTS_DIR,
  sigmoid,
  siglipReference,
  variantReference,
} from '../family-fixtures.ts';
import { FIXTURE_DIR, cosine } from '../fixture.ts';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '..', '..', 'bin', 'mumic.js');
const images = join(FIXTURE_DIR, 'images');
const lines = <T>(stdout: string): T[] =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as T);

describe.each(VARIANTS)('mumic embed on %s', (variant) => {
  it('reaches cosine >= 0.9999 (fp32) on every image', async () => {
    const dir = join(VARIANTS_DIR, variant);
    const { stdout } = await run(cli, ['embed', '--model', dir, '--dtype', 'fp32', images]);
    const ref = variantReference(variant);
    const out = lines<{ file: string; embedding: number[] }>(stdout);
    expect(out).toHaveLength(readdirSync(images).length);
    const worst = Math.min(
      ...out.map((l) =>
        cosine(l.embedding, ref.images[l.file.split('/').pop() ?? '']?.image_embeds ?? []),
      ),
    );
    console.log(`${variant}: min cosine ${worst.toFixed(6)}`);
    expect(worst).toBeGreaterThanOrEqual(0.9999);
  });
});

describe('mumic classify with a SigLIP model', () => {
  it('scores every label as sigmoid(logits_per_image), whatever its case and punctuation', async () => {
    const texts = Object.keys(siglipReference.texts).filter(
      (t) => t.trim() !== '' && t.length < 100 && !/[\t\n]/.test(t),
    );
    const shouted = texts.map((t) => `${t.toUpperCase()}?!`);
    const file = join(mkdtempSync(join(tmpdir(), 'mumic-siglip-')), 'labels.json');
    const names = [...texts, ...shouted];
    writeFileSync(
      file,
      JSON.stringify({ version: 1, labels: names.map((name, i) => ({ id: `l${i}`, name })) }),
    );
    const { stdout } = await run(cli, [
      'classify',
      ...['--model', SIGLIP_DIR, '--dtype', 'fp32', '--labels', file],
      ...['--template', '{}', '--threshold', '0', join(SIGLIP_DIR, 'images')],
    ]);
    let worst = 0;
    for (const line of lines<{ file: string; labels: { label: string; score: number }[] }>(
      stdout,
    )) {
      const logits = siglipReference.logits_per_image[line.file.split('/').pop() ?? ''] ?? {};
      expect(line.labels).toHaveLength(names.length);
      for (const { label, score } of line.labels) {
        const text = texts[shouted.indexOf(label)] ?? label;
        worst = Math.max(worst, Math.abs(score - sigmoid(logits[text] ?? NaN)));
      }
    }
    console.log(`SigLIP classify: max |score - sigmoid(logit)| ${worst.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(1e-4);
  });
});
