import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));
// The api the dev server forwards to (`./scripts/up.sh` runs it on 5005).
const api = process.env.CARAVAN_API_URL ?? 'http://127.0.0.1:5005';

/**
 * Built into dist/apps/dashboard; the api's build copies it next to its bundle and serves it
 * at `/`. In development (`nx serve dashboard`) Vite serves the app and proxies the api's paths.
 */
export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  resolve: {
    alias: { '@caravan/domain': fileURLToPath(new URL('../../libs/domain/src/browser.ts', import.meta.url)) },
  },
  build: {
    outDir: fileURLToPath(new URL('../../dist/apps/dashboard', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
  },
  server: {
    port: 4200,
    proxy: Object.fromEntries(['/api', '/ingest', '/healthz', '/readyz'].map((path) => [path, api])),
  },
});
