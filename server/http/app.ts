/**
 * The HTTP face of the kit: a Hono app the host mounts (`app.route('/2fa', twoFactor(options))`).
 * Routes parse and validate, call the flow, and shape answers; every refusal leaves through one
 * error handler as `{ error: { code, message, …details } }`. Web APIs only.
 */
import { Hono, type Context } from 'hono'
import { cors } from 'hono/cors'
import * as v from 'valibot'
import { MAX_CAPTCHA_TOKEN_LENGTH } from '../core/captcha.js'
import { StoreError, TwoFactorError } from '../core/errors.js'
import { pinGone, pinStatus, resendPin, sendPin, verifyPin, type Services, type SendOutcome } from '../core/send.js'
import { resolveOptions, type ResolvedOptions, type TwoFactorOptions } from '../core/options.js'
import { createLookupGate } from '../core/lookup.js'
import { deliveryReportRoutes } from './delivery-reports.js'
import { maskE164 } from '../core/phone.js'
import { widgetRoutes } from './widget-routes.js'
import { deriveHmacKey, PIN_ID_PATTERN } from '../core/pin.js'
import { createTokenSigner, generateSigningKey } from '../core/token.js'
import { createVerifier, type TokenVerifier } from '../core/verifier.js'

export interface TwoFactorApp extends Hono {
  /** Resolves when keys are ready; rejects with a ConfigurationError for a key that can't be used. */
  readonly ready: Promise<void>
  /** Checks this kit's tokens in the same process (same issuer, audience and keys). */
  readonly verifier: TokenVerifier
  /** The resolved options, read-only. */
  readonly config: Readonly<ResolvedOptions>
}

const SendPinBody = v.object({
  phoneNumber: v.pipe(
    v.string('"phoneNumber" must be a string'),
    v.trim(),
    v.minLength(1, '"phoneNumber" is required'),
    v.maxLength(64, '"phoneNumber" is too long'),
  ),
  country: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.toUpperCase(),
      v.regex(/^[A-Z]{2}$/, '"country" must be an ISO 3166 alpha-2 code like "HR"'),
    ),
  ),
  captchaToken: v.optional(
    v.pipe(
      v.string('"captchaToken" must be a string'),
      v.maxLength(MAX_CAPTCHA_TOKEN_LENGTH, '"captchaToken" is too long'),
    ),
  ),
  language: v.optional(
    v.pipe(
      v.string(),
      v.maxLength(35),
      v.regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, '"language" must be a language tag like "de"'),
    ),
  ),
})
const VerifyPinBody = v.object({
  pin: v.pipe(v.string('"pin" must be a string'), v.maxLength(32, '"pin" is too long')),
})

const MAX_BODY_BYTES = 4 * 1024
const tooLarge = () =>
  new TwoFactorError('PAYLOAD_TOO_LARGE', `The request body is larger than ${MAX_BODY_BYTES} bytes.`)

/**
 * The body as text, refusing more than MAX_BODY_BYTES: by Content-Length before reading when it is
 * given, else while streaming. (hono/body-limit does the same but wraps every body in a new stream,
 * which cost a quarter of the throughput of a small JSON API in `npm run bench`.)
 */
async function readBodyText(request: Request): Promise<string> {
  const declared = request.headers.get('Content-Length')
  if (declared !== null) {
    if (Number(declared) > MAX_BODY_BYTES) throw tooLarge()
    const text = await request.text()
    if (text.length > MAX_BODY_BYTES) throw tooLarge()
    return text
  }
  if (!request.body) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    size += chunk.value.byteLength
    if (size > MAX_BODY_BYTES) {
      await reader.cancel()
      throw tooLarge()
    }
    chunks.push(chunk.value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return new TextDecoder().decode(bytes)
}

async function readJson<TSchema extends v.GenericSchema>(
  c: Context,
  schema: TSchema,
): Promise<v.InferOutput<TSchema>> {
  const type = c.req.header('Content-Type') ?? ''
  if (!/^application\/json\b/i.test(type)) {
    throw new TwoFactorError(
      'UNSUPPORTED_MEDIA_TYPE',
      'Send the request body as JSON (Content-Type: application/json).',
    )
  }
  const text = await readBodyText(c.req.raw)
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new TwoFactorError('INVALID_JSON', 'The request body is not valid JSON.')
  }
  const result = v.safeParse(schema, body)
  if (!result.success) {
    const issues = result.issues.map((issue) => ({ path: v.getDotPath(issue) ?? '', message: issue.message }))
    throw new TwoFactorError('INVALID_REQUEST', issues[0]?.message ?? 'The request body is not valid.', {
      issues,
    })
  }
  return result.output
}

function pinIdParam(c: Context): string {
  const pinId = c.req.param('pinId') ?? ''
  // A malformed id can't exist: answer exactly as for an unknown one.
  if (!PIN_ID_PATTERN.test(pinId)) throw pinGone('NOT_FOUND')
  return pinId
}

const iso = (ms: number) => new Date(ms).toISOString()

