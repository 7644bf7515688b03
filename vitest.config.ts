import { defineConfig } from 'vitest/config'

// One `vitest run` covers every room: Node (server, cross-cutting suites), real Chromium (widget,
// e2e) and real workerd. Each non-Node project lives in its own config file, listed here.
export default defineConfig({
  test: {
    // Most test files spend their time waiting — on redis-server, the demo, wrangler dev, Chromium,
    // local provider fakes — not computing. Vitest's default (one worker fewer than the cores: one,
    // here) left the two cores idle for much of the run; three workers keep them busy (measured on a
    // fresh clone: vitest's part of the run 85 s → 70–75 s on 2 cores; four workers were no faster).
    maxWorkers: 3,
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
