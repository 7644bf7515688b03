import { defineConfig } from 'vitest/config'

// One `vitest run` covers every room: Node (server, cross-cutting suites), real Chromium (widget,
// e2e) and real workerd. Each non-Node project lives in its own config file, listed here.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['server/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'test/e2e/**', 'test/workers/**'],
          testTimeout: 20_000,
          hookTimeout: 60_000,
        },
      },
      'test/workers/vitest.config.ts',
      // the widget in Chromium, and the end-to-end flow against the demo server
      'widget/build/vitest.config.ts',
      'test/e2e/vitest.config.ts',
    ],
  },
})
