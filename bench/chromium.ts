/** Debian's chromium, as the end-to-end tests and the UI benchmark drive it through playwright-core. */
export const CHROMIUM = '/usr/bin/chromium';

/** The flags facts.md gives for this machine: headless, no sandbox as root, no background network traffic. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
