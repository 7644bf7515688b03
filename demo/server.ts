/**
 * The demo `npm start` serves: a small site that uses the widget, the kit mounted at /2fa, and a
 * dev inbox for the console SMS provider. It uses the package's public entries only, as a host
 * application would. Everything is configured by environment variables (README), with embedded
 * defaults: memory store, console SMS provider, development keys.
 */
import { Hono } from 'hono'
import { randomBytes } from 'node:crypto'
import { consoleProvider, serve, storeFromEnv, twoFactor } from 'two-factor-kit/server/node'
import { demoAllowedOrigins } from './app.js'
import { devInbox } from './inbox.js'
import { demoSite } from './site.js'

const production = process.env.NODE_ENV === 'production'
const port = Number(process.env.PORT ?? 8787)
const hostname = process.env.HOST ?? '127.0.0.1'
// The origin a browser on this machine opens (0.0.0.0 listens everywhere, but isn't an address to visit).
const ownOrigin = `http://${hostname === '0.0.0.0' ? '127.0.0.1' : hostname}:${port}`

// SMS_PROVIDER, NUMBER_LOOKUP, TWO_FACTOR_* … (README); by default the console provider.
// REDIS_URL shares one store (and so one set of limits) between several demo processes.
const store = await storeFromEnv()
// The dev inbox reads the console provider's outbox, so the demo makes that provider itself when
// the environment asks for it (SMS_PROVIDER unset or "console").
const consoleSms =
  (process.env.SMS_PROVIDER?.trim() || 'console') === 'console'
    ? consoleProvider({ maskPins: production })
    : undefined
// The operator console (/2fa/admin/) exists only with an admin token. In development the demo makes
// one for this run when none is set, and prints it, so the console can be tried at once; in
// production it takes TWO_FACTOR_ADMIN_TOKEN or stays off.
const developmentAdminToken =
  !production && !process.env.TWO_FACTOR_ADMIN_TOKEN ? randomBytes(24).toString('base64url') : undefined
const twoFactorApp = twoFactor(process.env, {
  ...demoAllowedOrigins(process.env, ownOrigin),
  ...(store ? { store } : {}),
  ...(consoleSms ? { sms: consoleSms } : {}),
  ...(developmentAdminToken ? { adminToken: developmentAdminToken } : {}),
})
await twoFactorApp.ready

const app = new Hono()
app.route('/2fa', twoFactorApp)
if (!production && consoleSms) app.route('/dev', devInbox(consoleSms))
app.route('/', demoSite({ verifier: twoFactorApp.verifier, endpoint: '/2fa' }))

const server = serve({ fetch: app.fetch, port, hostname }, (info) => {
  console.info(
    `two-factor-kit demo on http://${hostname === '0.0.0.0' ? '127.0.0.1' : info.address}:${info.port}`,
  )
  if (!production) console.info(`dev inbox on http://127.0.0.1:${info.port}/dev/inbox`)
  if (developmentAdminToken)
    console.info(
      `operator console on http://127.0.0.1:${info.port}/2fa/admin/ — admin token for this run: ${developmentAdminToken}`,
    )
  else if (process.env.TWO_FACTOR_ADMIN_TOKEN)
    console.info(`operator console on http://127.0.0.1:${info.port}/2fa/admin/ (TWO_FACTOR_ADMIN_TOKEN)`)
})

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.close(() => process.exit(0)))
}
