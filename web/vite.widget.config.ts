import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * The embeddable web chat: one self-contained script, no framework (it lands on
 * other people's pages; goal ≤ 40 KB gzipped).
 */
export default defineConfig({
  logLevel: 'warn',
  build: {
    outDir: here('dist/widget'),
    emptyOutDir: true,
    sourcemap: true,
    lib: { entry: here('widget/main.ts'), name: 'ParleyChat', formats: ['iife'], fileName: () => 'widget.js' },
  },
});
