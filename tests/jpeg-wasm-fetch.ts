// The browser path's WASM libjpeg-turbo fetches its .wasm from the app's origin; tests in Node
// have fetch read it from node_modules instead, for the whole file.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, vi } from 'vitest';

const WASM = createRequire(import.meta.url).resolve(
  '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm',
);

export function serveJpegWasmFromNodeModules(): void {
  beforeAll(() => {
    vi.stubGlobal('fetch', (url: string | URL) => {
      if (!String(url).endsWith('.wasm')) throw new Error(`unexpected fetch of ${String(url)}`);
      return Promise.resolve(
        new Response(readFileSync(WASM), { headers: { 'Content-Type': 'application/wasm' } }),
      );
    });
  });
  afterAll(() => vi.unstubAllGlobals());
}
