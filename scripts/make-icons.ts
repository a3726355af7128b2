// Renders the app icons (web app manifest, apple-touch-icon) from public/icons/icon.svg with
// sharp. Run after editing the SVG: `npx tsx scripts/make-icons.ts`. The PNGs are committed.
import { join } from 'node:path';
import sharp from 'sharp';

const DIR = join(import.meta.dirname, '..', 'public', 'icons');
const svg = join(DIR, 'icon.svg');

// The SVG is full-bleed with its picture inside the central 80 %, so one drawing serves both
// "any" and "maskable" purposes.
const outputs: [name: string, size: number][] = [
  ['icon-192.png', 192],
  ['icon-512.png', 512],
  ['apple-touch-icon.png', 180],
];

for (const [name, size] of outputs) {
  await sharp(svg, { density: Math.ceil((72 * size) / 512) * 2 })
    .resize(size, size)
    .png({ compressionLevel: 9 })
    .toFile(join(DIR, name));
  console.log(`public/icons/${name} (${size}×${size})`);
}
