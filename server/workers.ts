/**
 * `two-factor-kit/server/workers`: the kit on Cloudflare Workers, configured from the Worker's env
 * bindings. Durable Objects are the store (PINs in shard objects, the rate-limit windows, counters,
 * lists and message links each in one object: stores/durable-object.ts), secrets come from Worker
 * secrets, and the client IP only from `CF-Connecting-IP`, which Cloudflare's edge sets
 * itself (a client can't choose it).
 *
 * ```ts
 * import { twoFactor } from 'two-factor-kit/server/workers'
 * export { TwoFactorDurableObject } from 'two-factor-kit/server/workers'
 * let app
 * export default { fetch: (request, env, ctx) => (app ??= twoFactor(env)).fetch(request, env, ctx) }
 * ```
 * The app is built on the first request, not at module load: Workers forbid random values and
 * key generation in the global scope, and env bindings belong to a request.
 */
import type { Context } from 'hono'
// Through the package's own export, so the path holds in the repository and in dist/ alike.
import { VERSION } from './runtime/version.js'
import type { TwoFactorApp } from './http/app.js'
import { twoFactorWithStore, type TwoFactorInit } from './runtime/embedded-defaults.js'
import { assertEnvironmentVariables, isProduction, optionsFromVariables } from './runtime/env.js'
import { dashboardFromAssets, widgetFromAssets, type AssetsFetcher } from './runtime/workers-assets.js'
import { ConfigurationError, TwoFactorError } from './core/errors.js'
import { consoleLogger, type Logger } from './core/log.js'
import { durableObjectStore, type TwoFactorObjectNamespace } from './stores/durable-object.js'

// Everything of the runtime-neutral entry; its `twoFactor` is replaced by the one below.
export * from './index.js'
export { TwoFactorDurableObject } from './stores/durable-object-class.js'
export { durableObjectStore, type DurableObjectStoreOptions } from './stores/durable-object.js'
export { dashboardFromAssets, widgetFromAssets, type AssetsFetcher } from './runtime/workers-assets.js'

/**
 * The bindings the Workers entry reads; any other string binding with a name from the README's
 * configuration reference (TWO_FACTOR_ISSUER, TWO_FACTOR_AUDIENCE, provider keys…) is read too.
 */
export interface TwoFactorWorkerEnv {
  /** The Durable Object namespace of `TwoFactorDurableObject` (wrangler.jsonc `durable_objects`). */
  TWO_FACTOR_STORE?: TwoFactorObjectNamespace
  /** `"development"` relaxes the production checks; anything else, or nothing, is production. */
  ENVIRONMENT?: string
  /** Read as ENVIRONMENT when that is not set, for projects that already use it. */
  NODE_ENV?: string
  /** Secret (`wrangler secret put TWO_FACTOR_SECRET`): ≥ 32 random characters for the PIN MACs. */
  TWO_FACTOR_SECRET?: string
  /** Secret (`wrangler secret put TWO_FACTOR_PRIVATE_JWK`): the private JWK that signs tokens. */
  TWO_FACTOR_PRIVATE_JWK?: string
  /** `"+15005550006=123456,…"`: fixed PINs, no SMS, no quotas. Refused in production unless allowed. */
  TWO_FACTOR_TEST_NUMBERS?: string
  /**
   * Workers Static Assets binding over the built widget (`assets: { directory: "dist/widget",
   * binding: "TWO_FACTOR_WIDGET" }`). When bound, the kit also serves `/widget.js`, its chunks and
   * `/metadata.json`, as on Node, and the operator console at `/admin/` (built into its `admin/`
   * folder) when TWO_FACTOR_ADMIN_TOKEN is set.
   */
  TWO_FACTOR_WIDGET?: AssetsFetcher
  /** `console` (default), `infobip`, `twilio`, `vonage` or a failover list: see runtime/env-providers.ts. */
  SMS_PROVIDER?: string
}

/** The caller's IP as Cloudflare's edge saw it. No other header is trusted on Workers. */
export function clientIpFromCloudflare(c: Context): string | undefined {
  return c.req.header('CF-Connecting-IP') || undefined
}

/** The string-valued bindings only (vars and secrets), as the env readers expect them. */
function stringBindings(env: TwoFactorWorkerEnv): Record<string, string | undefined> {
  const strings: Record<string, string | undefined> = {}
  for (const [name, value] of Object.entries(env as object))
    if (typeof value === 'string') strings[name] = value
  return strings
}

/**
 * Options from env bindings, with the same variable names as the Node entry (README's configuration
 * reference). Unset or empty variables keep the core's defaults.
 */
export function optionsFromWorkerEnv(env: TwoFactorWorkerEnv): TwoFactorInit {
  assertEnvironmentVariables(env, false)
  const vars = stringBindings(env)
  const options: TwoFactorInit = {
    ...optionsFromVariables(vars, isProduction(vars, 'workers')),
    getClientIp: clientIpFromCloudflare,
  }
  if (env.TWO_FACTOR_STORE) options.store = durableObjectStore({ namespace: env.TWO_FACTOR_STORE })
  return options
}

/**
 * A Worker is production unless told otherwise, so a fresh deployment lacks several settings at
 * once: they are named together here, rather than one refusal per deployment. One missing setting
 * gets the core's own, more detailed refusal.
 */
