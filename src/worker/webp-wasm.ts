/**
 * Thumbnails encoded as WebP by libwebp compiled to WebAssembly (@jsquash/webp, Squoosh's codec),
 * at method 2. Chromium's own encoder (OffscreenCanvas.convertToBlob) uses method 4: 9.4 ms of
 * the preparing thread for a 299 × 224 thumbnail, against 3.9 here for files 3% larger
 * (docs/PERFORMANCE.md, issue 16, session 14). Without it the canvas encodes (image-tools.ts).
 */
import simdFactory from '@jsquash/webp/codec/enc/webp_enc_simd.js';
import type { WebPModule } from '@jsquash/webp/codec/enc/webp_enc.js';
import wasmUrl from '@jsquash/webp/codec/enc/webp_enc_simd.wasm?url';
import { defaultOptions } from '@jsquash/webp/meta.js';

/** Quality as the canvas was asked for (0.8); method 2: see above. */
const OPTIONS = { ...defaultOptions, quality: 80, method: 2 };

let encoder: Promise<WebPModule> | undefined;

/** The Emscripten factory, typed for what is used here (the package's own types are partial). */
const factory = simdFactory as unknown as (overrides: {
  noInitialRun: boolean;
  instantiateWasm: (
    imports: WebAssembly.Imports,
    done: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
  ) => object;
}) => Promise<WebPModule>;

function start(): Promise<WebPModule> {
  const compiled = WebAssembly.compileStreaming(fetch(wasmUrl)).catch(async () =>
    WebAssembly.compile(await (await fetch(wasmUrl)).arrayBuffer()),
  );
  // A failed instantiate rejects: Emscripten's factory would wait for it forever.
  return compiled.then(
    (module) =>
      new Promise<WebPModule>((resolve, reject) => {
        factory({
          noInitialRun: true,
          instantiateWasm: (imports, done) => {
            WebAssembly.instantiate(module, imports).then((i) => done(i, module), reject);
            return {};
          },
        }).then(resolve, reject);
      }),
  );
}

/** Compiles the encoder ahead of the first photo (a failure is retried at the next call). */
export function warmWebpWasm(): Promise<boolean> {
  encoder ??= start();
  return encoder.then(
    () => true,
    () => {
      encoder = undefined;
      return false;
    },
  );
}

/** RGBA pixels as a WebP; undefined if the encoder could not start or failed. */
export async function encodeWebp(
  rgba: Uint8ClampedArray<ArrayBuffer>,
  width: number,
  height: number,
): Promise<Blob | undefined> {
  if (!(await warmWebpWasm())) return undefined;
  const module = await (encoder as Promise<WebPModule>);
  try {
    const bytes = module.encode(rgba, width, height, OPTIONS);
    return bytes ? new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/webp' }) : undefined;
  } catch {
    return undefined;
  }
}
