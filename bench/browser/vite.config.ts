// The browser benchmark page: the app's worker pipeline and a bare onnxruntime-web loop, side by
// side, served with the app's headers and ort files; models and photos come from local folders.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import type { InlineConfig, Plugin } from 'vite';
import { ISOLATION_HEADERS, JPEG_GLUE, ORT_ALIASES, ortFiles } from '../../vite.config.ts';

/** Module scripts and streamed WebAssembly need their MIME types (transformers.js is served raw). */
const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

export function serveDir(prefix: string, dir: string): Plugin {
  return {
    name: `bench-serve-${prefix}`,
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = req.url?.split('?')[0] ?? '';
        if (!url.startsWith(prefix)) return next();
        const path = normalize(join(dir, decodeURIComponent(url.slice(prefix.length))));
        if (!path.startsWith(dir) || !existsSync(path) || !statSync(path).isFile()) {
          res.statusCode = 404;
          return res.end();
        }
        res.setHeader('Content-Length', statSync(path).size);
        // Served before Vite's own headers: a worker script (transformers.js's runtime threads)
        // must carry the isolation headers itself.
        for (const [key, value] of Object.entries(ISOLATION_HEADERS)) res.setHeader(key, value);
        const type = TYPES[extname(path)];
        if (type) res.setHeader('Content-Type', type);
        if (req.method === 'HEAD') return res.end();
        createReadStream(path).pipe(res);
      });
    },
  };
}

export function benchConfig(modelsDir: string, imagesDir: string): InlineConfig {
  return {
    root: import.meta.dirname,
    configFile: false,
    logLevel: 'warn',
    // Not the project's node_modules/.vite, which other dev servers on this tree use.
    cacheDir: join(tmpdir(), 'mumic-bench-vite'),
    resolve: { alias: ORT_ALIASES },
    // No dependency discovery: a late discovery reloads the page in the middle of a run.
    // The WASM JPEG decoder's glue is CommonJS: pre-bundled so the page can import it.
    optimizeDeps: { exclude: ['onnxruntime-web'], noDiscovery: true, include: [JPEG_GLUE] },
    plugins: [ortFiles(), serveDir('/models/', modelsDir), serveDir('/images/', imagesDir)],
    worker: { format: 'es' },
    server: {
      headers: ISOLATION_HEADERS,
      host: '127.0.0.1',
      port: 0,
      fs: { allow: ['../..'] },
      // Others edit src/ while a run goes on: a file change must not reload the page mid-run.
      hmr: false,
      watch: null,
    },
  };
}
