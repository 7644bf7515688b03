/**
 * The HTTP face of the kit: a Hono app the host mounts (`app.route('/2fa', twoFactor(options))`).
 * It composes the routes: each reads its request (request.ts), calls the product (core/), and
 * shapes the answer; every refusal leaves through the one error mapping (responses.ts).
 */
import { Hono, type Context } from 'hono'
import type { BlankEnv } from 'hono/types'
import type * as v from 'valibot'
import { cors } from 'hono/cors'
import { TwoFactorError } from '../core/errors.js'
import { refuseOption } from '../core/option-variables.js'
import { secretWeakness } from '../core/secret-strength.js'
import type { ResolvedOptions } from '../core/options.js'
import { maskE164 } from '../core/phone.js'
import { assertPinUsable, pinStatus } from '../core/pin-record.js'
import { createSendPolicyApi, type SendPolicyApi } from '../core/policy-admin.js'
import { resolveOptions } from '../core/resolve.js'
import { resendPin, sendPin, type SendOutcome } from '../core/send.js'
import { createServices } from '../core/services.js'
import { createLocalVerifier, type TokenVerifier } from '../core/verifier.js'
import { verifyPin } from '../core/verify.js'
import { clientIpReader, connectionAddress } from './client-ip.js'
import { deliveryReportRoutes } from './delivery-reports.js'
import type { TwoFactorOptions } from './options.js'
import type { ConfigAnswer, PinStateAnswer, SendPinAnswer, VerifyPinAnswer } from './openapi-schemas.js'
import { withVersion } from './openapi-version.js'
import { refusedOriginLog } from './refused-origin-log.js'
import { pinIdParam, readJson, SendPinBody, VerifyPinBody } from './request.js'
import { errorHandler, refusalResponse } from './responses.js'
import { adminRoutes, healthRoute } from './admin.js'
import { metadataRoute, widgetRoutes } from './widget-routes.js'

/**
 * What `app.config` shows of the resolved options: nothing secret (no secret, no signing key, no
 * store or provider objects), so logging it is safe. Frozen.
 */
export interface TwoFactorConfig {
  readonly environment: 'production' | 'development'
  readonly issuer: string
  readonly audience: string
  readonly pinLength: number
  readonly pinType: ResolvedOptions['pinType']
  readonly pinTtlMs: number
  readonly pinAttempts: number
  readonly resendCooldownMs: number
  readonly tokenTtlMs: number
  readonly language: string
  readonly allowedCountries: readonly string[] | null
  readonly allowedOrigins: readonly string[]
  /** The SMS providers' names, in failover order. */
  readonly providers: readonly string[]
  /** The lookup provider's name, or null when lookups are off. */
  readonly lookup: string | null
}

export interface TwoFactorApp extends Hono<BlankEnv, TwoFactorRoutes> {
  /** Resolves when keys are ready; rejects with a ConfigurationError for a key that can't be used. */
  readonly ready: Promise<void>
  /** Checks this kit's tokens in the same process (same issuer, audience and keys). */
  readonly verifier: TokenVerifier
  /** The resolved options that are safe to show, read-only. */
  readonly config: TwoFactorConfig
  /** The anti-fraud policies at run time: blocks (list, lift), the allow-list, statistics, spend. */
  readonly policy: SendPolicyApi
}

function publicConfig(config: ResolvedOptions): TwoFactorConfig {
  return Object.freeze({
    environment: config.environment,
    issuer: config.issuer,
    audience: config.audience,
    pinLength: config.pinLength,
    pinType: config.pinType,
    pinTtlMs: config.pinTtlMs,
    pinAttempts: config.pinAttempts,
    resendCooldownMs: config.resendCooldownMs,
    tokenTtlMs: config.tokenTtlMs,
    language: config.language,
    allowedCountries: config.allowedCountries && Object.freeze([...config.allowedCountries]),
    allowedOrigins: Object.freeze([...config.allowedOrigins]),
    providers: Object.freeze(config.providers.map((provider) => provider.name)),
    lookup: config.lookup?.name ?? null,
  })
}

const iso = (ms: number) => new Date(ms).toISOString()

/** The admin routes' paths, wherever the host mounts the kit (`/2fa/admin/…`). */
const isAdminPath = (path: string) => /\/admin(\/|$)/.test(path)

/** The admin token, checked like the secret: 32 characters or more, and not a placeholder in production. */
function resolveAdminToken(token: string | undefined, production: boolean): string | undefined {
  if (token === undefined || token === '') return undefined
  if (token.length < 32 || new Set(token).size < 8)
    refuseOption('adminToken', 'must be at least 32 random characters (e.g. `openssl rand -base64 32`)')
  const weakness = production ? secretWeakness(token) : undefined
  if (weakness) refuseOption('adminToken', weakness)
  return token
}

