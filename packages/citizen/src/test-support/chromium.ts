/** How the tests start Chromium: Debian's build (never a downloaded browser), headless, with no network chatter. */
export const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
};

declare module 'vitest' {
  export interface ProvidedContext {
    /** The WebSocket endpoint of the Chromium the global setup started, or '' when none was started. */
    chromiumEndpoint: string;
  }
}
