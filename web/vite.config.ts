import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/** The React surfaces, one page each; the embeddable widget has its own build (vite.widget.config.ts). */
export default defineConfig({
  root: here('.'),
  base: '/',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: here('dist'),
    emptyOutDir: false,
    sourcemap: true,
    rollupOptions: {
      input: {
        index: here('index.html'),
        agent: here('agent/index.html'),
        agentSimulator: here('agent/simulator.html'),
        supervisor: here('supervisor/index.html'),
        console: here('console/index.html'),
        webchat: here('webchat/index.html'),
      },
    },
  },
});
