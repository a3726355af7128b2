import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const FIXTURE_IMAGES = resolve(
  process.env['MUMIC_FIXTURE'] ??
    join(import.meta.dirname, '..', '..', 'shared', 'fixtures', 'clip-tiny'),
  'images',
);

/** `count` image paths cycling through the fixture photos (PNG and JPEG, 17 px to 512 px). */
export function benchImages(count: number): string[] {
  const names = readdirSync(FIXTURE_IMAGES).sort();
  return Array.from({ length: count }, (_, i) =>
    join(FIXTURE_IMAGES, names[i % names.length] ?? ''),
  );
}