function assertProductionBasics(
  options: TwoFactorInit,
  vars: Record<string, string | undefined>,
  overrides: TwoFactorInit,
): void {
  const secrets = [
    options.secret === undefined && 'TWO_FACTOR_SECRET',
    options.signingKey === undefined && 'TWO_FACTOR_PRIVATE_JWK',
  ].filter((name) => name !== false)
  const settings = [
    options.issuer === undefined && 'TWO_FACTOR_ISSUER (e.g. "https://shop.example")',
    options.audience === undefined && 'TWO_FACTOR_AUDIENCE (e.g. "shop.example")',
    // Unset, the env readers make the console provider, which production refuses.
    !vars.SMS_PROVIDER?.trim() && overrides.sms === undefined
      ? 'SMS_PROVIDER (infobip, twilio or vonage, and its own variables)'
      : false,
    options.allowedCountries === undefined && 'TWO_FACTOR_ALLOWED_COUNTRIES (e.g. "HR,DE", or "*")',
  ].filter((name) => name !== false)
  if (secrets.length + settings.length < 2) return
  const parts = [
    secrets.length > 0 && `the secrets ${secrets.join(' and ')} (\`npx wrangler secret put <name>\`)`,
    settings.length > 0 && `the vars ${settings.join(', ')} in wrangler.jsonc`,
  ].filter((part) => part !== false)
  throw new ConfigurationError(
    `twoFactor(env): a production Worker (ENVIRONMENT is not "development") still needs ${parts.join(' and ')}`,
  )
}

/**
 * `twoFactor()` configured from the Worker env, with `overrides` on top (an SMS provider, a store,
 * a clock…). Without a `store` override the `TWO_FACTOR_STORE` binding is required: the memory
 * store would give every isolate its own budget.
 */
export function twoFactor(env: TwoFactorWorkerEnv, overrides: TwoFactorInit = {}): TwoFactorApp {
  // Uncompressed, with `Vary: Accept-Encoding`: Cloudflare's edge compresses (brotli, gzip) what a
  // Worker sends as identity, and a body the Worker had encoded itself it would not improve on.
  const options: TwoFactorInit = { ...optionsFromWorkerEnv(env), compressMetadata: false, ...overrides }
  if (options.environment === 'production') assertProductionBasics(options, stringBindings(env), overrides)
  if (!options.store) {
    throw new ConfigurationError(
      'twoFactor(env): no store. Bind the Durable Object as TWO_FACTOR_STORE in wrangler.jsonc ' +
        '(durable_objects.bindings + a new_sqlite_classes migration for TwoFactorDurableObject), ' +
        'and export { TwoFactorDurableObject } from your Worker, or pass { store }.',
    )
  }
  // Through the options, as on Node: the kit mounts the widget's routes among its own, before its
  // last route (the NOT_FOUND envelope); routes added to the app afterwards would never be reached.
  // The files go out as they are, for the edge to compress, like /metadata.json above.
  if (env.TWO_FACTOR_WIDGET && !options.widget) {
    options.widget = { loadScript: widgetFromAssets(env.TWO_FACTOR_WIDGET), version: VERSION }
  }
  // The operator console is built into the same folder (admin/), and served only with an admin token.
  if (env.TWO_FACTOR_WIDGET && !options.dashboard) {
    options.dashboard = { loadScript: dashboardFromAssets(env.TWO_FACTOR_WIDGET) }
  }
  return twoFactorWithStore({ ...options, store: options.store })
}

/** What `workerFetch` builds: anything with a Worker's `fetch`, such as a Hono app. */
export interface WorkerApp<E, C> {
  fetch(request: Request, env: E, ctx: C): Response | Promise<Response>
}

export interface WorkerFetchOptions {
  /** Where a configuration mistake is logged (once). @default readable lines on the console */
  logger?: Logger
}

const NOT_CONFIGURED_HINT =
  'A Worker runs as production unless ENVIRONMENT is "development" (for a trial with `wrangler dev`, ' +
  'in .dev.vars next to the secrets). Secrets: `npx wrangler secret put TWO_FACTOR_SECRET` and ' +
  '`npx wrangler secret put TWO_FACTOR_PRIVATE_JWK` (values from `npx two-factor-kit keygen`); then deploy again.'

/**
 * A Worker's `fetch` over the app `build` makes from the env, built on the first request (Workers
 * allow no random values or key generation at module load, and env belongs to a request) and kept
 * for the isolate's life.
 *
 * A configuration mistake — a Worker is production unless `ENVIRONMENT` is "development", so a
 * fresh deployment has no secrets yet — is logged once and answers every request with 503
 * `NOT_CONFIGURED`, whose message names what to set, instead of failing each one with a bare 500.
 * Vars and secrets are fixed for an isolate, so the answer holds until the next deployment. Any
 * other error from `build` is thrown as it is, and the next request builds again.
 *
 * ```ts
 * export default {
 *   fetch: workerFetch((env: Env) => new Hono().route('/2fa', twoFactor(env))),
 * } satisfies ExportedHandler<Env>
 * ```
 */
export function workerFetch<E, C>(
  build: (env: E) => WorkerApp<E, C>,
  options: WorkerFetchOptions = {},
): (request: Request, env: E, ctx: C) => Promise<Response> {
  const logger = options.logger ?? consoleLogger()
  let app: WorkerApp<E, C> | undefined
  let refusal: TwoFactorError | undefined
  return async (request, env, ctx) => {
    if (!app && !refusal) {
      try {
        app = build(env)
      } catch (error) {
        if (!(error instanceof ConfigurationError)) throw error
        const message = `two-factor-kit is not configured: ${error.message.replace(/\.?$/, '.')} ${NOT_CONFIGURED_HINT}`
        refusal = new TwoFactorError('NOT_CONFIGURED', message)
        logger.error({ err: error }, message)
      }
    }
    if (refusal) return refusal.getResponse()
    return app!.fetch(request, env, ctx)
  }
}
