import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { onTestFinished } from 'vitest';

/** Debian's Chromium, the browser CI installs (`apt-get install chromium`). */
export const CHROMIUM = '/usr/bin/chromium';

// Headless, and quiet: no first-run work, no background fetches, no QUIC; nothing leaves
// the machine but what the page itself asks for.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches headless Chromium with a new, empty profile, closed (and its profile removed)
 * when the test ends. A laptop screen's viewport.
 *
 * @throws {Error} saying how to install Chromium when it is missing: the test fails, it is
 *   not skipped, because CI must run it.
 */
export const launchChromium = async (): Promise<BrowserContext> => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}; the dashboard's browser test needs it: apt-get install chromium`,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), 'dashboard-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1440, height: 900 },
    deviceScaleFactor: 1,
  });
  onTestFinished(async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  });
  return context;
};
