import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Debian's Chromium: the browser tests never download one (.ci/run installs it). */
export const CHROMIUM = "/usr/bin/chromium";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** `describe` where Chromium is installed (always under CI, where its absence is a failure), else skipped. */
export const describeWithChromium = existsSync(CHROMIUM) || process.env.CI ? describe : describe.skip;

/** A headless Chromium, quiet: no network of its own, no updates, no sync. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}
