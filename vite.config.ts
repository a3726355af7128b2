import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

// onnxruntime-web's WebGPU build (which also runs the WASM backend) loads these two files at run
// time from env.wasm.wasmPaths. We serve them from our own origin under /ort/: never a CDN.
export const ORT_DIR = join(import.meta.dirname, 'node_modules', 'onnxruntime-web', 'dist');
const ORT_FILES = ['ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm'];

// Cross-origin isolation enables SharedArrayBuffer, hence WASM threads; on every response.
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export function ortFiles(): Plugin {
  return {
    name: 'mumic-ort-files',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const name = req.url?.split('?')[0]?.replace(/^\/ort\//, '');
        if (!req.url?.startsWith('/ort/') || !name || !ORT_FILES.includes(name)) return next();
        // Vite's own headers are not applied to this early middleware; the runtime's thread
        // workers load this script, and under COEP a worker script must carry the headers too.
        for (const [key, value] of Object.entries(ISOLATION_HEADERS)) res.setHeader(key, value);
        res.setHeader(
          'Content-Type',
          name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript',
        );
        createReadStream(join(ORT_DIR, name)).pipe(res);
      });
    },
    generateBundle() {
      for (const name of ORT_FILES) {
        this.emitFile({
          type: 'asset',
          fileName: `ort/${name}`,
          source: readFileSync(join(ORT_DIR, name)),
        });
      }
    },
  };
}

export default defineConfig({
  resolve: {
    alias: {
      // The non-bundled build: its glue code is loaded from /ort/, so WASM threads can start workers.
      'onnxruntime-web/webgpu': join(ORT_DIR, 'ort.webgpu.min.mjs'),
    },
  },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  plugins: [ortFiles()],
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 1024 },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
});
