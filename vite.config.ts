import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

// onnxruntime-web's builds load their glue and WebAssembly at run time from env.wasm.wasmPaths:
// the WebGPU build (which also runs the WASM backend) the asyncify pair (26.8 MB), the WASM-only
// build the plain pair (14.2 MB; src/runtime/web.ts takes it when WebGPU is not used, so a
// reload compiles half as much). We serve them from our own origin under /ort/: never a CDN.
export const ORT_DIR = join(import.meta.dirname, 'node_modules', 'onnxruntime-web', 'dist');
const ORT_FILES = [
  'ort-wasm-simd-threaded.asyncify.mjs',
  'ort-wasm-simd-threaded.asyncify.wasm',
  'ort-wasm-simd-threaded.mjs',
  'ort-wasm-simd-threaded.wasm',
];
/** The non-bundled builds: their glue is loaded from /ort/, so WASM threads can start workers. */
export const ORT_ALIASES = {
  'onnxruntime-web/webgpu': join(ORT_DIR, 'ort.webgpu.min.mjs'),
  'onnxruntime-web/wasm': join(ORT_DIR, 'ort.wasm.min.mjs'),
};

/** The CommonJS glue of the WASM JPEG decoder (src/worker/jpeg-wasm.ts). */
export const JPEG_GLUE = '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs';
/** The glue of the thumbnails' WASM WebP encoder and its options (src/worker/webp-wasm.ts). */
const WEBP_MODULES = ['@jsquash/webp/codec/enc/webp_enc_simd.js', '@jsquash/webp/meta.js'];

// Cross-origin isolation enables SharedArrayBuffer, hence WASM threads; on every response.
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * The Content-Security-Policy: this origin only (no CDN, hub, fonts or analytics can be reached,
 * whatever a bug or a dependency tries), plus what the app needs (docs/OFFLINE.md):
 * 'wasm-unsafe-eval' to compile onnxruntime's WebAssembly, blob: images for thumbnails and the
 * photo preview, inline style attributes for the score bars (lit-html `style="width: …"`).
 * index.html carries it as a <meta> (checked at build time to be exactly this string); every
 * response also carries it as a header, which is what applies to workers.
 */
export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "style-src-attr 'unsafe-inline'",
  "img-src 'self' blob:",
  "connect-src 'self'",
  "worker-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');
/** Directives a <meta> cannot carry. */
const CSP_HEADER_ONLY = "frame-ancestors 'self'";
/** The dev server injects CSS as <style> elements (HMR); the build ships .css files. */
const CSP_DEV = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");

export const APP_HEADERS = {
  ...ISOLATION_HEADERS,
  'Content-Security-Policy': `${CSP}; ${CSP_HEADER_ONLY}`,
};
const DEV_HEADERS = {
  ...ISOLATION_HEADERS,
  'Content-Security-Policy': `${CSP_DEV}; ${CSP_HEADER_ONLY}`,
};

export function ortFiles(headers: Record<string, string> = ISOLATION_HEADERS): Plugin {
  return {
    name: 'mumic-ort-files',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const name = req.url?.split('?')[0]?.replace(/^\/ort\//, '');
        if (!req.url?.startsWith('/ort/') || !name || !ORT_FILES.includes(name)) return next();
        // Vite's own headers are not applied to this early middleware; the runtime's thread
        // workers load this script, and under COEP a worker script must carry the headers too.
        for (const [key, value] of Object.entries(headers)) res.setHeader(key, value);
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

/** Keeps index.html's CSP <meta> equal to CSP (however formatted); dev gets the dev variant. */
function cspMeta(): Plugin {
  const META = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"\s*\/?>/i;
  let serve = false;
  return {
    name: 'mumic-csp-meta',
    configResolved(config) {
      serve = config.command === 'serve';
    },
    transformIndexHtml(html) {
      const found = META.exec(html);
      if (found?.[1]?.replace(/\s+/g, ' ').trim() !== CSP) {
        throw new Error(
          `index.html must carry the CSP of vite.config.ts in its <head>: <meta http-equiv="Content-Security-Policy" content="${CSP}" />`,
        );
      }
      const policy = serve ? CSP_DEV : CSP;
      return html.replace(
        META,
        `<meta http-equiv="Content-Security-Policy" content="${policy}" />`,
      );
    },
  };
}

/** The runtime's largest wasm is 26.8 MB; it is precached (docs/OFFLINE.md): the limit allows it. */
const MAX_PRECACHE_FILE = 40 * 1024 * 1024;

/**
 * The service worker (Workbox, generated): precaches the app shell and the runtime's files so
 * the app starts with no network; navigations fall back to the precached index.html, except
 * under models/ and ort/, which must answer 404 or fail rather than return a page. Model files
 * are cached by the app's worker itself (src/worker/model-cache.ts); the service worker only
 * keeps the last index.json for offline use.
 */
function serviceWorker(base: string): Plugin[] {
  return VitePWA({
    registerType: 'autoUpdate',
    // A plain <script src="registerSW.js"> in <head>: no UI code, and allowed by the CSP.
    injectRegister: 'script',
    // The icons are in globPatterns already.
    includeManifestIcons: false,
    manifest: {
      id: base,
      name: 'mumic — private photo tagging',
      short_name: 'mumic',
      description:
        'Private, offline, multi-label photo tagging: a CLIP model runs in your browser and no photo leaves your device.',
      start_url: base,
      scope: base,
      display: 'standalone',
      theme_color: '#1f5fbf',
      background_color: '#f6f7f9',
      categories: ['photo', 'productivity', 'utilities'],
      icons: [
        { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
        { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
        { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        { src: 'icons/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
      ],
    },
    workbox: {
      // The manifest itself is added by the plugin.
      globPatterns: ['**/*.{html,js,mjs,css,wasm,png,svg,ico}'],
      // public/models/ is copied into dist/: hundreds of MB, fetched on first use instead.
      globIgnores: ['models/**'],
      maximumFileSizeToCacheInBytes: MAX_PRECACHE_FILE,
      navigateFallback: 'index.html',
      navigateFallbackDenylist: [new RegExp(`^${base}(models|ort)/`)],
      cleanupOutdatedCaches: true,
      clientsClaim: true,
      skipWaiting: true,
      runtimeCaching: [
        {
          urlPattern: ({ url, sameOrigin }) =>
            sameOrigin && url.pathname === `${base}models/index.json`,
          handler: 'NetworkFirst',
          options: { cacheName: 'mumic-model-index', networkTimeoutSeconds: 4 },
        },
      ],
    },
  });
}

export default defineConfig(({ command }) => ({
  resolve: { alias: ORT_ALIASES },
  // Listed so the dev server pre-bundles them up front (their imports sit in workers).
  optimizeDeps: { exclude: ['onnxruntime-web'], include: [JPEG_GLUE, ...WEBP_MODULES] },
  plugins: [
    ortFiles(command === 'serve' ? DEV_HEADERS : APP_HEADERS),
    cspMeta(),
    serviceWorker('/'),
  ],
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 1024 },
  server: { headers: DEV_HEADERS },
  preview: { headers: APP_HEADERS },
}));
