// The fixtures of other model families and processors (../shared/fixtures, beside clip-tiny).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FIXTURE_DIR } from './fixture.ts';

export const SIGLIP_DIR = join(dirname(FIXTURE_DIR), 'siglip-tiny');
export const VARIANTS_DIR = join(dirname(FIXTURE_DIR), 'preprocess-variants');
export const VARIANTS = [
  'bilinear-256-unnormalised',
  'squash-224-bicubic',
  'squash-256-bilinear',
  'lanczos-384',
] as const;

export interface SiglipReference {
  model: { logit_scale: number; logit_bias: number };
  images: Record<string, { pooler_output: number[]; image_embeds: number[] }>;
  texts: Record<
    string,
    { canonical: string; input_ids: number[]; pooler_output: number[]; text_embeds: number[] }
  >;
  logits_per_image: Record<string, Record<string, number>>;
}

export const siglipReference = JSON.parse(
  readFileSync(join(SIGLIP_DIR, 'reference.json'), 'utf8'),
) as SiglipReference;

export const variantReference = (
  variant: string,
): { images: Record<string, { image_embeds: number[] }> } =>
  JSON.parse(readFileSync(join(VARIANTS_DIR, variant, 'reference.json'), 'utf8')) as {
    images: Record<string, { image_embeds: number[] }>;
  };

/** Reference pixels of a fixture folder, little-endian float32. */
export function pixelsIn(dir: string, image: string): Float32Array {
  const buf = readFileSync(join(dir, `pixels-${image}.f32`));
  return new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4).slice();
}

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
