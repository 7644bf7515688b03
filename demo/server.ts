/**
 * The demo `npm start` serves: a small site that uses the widget, the kit mounted at /2fa, and a
 * dev inbox for the console SMS provider. It uses the package's public entries only, as a host
 * application would. Everything is configured by environment variables (README), with embedded
 * defaults: memory store, console SMS provider, development keys.
 */
import { Hono } from 'hono'
import { consoleProvider, serve, storeFromEnv, twoFactor } from 'two-factor-kit/server/node'
import { devInbox } from './inbox.js'
import { demoSite } from './site.js'

const production = process.env.NODE_ENV === 'production'
const port = Number(process.env.PORT ?? 8787)
const hostname = process.env.HOST ?? '127.0.0.1'

// SMS_PROVIDER, NUMBER_LOOKUP, TWO_FACTOR_* … (README); by default the console provider.
// REDIS_URL shares one store (and so one set of limits) between several demo processes.
const store = await storeFromEnv()
// The dev inbox reads the console provider's outbox, so the demo makes that provider itself when
// the environment asks for it (SMS_PROVIDER unset or "console").
const consoleSms =
  (process.env.SMS_PROVIDER?.trim() || 'console') === 'console'
    ? consoleProvider({ maskPins: production })
    : undefined
const twoFactorApp = twoFactor(process.env, {
  ...(store ? { store } : {}),
  ...(consoleSms ? { sms: consoleSms } : {}),
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
})

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.close(() => process.exit(0)))
}
