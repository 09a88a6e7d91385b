import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, it, expect } from 'vitest';
import { build } from 'vite';

/** The widget lands on other people's pages: it must stay small (issue #5: at most 40 KB gzipped). */
const BUDGET_BYTES = 40 * 1024;

describe('web chat widget bundle', () => {
  it('builds to one script under 40 KB gzipped', async () => {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-widget-'));
    try {
      await build({ configFile: path.resolve('web/vite.widget.config.ts'), logLevel: 'silent', build: { outDir, emptyOutDir: true, sourcemap: false } });
      const js = fs.readFileSync(path.join(outDir, 'widget.js'));
      const gz = gzipSync(js, { level: 9 }).length;
      process.stdout.write(`[webchat] widget.js: ${js.length} bytes, ${gz} bytes gzipped (budget ${BUDGET_BYTES})\n`);
      expect(fs.readdirSync(outDir)).toEqual(['widget.js']);
      expect(gz).toBeLessThan(BUDGET_BYTES);
      // One IIFE exposing the page API, no module syntax a classic <script> could not run.
      expect(js.subarray(0, 40).toString()).toMatch(/^var ParleyChat=\(?function/);
    } finally {
      fs.rmSync(outDir, { recursive: true, force: true });
    }
  }, 60_000);
});
