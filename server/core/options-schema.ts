/**
 * The shape of `twoFactor()`'s options, checked with valibot before anything reads them: an unknown
 * name (a typo keeps its default silently) or a value of the wrong type (`pinTimeToLive: 600`)
 * stops start-up with a ConfigurationError naming the option — and the variable that sets it —
 * instead of a TypeError at the first request. Values are checked further by resolve.ts.
 */
import * as v from 'valibot'
import { ConfigurationError } from './errors.js'
import { variableOf } from './option-variables.js'

function describeValue(input: unknown): string {
  if (input === null) return 'null'
  if (Array.isArray(input)) return 'an array'
  if (typeof input === 'string') return `the string ${JSON.stringify(input.slice(0, 40))}`
  if (typeof input === 'number' || typeof input === 'boolean' || typeof input === 'bigint')
    return `the ${typeof input} ${String(input)}`
  return typeof input === 'object' ? 'an object' : `a ${typeof input}`
}

const isPlainObject = (input: unknown): input is Record<string, unknown> =>
  typeof input === 'object' && input !== null && !Array.isArray(input)

const duration = v.string('must be a duration string like "10m" (n + ms|s|m|h|d)')
const rate = v.string('must be a rate string like "5/1d" (count/duration)')
const text = v.string('must be a string')
const integer = v.number('must be a number')
const flag = v.boolean('must be true or false')
const list = v.array(v.unknown(), 'must be an array')
const fn = v.function('must be a function')
const record = v.custom<Record<string, unknown>>(isPlainObject, 'must be an object')
const provider = v.custom<object>(isPlainObject, 'must be an SMS provider object')

/** Every option `twoFactor()` takes: the core's (options.ts) and the HTTP layer's (http/options.ts). */
const OPTION_SCHEMAS = {
  environment: text,
  store: v.custom<object>(isPlainObject, 'must be a store such as memoryStore() or redisStore({ client })'),
  sms: v.union([provider, v.array(provider)], 'must be an SMS provider or an array of them'),
  allowConsoleSmsInProduction: flag,
  secret: text,
  signingKey: v.union([text, record], 'must be a private JWK, as an object or a JSON string'),
  previousSigningKeys: v.union(
    [text, list],
    'must be an array of JWKs, or a JSON string of one JWK or an array of them',
  ),
  algorithm: text,
  issuer: text,
  audience: text,
  tokenTimeToLive: duration,
  pinLength: integer,
  pinType: text,
  pinTimeToLive: duration,
  allowLongPinTimeToLive: flag,
  pinAttempts: integer,
  allowMultiplePinVerifications: flag,
  verifyPinLimit: rate,
  sendPinPerPhoneNumberLimit: rate,
  sendPinPerApplicationLimit: rate,
  resendCooldown: duration,
  messageText: v.union([text, record], 'must be a string or an object of texts by language'),
  placeholders: record,
  appName: text,
  senderId: text,
  language: text,
  allowedCountries: v.union([list, v.literal('*')], 'must be an array of ISO country codes, or "*"'),
  deniedCountries: list,
  allowList: list,
  sendPinPerRangeLimit: rate,
  sendPinPerWideRangeLimit: rate,
  blockDuration: duration,
  conversionWindow: duration,
  conversionMinSends: integer,
  conversionMinSendsPerRange: integer,
  minConversion: integer,
  captchaMode: text,
  smsPrices: record,
  dailySpendLimit: v.nullable(integer),
  dailySpendLimitPerCountry: v.nullable(
    v.union([integer, record], 'must be an amount or an object of amounts by country'),
  ),
  shadowPolicies: v.union([list, v.literal('*')], 'must be an array of policy names, or "*"'),
  onEvent: fn,
  maxResendCooldown: duration,
  allowedNumberTypes: list,
  testNumbers: record,
  allowTestNumbersInProduction: flag,
  sendPinPerIpLimit: rate,
  lookup: v.nullable(provider),
  lookupCacheTimeToLive: duration,
  lookupFailurePolicy: text,
  allowedLineTypes: list,
  providerTimeout: duration,
  providerRetries: integer,
  allowedOrigins: list,
  captcha: v.nullable(record),
  captchaHostnames: list,
  webOtp: flag,
  androidAppHash: text,
  deliveryReportUrl: text,
  logger: v.custom<object>(
    (input) =>
      isPlainObject(input) && ['info', 'warn', 'error'].every((level) => typeof input[level] === 'function'),
    'must have info(), warn() and error() (like console)',
  ),
  clock: fn,
  jwsSigner: fn,
  hmacSha256: fn,
  getClientIp: fn,
  widget: record,
  compressMetadata: flag,
  adminToken: text,
  dashboard: record,
} satisfies Record<string, v.GenericSchema>

const KNOWN = Object.keys(OPTION_SCHEMAS)

/** Edit distance, for "did you mean": names are short, so the plain table is fine. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1))
      diagonal = above
    }
  }
  return row[b.length]!
}

function suggestion(name: string): string {
  const lower = name.toLowerCase()
  const best = KNOWN.map((known) => ({ known, d: distance(lower, known.toLowerCase()) })).sort(
    (a, b) => a.d - b.d,
  )[0]
  return best && best.d <= 3 ? ` (did you mean "${best.known}"?)` : ''
}

function named(option: string): string {
  const variable = variableOf(option)
  return variable ? ` (environment variable ${variable})` : ''
}

export function assertOptionShapes(options: unknown): void {
  if (!isPlainObject(options)) throw new ConfigurationError('twoFactor(): the options must be an object')
  for (const [name, value] of Object.entries(options)) {
    const schema = (OPTION_SCHEMAS as Record<string, v.GenericSchema>)[name]
    if (!schema)
      throw new ConfigurationError(
        `twoFactor(): unknown option "${name}"${suggestion(name)}; the options are listed in the README's configuration reference`,
      )
    if (value === undefined) continue
    const result = v.safeParse(schema, value)
    if (!result.success)
      throw new ConfigurationError(
        `twoFactor(): "${name}" ${result.issues[0].message}; got ${describeValue(value)}${named(name)}`,
      )
  }
}
