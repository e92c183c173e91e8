/**
 * Vite build of the web app. The output (`dist/`) is served by the server at `/`
 * (plugins/web-app.ts); `npm run dev -w @xai-qc/web` serves it with hot reload and
 * proxies `/api` (and the WebSocket) to a server on 127.0.0.1:8080.
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';
import { precompress } from './build/precompress.ts';
import { routeHtml } from './build/route-html.ts';

export default defineConfig({
  plugins: [react(), tailwindcss(), routeHtml(), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 600,
    rollupOptions: {
      output: {
        manualChunks(id) {
          if (id.includes('node_modules/react-dom') || id.includes('node_modules/react/') || id.includes('node_modules/scheduler')) return 'react';
          if (id.includes('node_modules/@tanstack')) return 'tanstack';
          return undefined;
        },
      },
    },
  },
  server: {
    proxy: { '/api': { target: 'http://127.0.0.1:8080', ws: true } },
  },
});
