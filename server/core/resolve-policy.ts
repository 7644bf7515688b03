/**
 * The anti-fraud and cost policies' options, validated and resolved once at start-up. Production
 * wants the country decision made explicitly: without `allowedCountries` it refuses to start,
 * naming TWO_FACTOR_ALLOWED_COUNTRIES.
 */
// max/es6, as everywhere in server/ (phone.ts says why).
import { getCountries } from 'libphonenumber-js/max/es6'
import { parseDuration, parseRate, type Rate } from './duration.js'
import { refuseOption } from './option-variables.js'
import type { TwoFactorCoreOptions } from './options.js'
import {
  HIGH_RISK_CALLING_CODES,
  SEND_BLOCK_REASONS,
  type ResolvedPolicy,
  type SendBlockReason,
} from './policy.js'
import { DEFAULT_SMS_PRICES, toMicros } from './prices.js'

const COUNTRY = /^[A-Z]{2}$/

function duration(option: string, value: string | undefined, fallback: string): number {
  const text = value ?? fallback
  return (
    parseDuration(text) ??
    refuseOption(option, `must be a duration like "15m" or "1h"; got ${JSON.stringify(text)}`)
  )
}

function rate(option: string, value: string | undefined, fallback: string): Rate {
  const text = value ?? fallback
  return parseRate(text) ?? refuseOption(option, `must be a rate like "10/1h"; got ${JSON.stringify(text)}`)
}

function amount(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    refuseOption(option, `must hold amounts of 0 or more; got ${JSON.stringify(value)}`)
  return toMicros(value)
}

function countries(option: string, codes: readonly string[]): Set<string> {
  for (const code of codes)
    if (!COUNTRY.test(code))
      refuseOption(option, `has ${JSON.stringify(code)}: use upper-case ISO 3166 alpha-2 codes like "HR"`)
  return new Set(codes)
}

/** `'+385911234567'` stays a number; `'+385911234xxx'` becomes the range scope `range:385911234`. */
function allowListEntry(entry: unknown): string {
  if (typeof entry === 'string') {
    if (/^\+\d{6,15}$/.test(entry)) return entry
    const range = /^\+(\d{4,12})xxx$/i.exec(entry)
    if (range) return `range:${range[1]}`
  }
  return refuseOption(
    'allowList',
    `has ${JSON.stringify(entry)}: give E.164 numbers ("+385911234567") or 1k ranges ("+385911234xxx")`,
  )
}

/** Parses an allow-list entry as `allowList` takes it; undefined when it is not one. */
export function parseAllowListEntry(entry: string): string | undefined {
  try {
    return allowListEntry(entry)
  } catch {
    return undefined
  }
}

