// 12-megapixel JPEGs (4032 × 3024, as phones take them) made from the fixture photos: scaled up,
// with noise added so that they compress like real photos (3–5 MB at quality 92) and the decoder
// has real work. Made once into bench/photos-12mp/ (git-ignored); nothing large is committed.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import sharp from 'sharp';
import { FIXTURE_IMAGES } from './bench-images.ts';

export const PHOTOS_12MP = resolve(import.meta.dirname, 'photos-12mp');
const WIDTH = 4032;
const HEIGHT = 3024;

/** Adds zero-mean noise (sum of two uniform draws, ±24 levels) with a fixed seed. */
function addNoise(pixels: Buffer, seed: number): void {
  let s = seed >>> 0;
  for (let i = 0; i < pixels.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const n = ((s >>> 24) + ((s >>> 16) & 0xff) - 255) / 10.6;
    const v = (pixels[i] as number) + n;
    pixels[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
}

/** The 12 MP photos (one per fixture photo), made if missing; sorted paths. */
export async function photos12mp(): Promise<string[]> {
  mkdirSync(PHOTOS_12MP, { recursive: true });
  const names = readdirSync(FIXTURE_IMAGES).sort();
  const out: string[] = [];
  for (const [i, name] of names.entries()) {
    const file = join(PHOTOS_12MP, `${basename(name, extname(name))}-12mp.jpg`);
    out.push(file);
    if (existsSync(file)) continue;
    const { data } = await sharp(join(FIXTURE_IMAGES, name))
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .resize(WIDTH, HEIGHT, { fit: 'cover', kernel: 'cubic' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    addNoise(data, 1234 + i);
    await sharp(data, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
      .jpeg({ quality: 92, chromaSubsampling: '4:2:0' })
      .toFile(file);
  }
  return out;
}
