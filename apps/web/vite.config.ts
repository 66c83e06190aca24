import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Relative asset URLs: the BFF serves the SPA under any base path and injects
// <base href> plus <meta name="meshlens-base-path"> into index.html.
export default defineConfig({
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 700,
    modulePreload: { polyfill: false },
  },
  server: { host: '127.0.0.1' },
});
