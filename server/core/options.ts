/**
 * Every option of `twoFactor()`, typed and documented once, resolved and validated once at start-up:
 * a bad value throws a ConfigurationError that says what to change, before anything is served.
 * Names and defaults follow Infobip's 2FA application and message template where they overlap.
 */
import type { Context } from 'hono'
import { ConfigurationError } from './errors.js'
import { parseDuration, parseRate, type Rate } from './duration.js'
import type { CaptchaPolicy, CaptchaVerifier } from './captcha.js'
import type { PinType } from './pin.js'
import type { LineType, SmsProvider } from '../providers/types.js'
import type { TwoFactorStore } from '../stores/types.js'
import { normalizeTestNumbers } from './phone.js'
import { NUMBER_TYPES, type NumberType } from './phone.js'

export type SigningAlgorithm = 'EdDSA' | 'ES256'
export type Logger = Pick<Console, 'info' | 'warn' | 'error'>

export interface TwoFactorOptions {
  /**
   * `'production'` refuses ephemeral keys and secrets, test numbers (unless allowed) and the dev
   * inbox. Secure by default: development must be asked for.
   * @default 'production'
   */
  environment?: 'production' | 'development'
  /** Where PIN records and rate-limit counters live. The `two-factor-kit/server` entry defaults to `memoryStore()`. */
  store: TwoFactorStore
  /**
   * SMS provider, or an ordered list for failover. The `two-factor-kit/server` entry defaults to `consoleProvider()`.
   */
  sms: SmsProvider | SmsProvider[]
  /**
   * Server secret for the PIN MACs and PIN derivation: at least 32 characters of real randomness
   * (e.g. `openssl rand -base64 32`). Required in production; in development a random one is made
   * per process, with a warning.
   */
  secret?: string
  /**
   * Private signing key for the tokens, as a JWK (object or JSON string) with `alg` EdDSA (Ed25519)
   * or ES256 (P-256). Required in production; in development an ephemeral key is generated, with a
   * warning (tokens then stop verifying when the process restarts).
   */
  signingKey?: JsonWebKey | string
  /** @default 'EdDSA' (or the signing key's own `alg`) */
  algorithm?: SigningAlgorithm
  /** The token's `iss`. Required in production. @default 'two-factor-kit' in development */
  issuer?: string
  /** The token's `aud`: the host application the token is for. Required in production. @default 'two-factor-kit-dev' in development */
  audience?: string
  /** How long a token is valid. @default '5m' */
  tokenTimeToLive?: string
  /** @default 6 (4–10) */
  pinLength?: number
  /** @default 'NUMERIC' */
  pinType?: PinType
  /** How long a PIN can be verified. @default '10m' */
  pinTimeToLive?: string
  /** Verification attempts per PIN, right or wrong. @default 5 */
  pinAttempts?: number
  /** Whether a verified PIN may be verified again while valid. @default false */
  allowMultiplePinVerifications?: boolean
  /** Verify requests per phone number. @default '1/3s' */
  verifyPinLimit?: string
  /** Sends (first SMS and resends) per phone number. @default '5/1d' */
  sendPinPerPhoneNumberLimit?: string
  /** All sends of this application. @default '10000/1d' */
  sendPinPerApplicationLimit?: string
  /** Least time between two SMS to one number (send or resend). @default '30s' */
  resendCooldown?: string
  /**
   * SMS text; must contain `{{pin}}`. Placeholders: `{{pin}}`, `{{appName}}`, `{{minutes}}` (PIN
   * lifetime) and any in `placeholders`. A map `{ en: '…', de: '…' }` gives one text per language.
   * @default built-in texts in en, de, fr, es and hr
   */
  messageText?: string | Record<string, string>
  /** Extra `{{name}}` values for `messageText`. @default {} */
  placeholders?: Record<string, string>
  /** Name used by the built-in texts' `{{appName}}`. @default 'two-factor-kit' */
  appName?: string
  /** Sender id passed to the provider. @default undefined (the provider's default) */
  senderId?: string
  /** Default language of the SMS; a request may ask for another one that has a text. @default 'en' */
  language?: string
  /** ISO 3166 alpha-2 codes that may receive PINs; `null` allows every country. @default null */
  allowedCountries?: readonly string[] | null
  /**
   * Number types (libphonenumber-js `getType()`) that may receive a PIN. Numbers whose type can't
   * be told are refused.
   * @default ['MOBILE', 'FIXED_LINE_OR_MOBILE']
   */
  allowedNumberTypes?: readonly NumberType[]
  /**
   * Numbers with fixed PINs that send nothing and skip quotas (app-store reviewers, e2e tests),
   * `{ '+15005550006': '123456' }`. Refused in production unless `allowTestNumbersInProduction`.
   * @default {}
   */
  testNumbers?: Record<string, string>
  /** @default false */
  allowTestNumbersInProduction?: boolean
  /**
   * The caller's IP, from a source the deployment trusts (the Node entry counts proxy hops, the
   * Workers entry reads `CF-Connecting-IP`). Used for per-IP limits; `undefined` skips them.
   * @default () => undefined
   */
  getClientIp?: (c: Context) => string | undefined
  /** Sends per client IP. @default '20/1h' */
  sendPinPerIpLimit?: string
  /**
   * Sends per number prefix (country code and the next digits, see `prefixLength`): stops
   * SMS-pumping runs through one range of premium numbers.
   * @default '50/1h'
   */
  sendPinPerPrefixLimit?: string
  /** Digits of the E.164 number (without `+`) that make a prefix. @default 7 */
  prefixLength?: number
  /**
   * Network number lookup before any PIN exists (Infobip Number Lookup, Twilio Lookup v2): a
   * provider with `lookup()`. `null` keeps to the free offline checks.
   * @default null
   */
  lookup?: SmsProvider | null
  /** How long a lookup answer is reused for the same number. @default '1d' */
  lookupCacheTimeToLive?: string
  /** When the lookup itself fails: `'closed'` refuses (LOOKUP_FAILED), `'open'` sends unchecked. @default 'closed' */
  lookupFailurePolicy?: 'closed' | 'open'
  /**
   * Line types the network lookup may report for a number that gets a PIN.
   * @default ['mobile', 'fixed_or_mobile', 'unknown']
   */
  allowedLineTypes?: LineType[]
  /** Time budget of one provider call (send or lookup). @default '10s' */
  providerTimeout?: string
  /** Extra tries on one provider after a transient failure, before failing over to the next. @default 1 */
  providerRetries?: number
  /**
   * Origins of the pages that show the widget (`['https://shop.example']`). They get CORS access to
   * the API, and the first one's host goes into the SMS's WebOTP line (`@shop.example #123456`) —
   * never a host taken from the request.
   * @default [] (same-origin only, no WebOTP line)
   */
  allowedOrigins?: readonly string[]
  /**
   * A bot check every `POST /pin` must pass before any quota, lookup or SMS is spent, e.g.
   * `turnstileCaptcha({ siteKey, secretKey })`. The widget renders the challenge by itself.
   * Test numbers skip it. `null` asks for none.
   * @default null
   */
  captcha?: CaptchaVerifier | null
  /**
   * Hostnames a captcha may have been solved on; one solved on another site is refused.
   * @default the hosts of `allowedOrigins` (none, when that is empty: then any hostname passes)
   */
  captchaHostnames?: readonly string[]
  /** Whether to end the SMS with the WebOTP line when `allowedOrigins` is set. @default true */
  webOtp?: boolean
  /** Android SMS Retriever app hash (11 characters), added on its own line. @default undefined */
  androidAppHash?: string
  /**
   * Public URL of this app's `/reports` route (`https://shop.example/2fa/reports`); each SMS asks
   * its provider to post delivery reports to `${deliveryReportUrl}/${provider.name}`. Unset, the
   * provider account's own webhook settings apply.
   * @default undefined
   */
  deliveryReportUrl?: string
  /**
   * Serve the `<two-factor-auth>` bundle at `/widget.js` (and `/metadata.json`, phone metadata for
   * the allowed countries). The runtime entry supplies the files: the Node entry reads `dist/widget/`.
   * @default undefined (no widget routes)
   */
  widget?: { loadScript: (file: string) => Promise<string | undefined>; version: string }
  /** @default console */
  logger?: Logger
  /** The clock, in Unix ms; tests pass a fake one. @default Date.now */
  clock?: () => number
}

