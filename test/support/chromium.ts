/** Debian's Chromium: never a downloaded browser. (No vitest import: the global setup reads this.) */
export const CHROMIUM = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';
