// 2-megapixel JPEGs (1632 × 1224) for the browser benchmarks: the 12 MP bench photos scaled down
// (their noise included, so they still compress like photos), quality 92, 4:2:0. Made once into
// bench/photos-2mp/ (git-ignored).
import { existsSync, mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import sharp from 'sharp';
import { photos12mp } from './photos-12mp.ts';

export const PHOTOS_2MP = resolve(import.meta.dirname, 'photos-2mp');

/** The 2 MP photos (one per 12 MP photo), made if missing; sorted paths. */
export async function photos2mp(): Promise<string[]> {
  mkdirSync(PHOTOS_2MP, { recursive: true });
  const out: string[] = [];
  for (const big of await photos12mp()) {
    const file = join(PHOTOS_2MP, basename(big).replace('-12mp', '-2mp'));
    out.push(file);
    if (existsSync(file)) continue;
    await sharp(big)
      .resize(1632, 1224, { kernel: 'cubic' })
      .jpeg({ quality: 92, chromaSubsampling: '4:2:0' })
      .toFile(file);
  }
  return out;
}