export interface ResolvedOptions {
  environment: 'production' | 'development'
  store: TwoFactorStore
  providers: SmsProvider[]
  secret: string
  signingKey: JsonWebKey | undefined
  algorithm: SigningAlgorithm | undefined
  issuer: string
  audience: string
  tokenTtlMs: number
  pinLength: number
  pinType: PinType
  pinTtlMs: number
  pinAttempts: number
  allowMultiplePinVerifications: boolean
  verifyPinLimit: Rate
  sendPinPerPhoneNumberLimit: Rate
  sendPinPerApplicationLimit: Rate
  sendPinPerIpLimit: Rate
  sendPinPerPrefixLimit: Rate
  prefixLength: number
  resendCooldownMs: number
  messageTexts: Record<string, string> | undefined
  placeholders: Record<string, string>
  appName: string
  senderId: string | undefined
  language: string
  allowedCountries: readonly string[] | null
  allowedNumberTypes: readonly NumberType[]
  testNumbers: Map<string, string>
  getClientIp: (c: Context) => string | undefined
  lookup: SmsProvider | null
  lookupCacheTtlMs: number
  lookupFailurePolicy: 'closed' | 'open'
  allowedLineTypes: LineType[]
  providerTimeoutMs: number
  providerRetries: number
  allowedOrigins: readonly string[]
  /** The verifier with what it checks against, put together once; null when there is no captcha. */
  captcha: CaptchaPolicy | null
  /** The host of the WebOTP line, or undefined for none. */
  webOtpHost: string | undefined
  androidAppHash: string | undefined
  deliveryReportUrl: string | undefined
  widget: TwoFactorOptions['widget']
  logger: Logger
  clock: () => number
}

