// The browser's planes decoder may take (detach) a JPEG's bytes to spare a 4 MB copy at 12 MP;
// when it then refuses the file, the WASM decoder reads the file again and still gives PIL's
// pixels. The planes path is replaced by a fake that takes the bytes and refuses, as a partial
// decode or an unexpected frame format would.
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { expect, test, vi } from 'vitest';
import { decodeImageWith } from '../../src/worker/decode-browser.ts';
import { fixtureImage } from '../fixture.ts';
import { serveJpegWasmFromNodeModules } from '../jpeg-wasm-fetch.ts';

vi.mock('../../src/worker/jpeg-planes.ts', () => ({
  decodeJpegPlanes: (bytes: Uint8Array) => {
    structuredClone(bytes.buffer, { transfer: [bytes.buffer as ArrayBuffer] }); // taken
    return Promise.resolve(undefined);
  },
}));

serveJpegWasmFromNodeModules();

test('bytes taken by a planes decode that then failed are read again for the WASM decoder', async () => {
  const jpeg = readFileSync(fixtureImage('chelsea.jpg'));
  const bytes = new Uint8Array(jpeg); // the caller's read, handed over for its hash
  const got = await decodeImageWith(new Blob([jpeg]), { bytes }, (image) => ({
    ...image,
    data: image.data.slice(),
  }));
  expect(bytes.byteLength).toBe(0); // the fake took them
  const want = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  expect([got.width, got.height, got.channels]).toEqual([
    want.info.width,
    want.info.height,
    want.info.channels,
  ]);
  expect(Buffer.from(got.data).equals(want.data)).toBe(true);
});
