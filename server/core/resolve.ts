/**
 * The options resolved and validated once, at start-up: a bad value throws a ConfigurationError
 * that says what to change (and which environment variable sets it), before anything is served.
 */
import { parseDuration, parseRate, type Rate } from './duration.js'
import { ConfigurationError } from './errors.js'
import { consoleLogger } from './log.js'
import { refuseOption } from './option-variables.js'
import { resolveKeys } from './resolve-keys.js'
import { resolvePolicy } from './resolve-policy.js'
import { assertOptionShapes } from './options-schema.js'
import type { ResolvedOptions, TwoFactorCoreOptions } from './options.js'
import { NUMBER_TYPES, normalizeTestNumbers } from './phone.js'
import type { PinType } from './pin.js'
import { assertProductionSafe } from './production-checks.js'
import type { LineType } from '../providers/types.js'

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

function duration(option: string, value: string | undefined, fallback: string): number {
  const text = value ?? fallback
  return (
    parseDuration(text) ??
    refuseOption(
      option,
      `must be a duration like "30s", "10m", "1h" (n + ms|s|m|h|d, at most 1 year); got ${JSON.stringify(text)}`,
    )
  )
}

function rate(option: string, value: string | undefined, fallback: string): Rate {
  const text = value ?? fallback
  return (
    parseRate(text) ??
    refuseOption(
      option,
      `must be a rate like "1/3s" or "10000/1d" (count/duration); got ${JSON.stringify(text)}`,
    )
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
    refuseOption(option, `must be an integer from ${min} to ${max}; got ${String(n)}`)
  return n
}

export function resolveOptions(options: TwoFactorCoreOptions): ResolvedOptions {
  assertOptionShapes(options)
  const environment = options.environment ?? 'production'
  if (environment !== 'production' && environment !== 'development') {
    refuseOption('environment', `must be "production" or "development"; got ${JSON.stringify(environment)}`)
  }
  const production = environment === 'production'
  const logger = options.logger ?? consoleLogger()

  if (!options.store) refuseOption('store', 'is required (e.g. memoryStore() or redisStore({ client }))')
  const providers = Array.isArray(options.sms) ? options.sms : options.sms ? [options.sms] : []
  if (providers.length === 0)
    refuseOption('sms', 'needs at least one SMS provider (e.g. consoleProvider() in development)')
  for (const provider of providers) {
    if (typeof provider?.send !== 'function' || !provider.name)
      refuseOption('sms', 'must be SMS providers with a name and a send() method')
  }
  // The name routes delivery reports (/reports/:name): two providers with one name would share a route.
  const providerNames = providers.map((provider) => provider.name)
  const duplicateName = providerNames.find((name, index) => providerNames.indexOf(name) !== index)
  if (duplicateName)
    refuseOption(
      'sms',
      `has two providers named ${JSON.stringify(duplicateName)}: give one a different \`name\` option`,
    )

  for (const provider of new Set([...providers, ...(options.lookup ? [options.lookup] : [])]))
    provider.useLogger?.(logger)

  const { secret, signingKey, previousSigningKeys, algorithm } = resolveKeys(options, production, logger)

  const issuer = options.issuer ?? (production ? undefined : 'two-factor-kit')
  const audience = options.audience ?? (production ? undefined : 'two-factor-kit-dev')
  if (!issuer)
    refuseOption('issuer', 'is required in production: the token issuer (e.g. "https://shop.example")')
  if (!audience)
    refuseOption('audience', 'is required in production: who the tokens are for (e.g. "shop.example")')

  if (production && providers.some((provider) => provider.name === 'console')) {
    if (!options.allowConsoleSmsInProduction)
      refuseOption(
        'sms',
        'is the console provider, which sends no SMS and logs every PIN: refused in production. Set SMS_PROVIDER ' +
          '(infobip, twilio or vonage) or pass a real provider; to use it anyway (a smoke test), set ' +
          'TWO_FACTOR_ALLOW_CONSOLE_SMS_IN_PRODUCTION=true (allowConsoleSmsInProduction: true)',
      )
    for (const provider of providers)
      if (provider.name === 'console' && (provider as { masksPins?: boolean }).masksPins !== true)
        refuseOption(
          'sms',
          'is a console provider that prints PINs: in production make it with consoleProvider({ maskPins: true })',
        )
  }

  const pinType = options.pinType ?? 'NUMERIC'
  if (!PIN_TYPES.includes(pinType))
    refuseOption('pinType', `must be one of ${PIN_TYPES.join(', ')}; got ${JSON.stringify(pinType)}`)

  const language = options.language ?? 'en'
  let messageTexts: Record<string, string> | undefined
  if (options.messageText !== undefined) {
    messageTexts =
      typeof options.messageText === 'string'
        ? { [language]: options.messageText }
        : { ...options.messageText }
    if (Object.keys(messageTexts).length === 0) refuseOption('messageText', 'needs at least one text')
    for (const [lang, text] of Object.entries(messageTexts)) {
      if (typeof text !== 'string' || !text.includes('{{pin}}'))
        refuseOption('messageText', `(${lang}) must contain {{pin}}`)
    }
    if (!messageTexts[language])
      refuseOption('messageText', `has no text for the default language "${language}"`)
  }

  const allowedNumberTypes = options.allowedNumberTypes ?? ['MOBILE', 'FIXED_LINE_OR_MOBILE']
  for (const type of allowedNumberTypes)
    if (!NUMBER_TYPES.includes(type))
      refuseOption(
        'allowedNumberTypes',
        `has unknown type ${JSON.stringify(type)}; known: ${NUMBER_TYPES.join(', ')}`,
      )

  const pinLength = integer('pinLength', options.pinLength, 6, 4, 10)
  const testNumbers = normalizeTestNumbers(options.testNumbers ?? {}, (problem) =>
    refuseOption('testNumbers', problem),
  )
  if (testNumbers.size > 0 && production && !options.allowTestNumbersInProduction) {
    refuseOption(
      'testNumbers',
      'are refused in production: they let anyone verify those numbers with a known PIN. Set allowTestNumbersInProduction: true if that is really wanted',
    )
  }
  for (const [number, pin] of testNumbers) {
    if (pin.length !== pinLength)
      refuseOption('testNumbers', `PIN of ${number} must have pinLength (${pinLength}) characters`)
  }

  const allowedOrigins = (options.allowedOrigins ?? []).map((origin) => {
    let url: URL
    try {
      url = new URL(origin)
    } catch {
      refuseOption(
        'allowedOrigins',
        `has ${JSON.stringify(origin)}, which is not a URL origin like "https://shop.example"`,
      )
    }
    if (url.origin !== origin.replace(/\/$/, ''))
      refuseOption(
        'allowedOrigins',
        `has ${JSON.stringify(origin)}: give origins only (scheme://host[:port]), no path`,
      )
    return url.origin
  })
  if (options.androidAppHash !== undefined && !/^[A-Za-z0-9+/]{11}$/.test(options.androidAppHash)) {
    refuseOption('androidAppHash', 'must be the 11-character SMS Retriever hash of your Android app')
  }
  if (options.deliveryReportUrl !== undefined && !/^https?:\/\/[^/]+/.test(options.deliveryReportUrl)) {
    refuseOption(
      'deliveryReportUrl',
      'must be an absolute http(s) URL such as "https://shop.example/2fa/reports"',
    )
  }
  const allowedLineTypes = [...(options.allowedLineTypes ?? ['mobile', 'fixed_or_mobile', 'unknown'])]
  for (const type of allowedLineTypes)
    if (!LINE_TYPES.includes(type))
      refuseOption(
        'allowedLineTypes',
        `has unknown line type ${JSON.stringify(type)}; known: ${LINE_TYPES.join(', ')}`,
      )
  const lookupFailurePolicy = options.lookupFailurePolicy ?? 'closed'
  if (lookupFailurePolicy !== 'closed' && lookupFailurePolicy !== 'open')
    refuseOption('lookupFailurePolicy', 'must be "closed" or "open"')
  if (options.lookup && typeof options.lookup.lookup !== 'function') {
    refuseOption(
      'lookup',
      `provider "${options.lookup.name}" has no number lookup; use infobipProvider or twilioProvider, or null`,
    )
  }

  const captcha = options.captcha ?? null
  if (
    captcha &&
    (typeof captcha.verify !== 'function' || !captcha.widget?.siteKey || !captcha.widget.action)
  ) {
    refuseOption('captcha', 'must be a captcha verifier such as turnstileCaptcha({ siteKey, secretKey })')
  }
  const captchaHostnames = [
    ...(options.captchaHostnames ?? allowedOrigins.map((origin) => new URL(origin).hostname)),
  ]
  for (const hostname of captchaHostnames)
    if (typeof hostname !== 'string' || !/^[a-z0-9.-]+$/i.test(hostname))
      refuseOption(
        'captchaHostnames',
        `has ${JSON.stringify(hostname)}: give bare hostnames like "shop.example"`,
      )

  const providerTimeoutMs = duration('providerTimeout', options.providerTimeout, '10s')
  const { policy, allowedCountries, captchaMode } = resolvePolicy(options, production, Boolean(captcha))
  const resendCooldownMs = duration('resendCooldown', options.resendCooldown, '30s')
  const maxResendCooldownMs = duration('maxResendCooldown', options.maxResendCooldown, '32m')
  if (maxResendCooldownMs < resendCooldownMs)
    refuseOption('maxResendCooldown', 'must be at least as long as resendCooldown')

  const resolved: ResolvedOptions = {
    environment,
    store: options.store,
    providers,
    secret,
    signingKey,
    previousSigningKeys,
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
    resendCooldownMs,
    maxResendCooldownMs,
    messageTexts,
    placeholders: { ...options.placeholders },
    appName: options.appName ?? 'two-factor-kit',
    senderId: options.senderId,
    language,
    allowedCountries,
    policy,
    captchaMode,
    allowedNumberTypes,
    testNumbers,
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
    },
    webOtpHost:
      options.webOtp === false || allowedOrigins.length === 0 ? undefined : new URL(allowedOrigins[0]!).host,
    androidAppHash: options.androidAppHash,
    deliveryReportUrl: options.deliveryReportUrl?.replace(/\/$/, ''),
    logger,
    clock: options.clock ?? Date.now,
    jwsSigner: options.jwsSigner,
    hmacSha256: options.hmacSha256,
  }
  if (resolved.tokenTtlMs > 3_600_000)
    refuseOption('tokenTimeToLive', 'must be at most "1h": the token is a short-lived proof, not a session')
  if (production) assertProductionSafe(resolved, options.allowLongPinTimeToLive === true)
  return resolved
}
