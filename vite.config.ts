// Builds the renderer (renderer/index.html and its Vue app) into out/renderer, which the Electron app loads
// from disk or a custom protocol and `deepcorrect serve` serves; hence relative asset URLs (base './').
//
// `npx vite` serves the renderer for development; in browser mode the page talks to a running
// `deepcorrect serve`: set DEEPCORRECT_SERVE (e.g. http://127.0.0.1:5200) and open the dev URL with the
// server's ?token=… to proxy /bridge to it.
import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const serve = process.env['DEEPCORRECT_SERVE'];

export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: './',
  plugins: [vue()],
  build: {
    outDir: fileURLToPath(new URL('./out/renderer', import.meta.url)),
    emptyOutDir: true,
    // Chromium (Electron, and any browser that runs the tfjs-era workbench) supports modulepreload natively;
    // the polyfill is an inline-free module either way, but there is nothing for it to do.
    modulePreload: { polyfill: false },
    target: 'es2022',
    // The Models view's chunk is mostly ECharts (line and scatter on canvas, tree-shaken): about 540 kB
    // minified, loaded only when that view opens; the first screen's chunk stays near 120 kB.
    chunkSizeWarningLimit: 600,
  },
  server: {
    strictPort: true,
    // The server answers only its own Host and Origin (DNS rebinding, issue 16): the proxy speaks as the
    // server's own page would.
    ...(serve === undefined
      ? {}
      : {
          proxy: {
            '/bridge': {
              target: serve,
              ws: true,
              changeOrigin: true,
              configure: (proxy) => {
                proxy.on('proxyReqWs', (request) => request.setHeader('origin', new URL(serve).origin));
              },
            },
          },
        }),
  },
});
