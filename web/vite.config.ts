// The console's build: `vite build web` writes web/dist, which the gateway serves at /.
// `vite web` serves it with hot reload and forwards the API to a gateway on :8080.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const gateway = process.env.LATCHKEY_URL ?? 'http://127.0.0.1:8080';
// The gateway refuses pages from origins it does not know (Origin validation): forwarded requests
// carry its own origin instead of this dev server's.
const forward = { target: gateway, headers: { origin: new URL(gateway).origin } };

export default defineConfig({
  plugins: [react()],
  // The one server module the console runs: toolsets' matching, so a selection's preview is the gateway's own.
  resolve: { alias: { '@latchkey/toolset': fileURLToPath(new URL('../server/modules/discovery/toolset.ts', import.meta.url)) } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 800 },
  server: { proxy: { '/api': forward, '/mcp': forward, '/healthz': forward } },
});
