/**
 * The Worker of `npm run bench`'s workerd runs: the Workers entry's `twoFactor(env, overrides)` on
 * its Durable Object store, mounted like the demo mounts it, with the bench limits, the yardstick
 * `GET /bare` and the bench routes of bench-app.ts — the same app as the Node bench server.
 *
 * JavaScript, not TypeScript: tsconfig.json type-checks test/ with DOM and Node types, and only
 * tsconfig.worker.json's own list of files with the Workers types; wrangler bundles the .ts it imports.
 */
import { Hono } from 'hono'
import { consoleProvider, twoFactor } from '../../../server/workers.ts'
import { benchLimits, mountBenchRoutes } from '../bench-app.ts'

export { TwoFactorDurableObject } from '../../../server/workers.ts'

function benchApp(env) {
  const sms = consoleProvider({ print: null, outboxSize: 1 })
  const logger = { info() {}, warn() {}, error: console.error }
  const kit = twoFactor(env, { sms, logger, ...benchLimits })
  const app = new Hono()
  app.route('/2fa', kit)
  mountBenchRoutes(app, kit, sms.outbox)
  return app
}

// Built on the first request: Workers allow no random values or key generation at module load.
let app

export default {
  fetch(request, env, ctx) {
    app ??= benchApp(env)
    return app.fetch(request, env, ctx)
  },
}
