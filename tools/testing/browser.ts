/**
 * Headless Chromium for the tests that look at a page as a person would, on any machine `npm ci`
 * ran on: the machine's own Chromium or Chrome when one is on the PATH (or named by `CHROME_PATH`),
 * otherwise the build `@sparticuz/chromium` ships inside its npm package (Linux x64).
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

const SYSTEM_BROWSERS = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** Flags for a quiet, self-contained headless run: nothing reaches out to the network. */
const QUIET = [
  ...['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'],
  ...['--disable-background-networking', '--disable-component-update', '--disable-sync'],
];

function onPath(name: string): string | undefined {
  for (const folder of (process.env['PATH'] ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(folder, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** The browser to launch and the flags it needs, or a sentence saying why there is none. */
export async function findChromium(): Promise<{ executablePath: string; args: string[] }> {
  const named = process.env['CHROME_PATH'];
  if (named) return { executablePath: named, args: QUIET };
  for (const name of SYSTEM_BROWSERS) {
    const found = onPath(name);
    if (found) return { executablePath: found, args: QUIET };
  }
  if (process.platform === 'linux' && process.arch === 'x64') {
    const { default: packaged } = await import('@sparticuz/chromium');
    return { executablePath: await packaged.executablePath(), args: [...packaged.args, ...QUIET] };
  }
  throw new Error(
    `No Chromium for ${process.platform}-${process.arch}: @sparticuz/chromium ships Linux x64 only; ` +
      `put chromium or google-chrome on the PATH, or set CHROME_PATH`,
  );
}

/** Launches headless Chromium ({@link findChromium}); close it when done. */
export async function launchChromium(): Promise<Browser> {
  const { executablePath, args } = await findChromium();
  return chromium.launch({ executablePath, args, headless: true });
}
