import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// Multi-page build: /portal/ and /console/ share code and hashed assets in dist/web/assets/.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: resolve(import.meta.dirname, '../dist/web'),
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    // Inline nothing: under `script-src 'self'` / `img-src 'self' data:` every asset is a file.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    rolldownOptions: {
      input: {
        portal: resolve(import.meta.dirname, 'portal/index.html'),
        console: resolve(import.meta.dirname, 'console/index.html'),
      },
    },
  },
});
