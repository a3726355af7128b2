// Issue 16 (browser): the prepare workers resize a large photo whole and make its thumbnail from
// that small image; preprocess then only crops it. The tensor must be the one preprocess makes
// from the full-size pixels, for every fixture processor and image (and a 12 MP-like shape).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { decodeImage } from '../../src/cli/decode-node.ts';
import { NodeModelSource } from '../../src/cli/model-source-node.ts';
import { loadModelFolder } from '../../src/core/model-folder.ts';
import { preprocess } from '../../src/core/preprocess.ts';
import type { DecodedImage } from '../../src/core/types.ts';
import { resizedWhole, shrinksBoth, thumbnailSource } from '../../src/worker/prepare-protocol.ts';
import { VARIANTS, VARIANTS_DIR } from '../family-fixtures.ts';
import { FIXTURE_DIR, fixtureImage } from '../fixture.ts';

const images = readdirSync(join(FIXTURE_DIR, 'images')).sort();

/** RGBA, as the browser decoder gives it. */
function rgba(image: DecodedImage): DecodedImage {
  const n = image.width * image.height;
  const data = new Uint8Array(n * 4);
  const c = image.channels;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) data[i * 4 + k] = image.data[i * c + (c === 1 ? 0 : k)] ?? 0;
    data[i * 4 + 3] = c === 4 ? (image.data[i * c + 3] ?? 0) : 255;
  }
  return { width: image.width, height: image.height, channels: 4, data };
}

function noise(width: number, height: number): DecodedImage {
  let seed = 7;
  const data = Uint8Array.from({ length: width * height * 4 }, () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed >>> 24;
  });
  return { width, height, channels: 4, data };
}

const bytes = (t: Float32Array): Buffer => Buffer.from(t.buffer, t.byteOffset, t.byteLength);

describe.each([FIXTURE_DIR, ...VARIANTS.map((v) => join(VARIANTS_DIR, v))])(
  'processor of %s',
  (folder) => {
    test('the whole resize, then preprocess, gives the same tensor', async () => {
      const { processor } = await loadModelFolder(new NodeModelSource(folder));
      const inputs = await Promise.all(
        images.map(async (n) => rgba(await decodeImage(readFileSync(fixtureImage(n))))),
      );
      inputs.push(noise(1203, 901), noise(640, 1100));
      let used = 0;
      for (const image of inputs) {
        if (!shrinksBoth(image, processor)) continue;
        used++;
        const small = resizedWhole(image, processor);
        const same = bytes(preprocess(small, processor)).equals(
          bytes(preprocess(image, processor)),
        );
        expect(same, `${image.width}x${image.height}`).toBe(true);
      }
      if (processor.doResize) expect(used).toBeGreaterThan(0);
    });
  },
);

test("a squashed photo's thumbnail keeps the photo's shape, upright", () => {
  const wide = noise(1203, 901);
  expect(thumbnailSource(wide)).toMatchObject({ width: 320, height: 240, channels: 3 });
  // Stored sideways (EXIF 6): the thumbnail is of the upright photo.
  expect(thumbnailSource({ ...wide, orientation: 6 })).toMatchObject({ width: 240, height: 320 });
});
