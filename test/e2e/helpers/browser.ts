/** Launches Debian's Chromium through playwright-core (never downloads a browser). */
import { chromium, type Browser } from 'playwright-core';

/** Flags that keep Chromium quiet, offline and headless in CI. */
export const chromiumArgs = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--no-first-run', '--disable-sync', '--headless',
];

/** Path of the system Chromium (CHROMIUM_PATH overrides). */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Starts a headless Chromium. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
}
