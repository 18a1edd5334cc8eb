// Vite for the renderer: dev server / preview on PMM_UI_PORT (default 5173), a relative base so Electron can load file://.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { ISOLATION_HEADERS } from './src/shared/isolation';

/** The built renderer gets a strict CSP (the dev server needs inline scripts for React refresh). */
const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src *";
const csp: Plugin = {
  name: 'pmm-csp',
  apply: 'build',
  transformIndexHtml: () => [
    {
      tag: 'meta',
      attrs: { 'http-equiv': 'Content-Security-Policy', content: CSP },
      injectTo: 'head-prepend',
    },
  ],
};

const port = Number(process.env['PMM_UI_PORT'] ?? 5173);

export default defineConfig({
  root: fileURLToPath(new URL('./src/renderer', import.meta.url)),
  base: './',
  plugins: [react(), csp],
  server: { port, strictPort: true, headers: { ...ISOLATION_HEADERS } },
  preview: { port, strictPort: true, headers: { ...ISOLATION_HEADERS } },
  worker: { format: 'es' },
  // Found late by the dep scan (imported below the entry's static graph): pre-bundle them up front, or the
  // first page load of a fresh start gets a 404 on them and Vite reloads the page.
  optimizeDeps: { include: ['@electric-sql/client', 'zod'], exclude: ['onnxruntime-web'] },
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
  },
});