function sendAnswer(outcome: SendOutcome): SendPinAnswer {
  const { record } = outcome
  return {
    pinId: record.pinId,
    to: outcome.masked,
    expiresAt: iso(record.expiresAt),
    resendAvailableAt: iso(record.resendAvailableAt),
    attemptsRemaining: record.attemptsRemaining,
    lookup: outcome.lookup,
    sms: outcome.sms,
  }
}

/** What a request body of `schema` is, as Hono's typed client (`hc`) reads a route's input. */
type JsonContext<TPath extends string, TSchema extends v.GenericSchema> = Context<
  BlankEnv,
  TPath,
  { in: { json: v.InferInput<TSchema> }; out: { json: v.InferInput<TSchema> } }
>

/**
 * The JSON API, chained so that its type carries every route: a host's `hc<typeof hostApp>` types
 * the kit's paths, bodies and answers (`TwoFactorRoutes`). The handlers read their bodies with
 * `readJson` (the kit's own codes for every refusal); the `JsonContext` annotations only tell the
 * types what those bodies are.
 */
function apiRoutes({
  config,
  servicesReady,
  caller,
  version,
}: {
  config: ResolvedOptions
  servicesReady: ReturnType<typeof createServices>
  caller: (c: Context) => { ip: string | undefined }
  version: string | undefined
}) {
  let openApiText: Promise<string> | undefined
  return (
    new Hono()
      .get('/config', (c) => {
        const answer: ConfigAnswer = {
          pinLength: config.pinLength,
          pinType: config.pinType,
          pinTimeToLive: Math.round(config.pinTtlMs / 1000),
          resendCooldown: Math.round(config.resendCooldownMs / 1000),
          pinAttempts: config.pinAttempts,
          allowedCountries: config.allowedCountries && [...config.allowedCountries],
          language: config.language,
          captcha: config.captcha ? { ...config.captcha.verifier.widget, mode: config.captchaMode } : null,
        }
        return c.json(answer)
      })
      .get('/.well-known/jwks.json', async (c) => {
        c.header('Cache-Control', 'public, max-age=300')
        return c.json((await servicesReady).signer.jwks)
      })
      .post('/pin', async (c: JsonContext<'/pin', typeof SendPinBody>) => {
        const body = await readJson(c, SendPinBody)
        const outcome = await sendPin(config, await servicesReady, body, caller(c))
        return c.json(sendAnswer(outcome), 201)
      })
      .post('/pin/:pinId/resend', async (c) => {
        const pinId = pinIdParam(c)
        const outcome = await resendPin(config, await servicesReady, pinId, caller(c))
        return c.json(sendAnswer(outcome), 200)
      })
      .post('/pin/:pinId/verify', async (c: JsonContext<'/pin/:pinId/verify', typeof VerifyPinBody>) => {
        const pinId = pinIdParam(c)
        const { pin } = await readJson(c, VerifyPinBody)
        const result = await verifyPin(config, await servicesReady, pinId, pin)
        const answer: VerifyPinAnswer = {
          verified: true,
          token: result.token,
          expiresAt: iso(result.expiresAt),
        }
        return c.json(answer, 200)
      })
      .get('/pin/:pinId', async (c) => {
        const pinId = pinIdParam(c)
        const record = await config.store.getPin(pinId)
        // Only a PIN that can still be used shows its state (the widget follows its delivery); an
        // expired, used or locked one answers exactly as an unknown pinId.
        assertPinUsable(record, config.clock(), !config.allowMultiplePinVerifications)
        const answer: PinStateAnswer = {
          pinId: record.pinId,
          to: maskE164(record.phoneNumber),
          status: pinStatus(record, config.clock()),
          deliveryStatus: record.deliveryStatus,
          expiresAt: iso(record.expiresAt),
          resendAvailableAt: iso(record.resendAvailableAt),
          attemptsRemaining: record.attemptsRemaining,
        }
        return c.json(answer)
      })
      // Data, like the JWKS: every entry serves it. Generated ahead of time from the routes' schemas
      // (scripts/openapi-document.ts), loaded on the first request and kept, with the version filled in.
      .get('/openapi.json', async (c) => {
        openApiText ??= import('./openapi-document.js')
          .then(({ OPENAPI_DOCUMENT }) => withVersion(OPENAPI_DOCUMENT, version ?? 'unversioned'))
          .catch((error: unknown) => {
            openApiText = undefined // a next request tries again
            throw error
          })
        c.header('Cache-Control', 'public, max-age=300')
        c.header('Content-Type', 'application/json; charset=UTF-8')
        return c.body(await openApiText)
      })
  )
}