export function resolvePolicy(
  options: TwoFactorCoreOptions,
  production: boolean,
  captchaConfigured: boolean,
): {
  policy: ResolvedPolicy
  allowedCountries: readonly string[] | null
  captchaMode: 'always' | 'escalated'
} {
  const allowed = options.allowedCountries ?? (production ? undefined : '*')
  if (allowed === undefined)
    refuseOption(
      'allowedCountries',
      'must be set in production: the countries that may receive codes, e.g. TWO_FACTOR_ALLOWED_COUNTRIES=HR,DE ' +
        '— or "*" to accept every country knowingly (SMS pumping targets the countries nobody meant to serve)',
    )
  if (allowed !== '*' && (!Array.isArray(allowed) || allowed.length === 0))
    refuseOption('allowedCountries', 'must be a non-empty array of ISO country codes, or "*" for all')
  const callingCodes = new Set<string>()
  const isoCodes: string[] = []
  for (const entry of allowed === '*' ? [] : allowed) {
    const callingCode = /^\+(\d{3})$/.exec(entry)?.[1]
    if (callingCode) {
      if (!HIGH_RISK_CALLING_CODES.includes(callingCode))
        refuseOption(
          'allowedCountries',
          `has ${JSON.stringify(entry)}: calling codes are named only for the high-risk ones ` +
            `(${HIGH_RISK_CALLING_CODES.map((code) => `+${code}`).join(', ')}); use ISO codes for countries`,
        )
      callingCodes.add(callingCode)
    } else isoCodes.push(entry)
  }
  const allowedIso = countries('allowedCountries', isoCodes)
  if (allowed !== '*' && allowedIso.size === 0 && callingCodes.size === 0)
    refuseOption('allowedCountries', 'must name at least one country')

  const captchaMode = options.captchaMode ?? 'always'
  if (captchaMode !== 'always' && captchaMode !== 'escalated')
    refuseOption('captchaMode', `must be "always" or "escalated"; got ${JSON.stringify(captchaMode)}`)

  const minConversion = options.minConversion ?? 0.5
  if (typeof minConversion !== 'number' || !(minConversion >= 0 && minConversion <= 1))
    refuseOption(
      'minConversion',
      `must be a share from 0 to 1 (0.5: half the sends verified); got ${minConversion}`,
    )
  const minSends = (option: string, value: number | undefined, fallback: number) => {
    const n = value ?? fallback
    if (!Number.isInteger(n) || n < 1 || n > 1_000_000)
      refuseOption(option, `must be an integer from 1 to 1000000; got ${String(n)}`)
    return n
  }

  const prices: Record<string, number> = {}
  for (const [country, price] of Object.entries({ ...DEFAULT_SMS_PRICES, ...options.smsPrices })) {
    if (country !== '*' && !COUNTRY.test(country))
      refuseOption('smsPrices', `has ${JSON.stringify(country)}: key prices by ISO country code, or "*"`)
    prices[country] = amount('smsPrices', price)
  }

  const global = options.dailySpendLimit === undefined ? 100 : options.dailySpendLimit
  const perCountryOption =
    options.dailySpendLimitPerCountry === undefined ? 20 : options.dailySpendLimitPerCountry
  const perCountry: Record<string, number | null> = {}
  if (perCountryOption === null || typeof perCountryOption === 'number') {
    perCountry['*'] = perCountryOption === null ? null : amount('dailySpendLimitPerCountry', perCountryOption)
  } else {
    for (const [country, limit] of Object.entries(perCountryOption)) {
      if (country !== '*' && !COUNTRY.test(country))
        refuseOption(
          'dailySpendLimitPerCountry',
          `has ${JSON.stringify(country)}: key limits by ISO country code, or "*"`,
        )
      perCountry[country] = limit === null ? null : amount('dailySpendLimitPerCountry', limit)
    }
  }

  const shadowOption = options.shadowPolicies ?? []
  const shadow = new Set<SendBlockReason>(shadowOption === '*' ? SEND_BLOCK_REASONS : [])
  if (shadowOption !== '*') {
    for (const reason of shadowOption) {
      if (!(SEND_BLOCK_REASONS as readonly string[]).includes(reason))
        refuseOption(
          'shadowPolicies',
          `has ${JSON.stringify(reason)}; the policies are ${SEND_BLOCK_REASONS.join(', ')} (or "*" for all)`,
        )
      shadow.add(reason as SendBlockReason)
    }
  }
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function')
    refuseOption('onEvent', 'must be a function')

  const policy: ResolvedPolicy = {
    allowedCountries: allowed === '*' ? '*' : allowedIso,
    allowedCallingCodes: callingCodes,
    deniedCountries: countries('deniedCountries', options.deniedCountries ?? []),
    allowList: new Set((options.allowList ?? []).map(allowListEntry)),
    rangeLimit: rate('sendPinPerRangeLimit', options.sendPinPerRangeLimit, '10/1h'),
    wideRangeLimit: rate('sendPinPerWideRangeLimit', options.sendPinPerWideRangeLimit, '30/1h'),
    blockDurationMs: duration('blockDuration', options.blockDuration, '15m'),
    conversionWindowMs: duration('conversionWindow', options.conversionWindow, '1h'),
    conversionMinSends: minSends('conversionMinSends', options.conversionMinSends, 20),
    conversionMinSendsPerRange: minSends('conversionMinSendsPerRange', options.conversionMinSendsPerRange, 5),
    minConversion,
    captchaEscalation: captchaConfigured && captchaMode === 'escalated',
    prices,
    dailySpendLimit: global === null ? null : amount('dailySpendLimit', global),
    dailySpendLimitPerCountry: perCountry,
    shadow,
    onEvent: options.onEvent,
  }
  // What the widget may offer: the allow-list, or every country but the denied ones.
  const offered =
    allowed === '*'
      ? policy.deniedCountries.size > 0
        ? getCountries().filter((country) => !policy.deniedCountries.has(country))
        : null
      : [...allowedIso].filter((country) => !policy.deniedCountries.has(country))
  return { policy, allowedCountries: offered, captchaMode }
}