const PIN_TYPES: readonly PinType[] = ['NUMERIC', 'ALPHA', 'HEX', 'ALPHANUMERIC']
const LINE_TYPES: readonly LineType[] = [
  'mobile',
  'landline',
  'fixed_or_mobile',
  'voip',
  'toll_free',
  'premium',
  'shared_cost',
  'personal',
  'pager',
  'uan',
  'voicemail',
  'unknown',
]

function fail(option: string, problem: string): never {
  throw new ConfigurationError(`twoFactor(): "${option}" ${problem}`)
}

function duration(option: string, value: string | undefined, fallback: string): number {
  const text = value ?? fallback
  return (
    parseDuration(text) ??
    fail(
      option,
      `must be a duration like "30s", "10m", "1h" (n + ms|s|m|h|d, at most 1 year); got ${JSON.stringify(text)}`,
    )
  )
}

function rate(option: string, value: string | undefined, fallback: string): Rate {
  const text = value ?? fallback
  return (
    parseRate(text) ??
    fail(option, `must be a rate like "1/3s" or "10000/1d" (count/duration); got ${JSON.stringify(text)}`)
  )
}

function integer(
  option: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  const n = value ?? fallback
  if (!Number.isInteger(n) || n < min || n > max)
    fail(option, `must be an integer from ${min} to ${max}; got ${String(n)}`)
  return n
}

/** Randomness a secret must at least have: 32 characters, not all the same one. */
function assertStrongSecret(secret: string): void {
  if (secret.length < 32)
    fail(
      'secret',
      `must be at least 32 characters of randomness (e.g. \`openssl rand -base64 32\`); got ${secret.length}`,
    )
  if (new Set(secret).size < 8)
    fail('secret', 'looks like a placeholder, not a random secret (fewer than 8 distinct characters)')
}

