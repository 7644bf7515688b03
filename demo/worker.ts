/**
 * The demo's Workers twin (`npm run dev:workers`): the same site as `npm start`, on workerd, with
 * Durable Objects as the store and the widget served from Workers Static Assets. It uses the
 * package's public entries only; demo/wrangler.jsonc maps them to the sources.
 */
import { Hono } from 'hono'
import {
  consoleProvider,
  twoFactor,
  workerFetch,
  type TwoFactorWorkerEnv,
} from 'two-factor-kit/server/workers'
import { demoAllowedOrigins } from './app.js'
import { devInbox } from './inbox.js'
import { demoSite } from './site.js'

// The class the TWO_FACTOR_STORE binding names must be exported by the Worker itself.
export { TwoFactorDurableObject } from 'two-factor-kit/server/workers'

function developmentAdminToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24))
  const token = btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
  console.info(`operator console on /2fa/admin/ — admin token for this isolate: ${token}`)
  return token
}

type DemoEnv = TwoFactorWorkerEnv & {
  TWO_FACTOR_ADMIN_TOKEN?: string
  TWO_FACTOR_ALLOWED_ORIGINS?: string
  /** The demo's own origin (demo/wrangler.jsonc; `npm run dev:workers` sets it from PORT). */
  DEMO_ORIGIN?: string
}

function demoApp(env: DemoEnv): Hono {
  const production = env.ENVIRONMENT !== 'development'
  // SMS_PROVIDER, NUMBER_LOOKUP, TWO_FACTOR_* … as vars and secrets (README); by default the
  // console provider, whose outbox lives in this isolate: fine for wrangler dev's single isolate.
  // The dev inbox reads that outbox, so the demo makes the provider itself when it is the one asked for.
  const consoleSms =
    (env.SMS_PROVIDER?.trim() || 'console') === 'console'
      ? consoleProvider({ maskPins: production })
      : undefined
  // The operator console (/2fa/admin/) exists only with an admin token: in development, one made
  // for this isolate and printed by wrangler dev when none is set; in production the secret or none.
  const adminToken = production || env.TWO_FACTOR_ADMIN_TOKEN ? undefined : developmentAdminToken()
  // Its own origin from a var, not from the request: the first request's Host header is whatever
  // that client wrote, and the app (and its allowedOrigins) lives on for the isolate's later requests.
  const ownOrigin = env.DEMO_ORIGIN?.trim() || 'http://127.0.0.1:8787'
  const twoFactorApp = twoFactor(env, {
    ...demoAllowedOrigins(env, ownOrigin),
    ...(consoleSms ? { sms: consoleSms } : {}),
    ...(adminToken ? { adminToken } : {}),
  })

  const app = new Hono()
  app.route('/2fa', twoFactorApp)
  if (!production && consoleSms) app.route('/dev', devInbox(consoleSms))
  app.route('/', demoSite({ verifier: twoFactorApp.verifier, endpoint: '/2fa' }))
  return app
}

export default {
  // Built on the first request: Workers allow no random values or key generation at module load.
  // Without its secrets (demo/.dev.vars) every request answers 503 NOT_CONFIGURED, naming them.
  fetch: workerFetch(demoApp),
} satisfies ExportedHandler<Env>