function sendAnswer(outcome: SendOutcome) {
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

export function createTwoFactorApp(options: TwoFactorOptions): TwoFactorApp {
  const config = resolveOptions(options)
  const lookupGate = createLookupGate({
    provider: config.lookup,
    store: config.store,
    cacheTtlMs: config.lookupCacheTtlMs,
    failurePolicy: config.lookupFailurePolicy,
    allowedLineTypes: config.allowedLineTypes,
    timeoutMs: config.providerTimeoutMs,
  })
  const keysPromise: Promise<Services> = (async () => {
    let signingKey = config.signingKey
    if (!signingKey) {
      config.logger.warn(
        '[two-factor-kit] no signing key configured: generated an ephemeral one (development only; tokens stop verifying on restart)',
      )
      signingKey = await generateSigningKey(config.algorithm)
    }
    const signer = await createTokenSigner({
      signingKey,
      algorithm: config.algorithm,
      issuer: config.issuer,
      audience: config.audience,
      ttlMs: config.tokenTtlMs,
    })
    return {
      mac: deriveHmacKey(config.secret, 'pin-mac'),
      derivation: deriveHmacKey(config.secret, 'pin-derivation'),
      signer,
      lookupGate,
    }
  })()
  const ready = keysPromise.then(() => undefined)
  // Handled here so a bad key is not an unhandled rejection; it still fails `ready` and every request.
  ready.catch(() => undefined)

  let localVerifier: TokenVerifier | undefined
  const verifier: TokenVerifier = {
    async verify(token) {
      localVerifier ??= createVerifier({
        jwks: (await keysPromise).signer.jwks,
        issuer: config.issuer,
        audience: config.audience,
        algorithms: [(await keysPromise).signer.algorithm],
      })
      return localVerifier.verify(token)
    },
  }

  const app = new Hono()
  const caller = (c: Context) => ({ ip: config.getClientIp(c) })

  // Set before the route runs, as a prepared header the route's own `c.header()` replaces: touching
  // `c.res.headers` after the route would turn @hono/node-server's light response into a full
  // Response object, which cost half the throughput of POST /pin in `npm run bench`.
  app.use('*', async (c, next) => {
    c.header('Cache-Control', 'no-store')
    await next()
  })

  if (config.allowedOrigins.length > 0) {
    app.use(
      '*',
      cors({
        origin: [...config.allowedOrigins],
        allowMethods: ['GET', 'POST'],
        allowHeaders: ['Content-Type'],
        maxAge: 600,
      }),
    )
  }

  // Delivery reports come from providers, not browsers: mounted before the JSON API's rules.
  app.route(
    '/reports',
    deliveryReportRoutes({
      providers: config.providers,
      store: config.store,
      ...(config.deliveryReportUrl ? { publicBaseUrl: config.deliveryReportUrl } : {}),
    }),
  )

  if (config.widget) {
    app.route('/', widgetRoutes({ ...config.widget, allowedCountries: config.allowedCountries }))
  }

  app.get('/config', (c) =>
    c.json({
      pinLength: config.pinLength,
      pinType: config.pinType,
      pinTimeToLive: Math.round(config.pinTtlMs / 1000),
      resendCooldown: Math.round(config.resendCooldownMs / 1000),
      pinAttempts: config.pinAttempts,
      allowedCountries: config.allowedCountries,
      language: config.language,
      captcha: config.captcha?.verifier.widget ?? null,
    }),
  )

  app.get('/.well-known/jwks.json', async (c) => {
    c.header('Cache-Control', 'public, max-age=300')
    return c.json((await keysPromise).signer.jwks)
  })

  app.post('/pin', async (c) => {
    const body = await readJson(c, SendPinBody)
    const outcome = await sendPin(config, await keysPromise, body, caller(c))
    return c.json(sendAnswer(outcome), 201)
  })

  app.post('/pin/:pinId/resend', async (c) => {
    const pinId = pinIdParam(c)
    const outcome = await resendPin(config, await keysPromise, pinId, caller(c))
    return c.json(sendAnswer(outcome), 200)
  })

  app.post('/pin/:pinId/verify', async (c) => {
    const pinId = pinIdParam(c)
    const { pin } = await readJson(c, VerifyPinBody)
    const result = await verifyPin(config, await keysPromise, pinId, pin)
    return c.json({ verified: true, token: result.token, expiresAt: iso(result.expiresAt) }, 200)
  })

  app.get('/pin/:pinId', async (c) => {
    const pinId = pinIdParam(c)
    const record = await config.store.getPin(pinId)
    if (!record) throw pinGone('NOT_FOUND')
    return c.json({
      pinId: record.pinId,
      to: maskE164(record.phoneNumber),
      status: pinStatus(record, config.clock()),
      deliveryStatus: record.deliveryStatus,
      expiresAt: iso(record.expiresAt),
      resendAvailableAt: iso(record.resendAvailableAt),
      attemptsRemaining: record.attemptsRemaining,
    })
  })

  app.notFound((c) =>
    c.json(new TwoFactorError('NOT_FOUND', `No route for ${c.req.method} ${c.req.path}.`).toJSON(), 404),
  )

  app.onError((error, c) => {
    let refusal: TwoFactorError
    if (error instanceof TwoFactorError) {
      refusal = error
    } else if (error instanceof StoreError) {
      config.logger.error(`[two-factor-kit] store unavailable: ${error.message}`)
      refusal = new TwoFactorError(
        'STORE_UNAVAILABLE',
        'The service is temporarily unavailable. Please try again shortly.',
      )
      c.header('Retry-After', '5')
    } else {
      config.logger.error('[two-factor-kit] unexpected error', error)
      refusal = new TwoFactorError('INTERNAL_ERROR', 'Something went wrong on our side.')
    }
    // Any refusal that says when to come back (rate limits, an unreachable captcha) says it in the header too.
    if (typeof refusal.details.retryAfter === 'number')
      c.header('Retry-After', String(refusal.details.retryAfter))
    c.header('Cache-Control', 'no-store')
    return c.json(refusal.toJSON(), refusal.status as 400)
  })

  return Object.assign(app, { ready, verifier, config }) as TwoFactorApp
}
