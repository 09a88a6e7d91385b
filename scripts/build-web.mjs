// Builds the web surfaces (web/ → web/dist) when a source is newer than the last
// build: `npm start` and the browser tests call it, so nobody builds by hand.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const web = path.join(root, 'web');
const stamp = path.join(web, 'dist', '.built');

function newest(dir) {
  let t = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const p = path.join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

export async function buildWeb({ force = false } = {}) {
  const built = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0;
  if (!force && built >= newest(web)) return false;
  const { build } = await import('vite');
  await build({ configFile: path.join(web, 'vite.config.ts') });
  await build({ configFile: path.join(web, 'vite.widget.config.ts') });
  fs.writeFileSync(stamp, new Date().toISOString());
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const built = await buildWeb({ force: process.argv.includes('--force') });
  process.stdout.write(built ? 'web: built web/dist\n' : 'web: web/dist is up to date\n');
}
