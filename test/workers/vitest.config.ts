/**
 * The `workers` project: tests that run inside real workerd (@cloudflare/vitest-pool-workers 0.15,
 * the `cloudflareTest()` plugin API), against real Durable Objects from test/workers/wrangler.jsonc.
 */
import { fileURLToPath } from 'node:url'
import { cloudflareTest } from '@cloudflare/vitest-pool-workers'
import { defineConfig } from 'vitest/config'

// wrangler and miniflare phone home unless told not to; the machines that run this have no network.
process.env.WRANGLER_SEND_METRICS = 'false'
process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false'

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

export default defineConfig({
  root: here('.'),
  plugins: [cloudflareTest({ wrangler: { configPath: here('./wrangler.jsonc') } })],
  test: {
    name: 'workers',
    // Relative to this folder, which is the project's root both on its own and in the root config.
    include: ['**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
