import fs from 'node:fs';
import { CHROMIUM } from './chromium.js';

/** Builds the web surfaces once per run when browser suites will run. */
export default async function setup(): Promise<void> {
  if (!fs.existsSync(CHROMIUM) && process.env.CI !== 'true') return;
  // @ts-expect-error -- a plain .mjs script without types
  const { buildWeb } = (await import('../../scripts/build-web.mjs')) as { buildWeb: () => Promise<boolean> };
  await buildWeb();
}
