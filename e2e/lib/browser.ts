import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.MESHLENS_CHROMIUM ?? '/usr/bin/chromium';

/** Headless Debian Chromium, no network besides loopback, nothing running in the background. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
