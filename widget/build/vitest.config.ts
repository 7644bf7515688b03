/**
 * The widget's tests: real Debian Chromium through @vitest/browser-playwright, headless.
 * `npx vitest run --project widget`.
 */
import { fileURLToPath } from 'node:url'
import { playwright } from '@vitest/browser-playwright'
import { defineProject, type Plugin } from 'vitest/config'
import { chromiumLaunchOptions } from '../../test/helpers/chromium.js'

/**
 * @open-wc/testing imports web-test-runner's socket module, which doesn't exist under vitest:
 * resolve it to a stub that is never called.
 */
const wtrSocketStub = (): Plugin => ({
  name: 'wtr-socket-stub',
  enforce: 'pre',
  resolveId: (id) => (id.endsWith('__web-dev-server__web-socket.js') ? '\0wtr-stub' : undefined),
  load: (id) =>
    id === '\0wtr-stub'
      ? 'export function sendMessageWaitForResponse(){throw new Error("no wtr")}'
      : undefined,
})

const widget = fileURLToPath(new URL('..', import.meta.url))

export default defineProject({
  cacheDir: fileURLToPath(new URL('../../node_modules/.vite/widget', import.meta.url)),
  // (Tests load libphonenumber-js's es6 build; the bundle its es6-modern twin, which test/e2e runs.)
  plugins: [wtrSocketStub()],
  test: {
    name: 'widget',
    // The widget's folder, not this one, both on its own and when listed in the root config.
    root: widget,
    include: ['**/*.test.ts'],
    testTimeout: 15_000,
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      instances: [{ browser: 'chromium' }],
      provider: playwright({
        launchOptions: chromiumLaunchOptions,
      }),
    },
  },
})