export function resolveOptions(options: TwoFactorOptions): ResolvedOptions {
  const environment = options.environment ?? 'production'
  if (environment !== 'production' && environment !== 'development') {
    fail('environment', `must be "production" or "development"; got ${JSON.stringify(environment)}`)
  }
  const production = environment === 'production'
  const logger = options.logger ?? console

  if (!options.store) fail('store', 'is required (e.g. memoryStore() or redisStore({ client }))')
  const providers = Array.isArray(options.sms) ? options.sms : options.sms ? [options.sms] : []
  if (providers.length === 0)
    fail('sms', 'needs at least one SMS provider (e.g. consoleProvider() in development)')
  for (const provider of providers) {
    if (typeof provider?.send !== 'function' || !provider.name)
      fail('sms', 'must be SMS providers with a name and a send() method')
  }
  // The name routes delivery reports (/reports/:name): two providers with one name would share a route.
  const providerNames = providers.map((provider) => provider.name)
  const duplicateName = providerNames.find((name, index) => providerNames.indexOf(name) !== index)
  if (duplicateName)
    fail(
      'sms',
      `has two providers named ${JSON.stringify(duplicateName)}: give one a different \`name\` option`,
    )

  let secret = options.secret
  if (secret === undefined) {
    if (production)
      fail(
        'secret',
        'is required in production: set a random secret of at least 32 characters (TWO_FACTOR_SECRET)',
      )
    secret = crypto
      .getRandomValues(new Uint8Array(32))
      .reduce((s, b) => s + b.toString(16).padStart(2, '0'), '')
    logger.warn(
      '[two-factor-kit] no secret configured: using a random one for this process (development only)',
    )
  }
  assertStrongSecret(secret)

  let signingKey: JsonWebKey | undefined
  if (options.signingKey !== undefined) {
    try {
      signingKey =
        typeof options.signingKey === 'string'
          ? (JSON.parse(options.signingKey) as JsonWebKey)
          : options.signingKey
    } catch {
      fail(
        'signingKey',
        'is not valid JSON: expected a private JWK such as {"kty":"OKP","crv":"Ed25519","d":"…","x":"…"}',
      )
    }
    if (!signingKey || typeof signingKey !== 'object' || !('d' in signingKey)) {
      fail('signingKey', 'must be a private JWK (with "d"); a public key cannot sign tokens')
    }
  } else if (production) {
    fail(
      'signingKey',
      'is required in production: pass a private JWK (TWO_FACTOR_PRIVATE_JWK); see the README to generate one',
    )
  }
  const algorithm = options.algorithm
  if (algorithm !== undefined && algorithm !== 'EdDSA' && algorithm !== 'ES256') {
    fail('algorithm', `must be "EdDSA" or "ES256"; got ${JSON.stringify(algorithm)}`)
  }

  const issuer = options.issuer ?? (production ? undefined : 'two-factor-kit')
  const audience = options.audience ?? (production ? undefined : 'two-factor-kit-dev')
  if (!issuer) fail('issuer', 'is required in production: the token issuer (e.g. "https://shop.example")')
  if (!audience) fail('audience', 'is required in production: who the tokens are for (e.g. "shop.example")')

  const pinType = options.pinType ?? 'NUMERIC'
  if (!PIN_TYPES.includes(pinType))
    fail('pinType', `must be one of ${PIN_TYPES.join(', ')}; got ${JSON.stringify(pinType)}`)

  const language = options.language ?? 'en'
  let messageTexts: Record<string, string> | undefined
  if (options.messageText !== undefined) {
    messageTexts =
      typeof options.messageText === 'string'
        ? { [language]: options.messageText }
        : { ...options.messageText }
    if (Object.keys(messageTexts).length === 0) fail('messageText', 'needs at least one text')
    for (const [lang, text] of Object.entries(messageTexts)) {
      if (typeof text !== 'string' || !text.includes('{{pin}}'))
        fail('messageText', `(${lang}) must contain {{pin}}`)
    }
    if (!messageTexts[language]) fail('messageText', `has no text for the default language "${language}"`)
  }

  const allowedCountries = options.allowedCountries ?? null
  if (allowedCountries !== null) {
    if (!Array.isArray(allowedCountries) || allowedCountries.length === 0)
      fail('allowedCountries', 'must be a non-empty array of ISO country codes, or null for all')
    for (const code of allowedCountries)
      if (!/^[A-Z]{2}$/.test(code))
        fail(
          'allowedCountries',
          `has ${JSON.stringify(code)}: use upper-case ISO 3166 alpha-2 codes like "HR"`,
        )
  }
  const allowedNumberTypes = options.allowedNumberTypes ?? ['MOBILE', 'FIXED_LINE_OR_MOBILE']
  for (const type of allowedNumberTypes)
    if (!NUMBER_TYPES.includes(type))
      fail(
        'allowedNumberTypes',
        `has unknown type ${JSON.stringify(type)}; known: ${NUMBER_TYPES.join(', ')}`,
      )

  const pinLength = integer('pinLength', options.pinLength, 6, 4, 10)
  const testNumbers = normalizeTestNumbers(options.testNumbers ?? {}, (problem) =>
    fail('testNumbers', problem),
  )
  if (testNumbers.size > 0 && production && !options.allowTestNumbersInProduction) {
    fail(
      'testNumbers',
      'are refused in production: they let anyone verify those numbers with a known PIN. Set allowTestNumbersInProduction: true if that is really wanted',
    )
  }
  for (const [number, pin] of testNumbers) {
    if (pin.length !== pinLength)
      fail('testNumbers', `PIN of ${number} must have pinLength (${pinLength}) characters`)
  }

  const allowedOrigins = (options.allowedOrigins ?? []).map((origin) => {
    let url: URL
    try {
      url = new URL(origin)
    } catch {
      fail(
        'allowedOrigins',
        `has ${JSON.stringify(origin)}, which is not a URL origin like "https://shop.example"`,
      )
    }
    if (url.origin !== origin.replace(/\/$/, ''))
      fail(
        'allowedOrigins',
        `has ${JSON.stringify(origin)}: give origins only (scheme://host[:port]), no path`,
      )
    return url.origin
  })
  if (options.androidAppHash !== undefined && !/^[A-Za-z0-9+/]{11}$/.test(options.androidAppHash)) {
    fail('androidAppHash', 'must be the 11-character SMS Retriever hash of your Android app')
  }
  if (options.deliveryReportUrl !== undefined && !/^https?:\/\/[^/]+/.test(options.deliveryReportUrl)) {
    fail('deliveryReportUrl', 'must be an absolute http(s) URL such as "https://shop.example/2fa/reports"')
  }
  const allowedLineTypes = [...(options.allowedLineTypes ?? ['mobile', 'fixed_or_mobile', 'unknown'])]
  for (const type of allowedLineTypes)
    if (!LINE_TYPES.includes(type))
      fail(
        'allowedLineTypes',
        `has unknown line type ${JSON.stringify(type)}; known: ${LINE_TYPES.join(', ')}`,
      )
  const lookupFailurePolicy = options.lookupFailurePolicy ?? 'closed'
  if (lookupFailurePolicy !== 'closed' && lookupFailurePolicy !== 'open')
    fail('lookupFailurePolicy', 'must be "closed" or "open"')
  if (options.lookup && typeof options.lookup.lookup !== 'function') {
    fail(
      'lookup',
      `provider "${options.lookup.name}" has no number lookup; use infobipProvider or twilioProvider, or null`,
    )
  }

  const captcha = options.captcha ?? null
  if (
    captcha &&
    (typeof captcha.verify !== 'function' || !captcha.widget?.siteKey || !captcha.widget.action)
  ) {
    fail('captcha', 'must be a captcha verifier such as turnstileCaptcha({ siteKey, secretKey })')
  }
  const captchaHostnames = [
    ...(options.captchaHostnames ?? allowedOrigins.map((origin) => new URL(origin).hostname)),
  ]
  for (const hostname of captchaHostnames)
    if (typeof hostname !== 'string' || !/^[a-z0-9.-]+$/i.test(hostname))
      fail('captchaHostnames', `has ${JSON.stringify(hostname)}: give bare hostnames like "shop.example"`)

  const providerTimeoutMs = duration('providerTimeout', options.providerTimeout, '10s')

  const resolved: ResolvedOptions = {
    environment,
    store: options.store,
    providers,
    secret,
    signingKey,
    algorithm,
    issuer,
    audience,
    tokenTtlMs: duration('tokenTimeToLive', options.tokenTimeToLive, '5m'),
    pinLength,
    pinType,
    pinTtlMs: duration('pinTimeToLive', options.pinTimeToLive, '10m'),
    pinAttempts: integer('pinAttempts', options.pinAttempts, 5, 1, 100),
    allowMultiplePinVerifications: options.allowMultiplePinVerifications ?? false,
    verifyPinLimit: rate('verifyPinLimit', options.verifyPinLimit, '1/3s'),
    sendPinPerPhoneNumberLimit: rate(
      'sendPinPerPhoneNumberLimit',
      options.sendPinPerPhoneNumberLimit,
      '5/1d',
    ),
    sendPinPerApplicationLimit: rate(
      'sendPinPerApplicationLimit',
      options.sendPinPerApplicationLimit,
      '10000/1d',
    ),
    sendPinPerIpLimit: rate('sendPinPerIpLimit', options.sendPinPerIpLimit, '20/1h'),
    sendPinPerPrefixLimit: rate('sendPinPerPrefixLimit', options.sendPinPerPrefixLimit, '50/1h'),
    prefixLength: integer('prefixLength', options.prefixLength, 7, 3, 12),
    resendCooldownMs: duration('resendCooldown', options.resendCooldown, '30s'),
    messageTexts,
    placeholders: { ...options.placeholders },
    appName: options.appName ?? 'two-factor-kit',
    senderId: options.senderId,
    language,
    allowedCountries,
    allowedNumberTypes,
    testNumbers,
    getClientIp: options.getClientIp ?? (() => undefined),
    lookup: options.lookup ?? null,
    lookupCacheTtlMs: duration('lookupCacheTimeToLive', options.lookupCacheTimeToLive, '1d'),
    lookupFailurePolicy,
    allowedLineTypes,
    providerTimeoutMs,
    providerRetries: integer('providerRetries', options.providerRetries, 1, 0, 5),
    allowedOrigins,
    captcha: captcha && {
      verifier: captcha,
      hostnames: captchaHostnames,
      timeoutMs: providerTimeoutMs,
      logger,
    },
    webOtpHost:
      options.webOtp === false || allowedOrigins.length === 0 ? undefined : new URL(allowedOrigins[0]!).host,
    androidAppHash: options.androidAppHash,
    deliveryReportUrl: options.deliveryReportUrl?.replace(/\/$/, ''),
    widget: options.widget,
    logger,
    clock: options.clock ?? Date.now,
  }
  if (resolved.tokenTtlMs > 3_600_000)
    fail('tokenTimeToLive', 'must be at most "1h": the token is a short-lived proof, not a session')
  return resolved
}