/** The kit's API routes as Hono's typed client sees them: `hc<typeof app>` where `app` mounts the kit. */
export type TwoFactorRoutes = ReturnType<typeof apiRoutes> extends Hono<BlankEnv, infer S> ? S : never

export function createTwoFactorApp(options: TwoFactorOptions): TwoFactorApp {
  const config = resolveOptions(options)
  const getClientIp = clientIpReader(options.getClientIp ?? connectionAddress, config.logger)
  const servicesReady = createServices(config)
  const ready = servicesReady.then(() => undefined)
  // Handled here so a bad key is not an unhandled rejection; it still fails `ready` and every request.
  ready.catch(() => undefined)

  let localVerifier: TokenVerifier | undefined
  const verifier: TokenVerifier = {
    async verify(token, verifyOptions) {
      const { signer } = await servicesReady
      // The form-post pattern's final check: single use through the kit's store, and no token that
      // claims a longer life than this kit issues (the signer's `exp - iat`).
      localVerifier ??= createLocalVerifier({
        jwks: signer.jwks,
        issuer: config.issuer,
        audience: config.audience,
        algorithms: [signer.algorithm],
        maxTokenAge: Math.max(1, Math.floor(config.tokenTtlMs / 1000)),
        store: config.store,
        clock: config.clock,
      })
      return localVerifier.verify(token, verifyOptions)
    },
  }

  const app = new Hono()
  const caller = (c: Context) => ({ ip: getClientIp(c) })
  const policy = createSendPolicyApi({ ...config, allowListOption: options.allowList ?? [] })

  // Set before the route runs, as a prepared header the route's own `c.header()` replaces: touching
  // `c.res.headers` after the route would turn @hono/node-server's light response into a full
  // Response object, which cost half the throughput of POST /pin in `npm run bench`.
  app.use('*', async (c, next) => {
    c.header('Cache-Control', 'no-store')
    await next()
  })

  // Before the CORS middleware, so it sees that middleware's answer.
  app.use(
    '*',
    refusedOriginLog({ allowedOrigins: config.allowedOrigins, logger: config.logger, skip: isAdminPath }),
  )

  if (config.allowedOrigins.length > 0) {
    const allowOrigins = cors({
      origin: [...config.allowedOrigins],
      allowMethods: ['GET', 'POST'],
      allowHeaders: ['Content-Type'],
      maxAge: 600,
    })
    // Never for the admin routes: no page on another origin may read or drive them.
    app.use('*', (c, next) => (isAdminPath(c.req.path) ? next() : allowOrigins(c, next)))
  }

  app.get('/health', healthRoute(config.store, config.clock))

  const adminToken = resolveAdminToken(options.adminToken, config.environment === 'production')
  if (adminToken) {
    app.route(
      '/admin',
      adminRoutes({
        token: adminToken,
        policy,
        store: config.store,
        clock: config.clock,
        logger: config.logger,
        ...(options.dashboard ? { dashboard: options.dashboard } : {}),
      }),
    )
  }

  // Delivery reports come from providers, not browsers: mounted before the JSON API's rules.
  app.route(
    '/reports',
    deliveryReportRoutes({
      providers: config.providers,
      store: config.store,
      logger: config.logger,
      clock: config.clock,
      ...(config.policy.onEvent ? { onEvent: config.policy.onEvent } : {}),
      ...(config.deliveryReportUrl ? { publicBaseUrl: config.deliveryReportUrl } : {}),
    }),
  )

  // /metadata.json is data, like the JWKS: served on every entry, also to a widget the host
  // bundled itself. The widget's files come only with the option (the entry that has them).
  const metadata = {
    allowedCountries: config.allowedCountries,
    ...(options.compressMetadata === false ? { compressMetadata: false } : {}),
  }
  if (options.widget) {
    app.route('/', widgetRoutes({ ...options.widget, ...metadata, logger: config.logger }))
  } else {
    app.route('/', metadataRoute(metadata))
  }

  app.route('/', apiRoutes({ config, servicesReady, caller, version: options.widget?.version }))

  // Mounted in a host (`host.route('/2fa', kit)`), Hono answers an unmatched path with the host's
  // notFound, never the kit's: this last route keeps every path under the mount the kit's envelope.
  const noRoute = (c: Context) =>
    refusalResponse(c, new TwoFactorError('NOT_FOUND', `No route for ${c.req.method} ${c.req.path}.`))
  app.all('*', noRoute)
  app.notFound(noRoute)
  app.onError(errorHandler(config.logger))

  return Object.assign(app, { ready, verifier, config: publicConfig(config), policy }) as TwoFactorApp
}
