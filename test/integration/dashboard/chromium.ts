import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sparticuzChromium from '@sparticuz/chromium';
import { type BrowserContext, chromium } from 'playwright-core';
import { onTestFinished } from 'vitest';

/**
 * The headless Chromium that the npm package `@sparticuz/chromium` ships (brotli-compressed
 * inside the package; `executablePath()` inflates it into the OS temp directory once and
 * returns that path), so `npm ci` is all a machine needs: no system browser, no browser CDN.
 */
export const chromiumExecutable = (): Promise<string> => sparticuzChromium.executablePath();

// Headless, and quiet: no first-run work, no background fetches, no QUIC; nothing leaves
// the machine but what the page itself asks for. No zygote and no sandbox: the shipped
// build is made for containers without user namespaces (the package's own `args`).
const ARGS = [
  '--no-sandbox',
  '--no-zygote',
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
 */
export const launchChromium = async (): Promise<BrowserContext> => {
  const executablePath = await chromiumExecutable();
  const profile = mkdtempSync(join(tmpdir(), 'dashboard-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
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
