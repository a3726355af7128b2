import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The clip-tiny fixture folder: MUMIC_FIXTURE, else ../shared/fixtures/clip-tiny. */
export const FIXTURE_DIR = resolve(
  process.env['MUMIC_FIXTURE'] ?? join(repoRoot, '..', 'shared', 'fixtures', 'clip-tiny'),
);

if (!existsSync(join(FIXTURE_DIR, 'reference.json'))) {
  // Fail loudly: a missing fixture must never look like a passing suite.
  throw new Error(
    `clip-tiny fixture not found at ${FIXTURE_DIR}. Put ../shared beside the checkout or set MUMIC_FIXTURE.`,
  );
}

export interface Reference {
  model: { size: string; seed: number; projection_dim: number };
  images: Record<string, { image_embeds: number[] }>;
  texts: Record<string, { input_ids: number[]; attention_mask: number[]; text_embeds: number[] }>;
}

export const reference = JSON.parse(
  readFileSync(join(FIXTURE_DIR, 'reference.json'), 'utf8'),
) as Reference;

export const fixtureImage = (name: string): string => join(FIXTURE_DIR, 'images', name);

/** Reference pixels [1,3,H,W] for an image, little-endian float32. */
export function referencePixels(name: string): Float32Array {
  const buf = readFileSync(join(FIXTURE_DIR, `pixels-${name}.f32`));
  return new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4).slice();
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return dot / Math.sqrt(na * nb);
}
